/**
 * Issue #12, items 6 and 8: tokens are revoked one at a time, may expire, record their
 * last use and who issued them; the security log names the acting admin and the target;
 * every answer carries a Content-Security-Policy and frame headers; failed
 * authentications from one address are rate limited and summed up in the security log.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { buildApi } from '../../api/app';
import { inlineJobs } from '../../api/jobs';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { createHarness, type Harness } from '../helpers/harness';
import { buildWeb } from '../e2e/browser';

let h: Harness;
let api: TestApi;
let webRoot: string;

beforeAll(async () => {
  webRoot = buildWeb();
  h = await createHarness('issue_12_auth');
  api = await startTestApi(h, { webRoot });
}, 300_000);

afterAll(async () => {
  await api?.close();
  await h?.close();
});

interface Token {
  tokenId: string;
  issuedBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  status: string;
}

const admin = () => api.adminToken;

async function issue(userId: string, body?: unknown): Promise<{ token: string; tokenId: string; expiresAt: string | null }> {
  const res = await api.call('POST', `/users/${userId}/tokens`, { token: admin(), ...(body !== undefined && { body }) });
  expect(res.status).toBe(201);
  return res.body;
}

async function tokensOf(userId: string): Promise<Token[]> {
  const res = await api.call<{ tokens: Token[] }>('GET', `/users/${userId}/tokens`, { token: admin() });
  expect(res.status).toBe(200);
  return res.body.tokens;
}

async function securityRows(where: string, params: unknown[]) {
  const { rows } = await h.pool.query<{
    code: string;
    user_id: string | null;
    target_user: string | null;
    token_id: string | null;
    count: number | null;
    message: string;
  }>(`SELECT code, user_id, target_user, token_id, count, message FROM docket.security_log WHERE ${where} ORDER BY id`, params);
  return rows;
}

function docket(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

describe('tokens', () => {
  test('revoking one of two tokens: that one gets 401 saying so, the other still works; the list shows who issued and revoked', async () => {
    const first = await api.user('tina', ['cs_agent']);
    const second = await issue('tina');
    expect((await api.call('GET', '/me', { token: first })).status).toBe(200);
    expect((await api.call('GET', '/me', { token: second.token })).status).toBe(200);

    const firstId = first.slice(4, 20);
    const revoked = await api.call('POST', `/users/tina/tokens/${firstId}/revoke`, { token: admin() });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ tokenId: firstId, status: 'revoked', revokedBy: 'admin' });

    const refused = await api.call('GET', '/me', { token: first });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'Unauthenticated' });
    expect(refused.body.error.message).toContain(`token ${firstId} was revoked`);
    expect((await api.call('GET', '/me', { token: second.token })).body.userId).toBe('tina');

    const listed = await tokensOf('tina');
    expect(listed.map((t) => [t.tokenId, t.status, t.issuedBy])).toEqual([
      [firstId, 'revoked', 'admin'],
      [second.tokenId, 'active', 'admin'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(second.token);
    // Revoking again changes nothing and writes nothing more; a token of another user is not found.
    expect((await api.call('POST', `/users/tina/tokens/${firstId}/revoke`, { token: admin() })).body.revokedAt).toBe(
      revoked.body.revokedAt,
    );
    expect(await securityRows(`code = 'TokenRevoked' AND target_user = 'tina'`, [])).toHaveLength(1);
    await api.user('tom', ['handler']);
    const foreign = await api.call('POST', `/users/tom/tokens/${second.tokenId}/revoke`, { token: admin() });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('TokenNotFound');
    expect((await api.call('GET', '/me', { token: second.token })).status).toBe(200);
    // Only admins revoke.
    expect((await api.call('POST', `/users/tina/tokens/${second.tokenId}/revoke`, { token: second.token })).status).toBe(403);
  });

  test('a token past its expiry is refused with 401 saying it expired; expiry is given in days or as a time, never in the past', async () => {
    const first = await api.user('exa', ['cs_agent']);
    const expiring = await issue('exa', { expiresIn: 30 });
    const days = (Date.parse(expiring.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect((await api.call('GET', '/me', { token: expiring.token })).status).toBe(200);

    await h.pool.query(`UPDATE docket.api_tokens SET expires_at = now() - interval '1 second' WHERE token_id = $1`, [expiring.tokenId]);
    const refused = await api.call('GET', '/me', { token: expiring.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('Unauthenticated');
    expect(refused.body.error.message).toMatch(new RegExp(`token ${expiring.tokenId} expired at`));
    expect((await tokensOf('exa')).find((t) => t.tokenId === expiring.tokenId)?.status).toBe('expired');
    expect((await api.call('GET', '/me', { token: first })).status).toBe(200);

    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await issue('exa', { expiresAt: at })).expiresAt).toBe(at);
    const before = (await tokensOf('exa')).length;
    for (const body of [
      { expiresIn: 0 },
      { expiresIn: 1.5 },
      { expiresAt: '2001-01-01T00:00:00Z' },
      { expiresIn: 3, expiresAt: at },
      { expiresAt: 'tomorrow' },
    ]) {
      const res = await api.call('POST', '/users/exa/tokens', { token: admin(), body });
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'InvalidRequest' });
    }
    expect(await tokensOf('exa')).toHaveLength(before);
  });

  test('the last use of a token is recorded', async () => {
    const token = await api.user('lou', ['handler']);
    expect((await tokensOf('lou'))[0]!.lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await api.call('GET', '/me', { token })).status).toBe(200);
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && lastUsed === null; i++) {
      lastUsed = (await tokensOf('lou'))[0]!.lastUsedAt;
      if (lastUsed === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lastUsed).not.toBeNull();
    expect(Date.parse(lastUsed!)).toBeGreaterThanOrEqual(before - 2000);
  });

  test('the security log names the acting admin and the target of adding, issuing, revoking, disabling and enabling', async () => {
    const deputy = await api.user('deputy', ['admin']);
    const added = await api.call('POST', '/users', { token: deputy, body: { userId: 'sam', displayName: 'Sam', roles: ['sales_rep'] } });
    expect(added.status).toBe(201);
    const issued = await api.call('POST', '/users/sam/tokens', { token: deputy });
    expect((await api.call('POST', `/users/sam/tokens/${issued.body.tokenId}/revoke`, { token: deputy })).status).toBe(200);
    expect((await api.call('POST', '/users/sam/disable', { token: deputy })).status).toBe(200);
    expect((await api.call('POST', '/users/sam/enable', { token: deputy })).status).toBe(200);

    const rows = await securityRows(`target_user = 'sam'`, []);
    expect(rows.map((r) => [r.code, r.user_id, r.target_user])).toEqual([
      ['UserAdded', 'deputy', 'sam'],
      ['TokenIssued', 'deputy', 'sam'],
      ['TokenRevoked', 'deputy', 'sam'],
      ['UserDisabled', 'deputy', 'sam'],
      ['UserEnabled', 'deputy', 'sam'],
    ]);
    expect(rows[1]!.token_id).toBe(issued.body.tokenId);
    expect(rows[2]!.token_id).toBe(issued.body.tokenId);
    // Over the API, for auditors too: `user` matches the acting and the target user.
    const auditor = await api.user('audra', ['auditor']);
    const log = await api.call('GET', '/security-log?user=sam&code=TokenIssued', { token: auditor });
    expect(log.status).toBe(200);
    expect(log.body.entries).toEqual([expect.objectContaining({ code: 'TokenIssued', userId: 'deputy', targetUser: 'sam' })]);
  });

  test('an admin issues a token for another admin or an auditor only while they hold no live token; refused, nothing changes', async () => {
    await api.user('ada', ['admin']);
    await api.user('aud', ['auditor']);
    for (const user of ['ada', 'aud']) {
      const before = await tokensOf(user);
      const refused = await api.call('POST', `/users/${user}/tokens`, { token: admin() });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('PrivilegedUserHasToken');
      expect(refused.body.error.message).toContain('Revoke theirs first');
      expect(await tokensOf(user)).toEqual(before);
      await api.call('POST', `/users/${user}/tokens/${before[0]!.tokenId}/revoke`, { token: admin() });
      const reissued = await api.call('POST', `/users/${user}/tokens`, { token: admin() });
      expect(reissued.status).toBe(201);
      const row = (await securityRows(`code = 'TokenIssued' AND token_id = $1`, [reissued.body.tokenId]))[0]!;
      expect(row.message).toMatch(
        new RegExp(`admin \\(token:[0-9a-f]{16}\\) issued token ${reissued.body.tokenId} for "${user}" who holds role`),
      );
    }
    // An admin issues their own tokens freely.
    const own = await api.call('POST', '/users/admin/tokens', { token: admin(), body: { expiresIn: 1 } });
    expect(own.status).toBe(201);
  });

  test('the CLI lists tokens, issues one that expires, and revokes one', async () => {
    const cleo = await api.user('cleo', ['cs_agent']);
    const issued = await docket(admin(), 'users', 'token', 'cleo', '--expires-in', '30d', '--json');
    expect(issued.code).toBe(0);
    const { tokenId, token, expiresAt } = JSON.parse(issued.out) as { tokenId: string; token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const listed = await docket(admin(), 'users', 'tokens', 'cleo');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`${tokenId}\\s+active\\s+\\S+\\s+admin\\s+${expiresAt.replace(/\./g, '\\.')}`));
    expect(listed.out).not.toContain(token);
    const bad = await docket(admin(), 'users', 'token', 'cleo', '--expires-in', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--expires-in "soon"');
    const revoked = await docket(admin(), 'users', 'revoke-token', 'cleo', tokenId);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`Revoked token ${tokenId} of cleo`);
    expect((await api.call('GET', '/me', { token })).status).toBe(401);
    // Not an admin: refused, nothing changes.
    const other = (await tokensOf('cleo'))[0]!.tokenId;
    const forbidden = await docket(cleo, 'users', 'revoke-token', 'cleo', other, '--json');
    expect(forbidden.code).toBe(2);
    expect(JSON.parse(forbidden.out).error.code).toBe('Forbidden');
    expect((await tokensOf('cleo'))[0]!.status).toBe('active');
  });
});

describe('security headers', () => {
  const expectHeaders = (headers: Headers, where: string) => {
    const csp = headers.get('content-security-policy') ?? '';
    expect({ where, csp }).toEqual({ where, csp: expect.stringContaining("script-src 'self'") });
    for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "default-src 'self'"]) {
      expect({ where, csp }).toEqual({ where, csp: expect.stringContaining(directive) });
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
  };

  test('the UI, its assets and API answers (200, 401, 404) carry the CSP and frame headers', async () => {
    const page = await api.call('GET', '/');
    expect(page.status).toBe(200);
    expectHeaders(page.headers, '/');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(asset).toBeDefined();
    expectHeaders((await api.call('GET', asset!)).headers, asset!);
    expectHeaders((await api.call('GET', '/me', { token: admin() })).headers, '/me');
    expectHeaders((await api.call('GET', '/me')).headers, '/me unauthenticated');
    expectHeaders((await api.call('GET', '/no-such-route')).headers, '404');
  });

  test('the built index.html has no inline script or style, which the CSP would block', () => {
    const html = readFileSync(path.join(webRoot, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/assets\//);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});

describe('failed authentication', () => {
  test('200 failures from one address: 429 with Retry-After after the limit, a few log rows and one summary; other addresses unaffected', async () => {
    const limits = { maxFailures: 20, windowMs: 60_000, logFirst: 10, logTotal: 200 };
    const app = buildApi(api.deps, { jobs: inlineJobs, authLimits: limits });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const valid = await api.user('val', ['cs_agent']);
    // Every address of 127.0.0.0/8 is this machine: each stands for one client.
    const attacker = '127.0.66.1';
    const send = (localAddress: string, url: string, token?: string) =>
      new Promise<{ statusCode: number; headers: IncomingHttpHeaders; json: () => any }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: url, localAddress, headers: token ? { authorization: `Bearer ${token}` } : {} },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString('utf8')));
            res.on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, json: () => JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const inject = (localAddress: string, token: string) => send(localAddress, '/me', token);
    try {
      // Authenticated traffic counts nothing: 50 good requests, then 20 failures are still 401s.
      for (let i = 0; i < 50; i++) expect((await inject(attacker, valid)).statusCode).toBe(200);
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 200; i++) {
        const bad = `dkt_${i.toString(16).padStart(16, '0')}_${'x'.repeat(43)}`;
        const res = await inject(attacker, bad);
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          retryAfter = res.headers['retry-after'];
          expect(res.json().error.code).toBe('TooManyRequests');
          expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        }
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
      // The same address is refused even with a valid token until the window ends; another address is not.
      expect((await inject(attacker, valid)).statusCode).toBe(429);
      expect((await inject('127.0.66.2', valid)).statusCode).toBe(200);
      // Public routes are not throttled.
      expect((await send(attacker, '/health')).statusCode).toBe(200);
    } finally {
      // Closing writes the summaries of open windows.
      await app.close();
    }
    const rows = await securityRows(`remote_ip = $1`, [attacker]);
    const single = rows.filter((r) => r.code !== 'AuthFailuresAggregated');
    const summary = rows.filter((r) => r.code === 'AuthFailuresAggregated');
    expect(single).toHaveLength(limits.logFirst);
    expect(single.every((r) => r.code === 'Unauthenticated')).toBe(true);
    expect(summary).toHaveLength(1);
    // 200 failures and the valid token's 429: every refusal is accounted for.
    expect(summary[0]!.count).toBe(201 - limits.logFirst);
    expect(summary[0]!.message).toContain('Unauthenticated 10, TooManyRequests 181');
    expect(await securityRows(`remote_ip = '127.0.66.2'`, [])).toEqual([]);
  });
});

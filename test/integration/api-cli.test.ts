import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type CliRun } from '../helpers/cli';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;

beforeAll(async () => {
  h = await createHarness('api_cli');
  api = await startTestApi(h);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** `docket …` in-process, against the API with a token (the configuration names no database use). */
function docket(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

test('an admin adds users and tokens with the CLI; they drive a complaint over the API; an auditor verifies it', async () => {
  const admin = api.adminToken;
  for (const [user, roles] of [
    ['amy', 'cs_agent'],
    ['bob', 'handler'],
    ['eve', 'auditor'],
  ]) {
    const added = await docket(admin, 'users', 'add', user!, '--name', user!.toUpperCase(), '--roles', roles!, '--json');
    expect({ user, code: added.code, err: added.err }).toEqual({ user, code: 0, err: '' });
  }
  const token = async (user: string) => JSON.parse((await docket(admin, 'users', 'token', user, '--json')).out).token as string;
  const [amy, bob, eve] = [await token('amy'), await token('bob'), await token('eve')];
  const listed = await docket(admin, 'users', 'list');
  expect(listed.out).toMatch(/amy\s+AMY\s+cs_agent\s+active/);
  expect((await docket(amy, 'users', 'list', '--json')).code).toBe(2);

  const started = await docket(amy, 'start', 'complaint', '--input', '@examples/complaint.json', '--as', 'cs_agent', '--json');
  expect(started.code).toBe(0);
  const { caseId } = JSON.parse(started.out) as { caseId: string };
  // --as names a role; the user is the token's, whatever --as says.
  const accepted = await docket(
    amy,
    'send',
    caseId,
    'ACCEPT',
    '--data',
    '{"department":"after_sales","assignee":"bob"}',
    '--as',
    'mallory:cs_agent',
  );
  expect(accepted.code).toBe(0);
  expect(accepted.out).toContain('investigating');
  const forbidden = await docket(bob, 'send', caseId, 'CUSTOMER_SATISFIED', '--data', '{"score":5}', '--as', 'handler', '--json');
  expect(forbidden.code).toBe(2);
  expect(JSON.parse(forbidden.out).error.code).toBe('Forbidden');
  const status = await docket(bob, 'status', caseId, '--as', 'handler');
  expect(status.code).toBe(0);
  expect(status.out).toContain('SUBMIT_FINDINGS');
  const own = await docket(bob, 'status', caseId);
  expect(own.out).toContain('Allowed events for you (the user and role of your token)');
  expect(own.out).not.toContain('any role');
  const history = await docket(eve, 'history', caseId, '--json');
  expect(JSON.parse(history.out).map((r: { actor: { userId: string } }) => r.actor.userId)).toEqual(['amy', 'amy']);

  expect((await docket(eve, 'audit', 'verify', caseId)).out).toMatch(/intact \(2 rows/);
  const all = await docket(eve, 'audit', 'verify', '--all', '--json');
  expect(JSON.parse(all.out)).toMatchObject({ ok: true, checked: 1 });
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-audit-'));
  const file = path.join(dir, 'export.json');
  expect((await docket(eve, 'audit', 'export', caseId, '--out', file)).code).toBe(0);
  // Offline: no API, no database.
  expect((await docket('unused', 'audit', 'verify', '--file', file)).out).toMatch(/intact/);
  const exp = JSON.parse(readFileSync(file, 'utf8'));
  exp.cases[0].transitions[1].actor.userId = 'mallory';
  const forged = path.join(dir, 'forged.json');
  writeFileSync(forged, JSON.stringify(exp));
  const broken = await docket('unused', 'audit', 'verify', '--file', forged);
  expect(broken.code).toBe(2);
  expect(broken.out).toMatch(/BROKEN at seq 1 \(changed\)/);

  expect((await docket(admin, 'users', 'disable', 'bob')).code).toBe(0);
  const refused = await docket(bob, 'status', caseId, '--json');
  expect(JSON.parse(refused.out).error.code).toBe('Unauthenticated');
});

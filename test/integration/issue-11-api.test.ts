/**
 * Issue #11, items 6 and 7: a large diagram does not hold up other requests, and
 * every 500 is logged (one JSON line with the request id the answer carries, and
 * nothing of the body, the token or the query).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/app';
import type { ApiDeps } from '../../api/deps';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';
import { complaintV1 } from '../helpers/definition-fixtures';
import { largeDefinition } from '../helpers/large-definition';

let h: Harness;
let api: TestApi;
let olga: string;

beforeAll(async () => {
  h = await createHarness('issue_11_api');
  api = await startTestApi(h, { jobs: { timeLimitMs: 60_000 } });
  olga = await api.user('olga', ['process_owner']);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

describe('no request blocks the API', () => {
  test('GET /health answers within 200 ms while a 300-state diagram is drawn, and the diagram is complete', async () => {
    const definition = largeDefinition(300);
    expect(JSON.stringify(definition).length).toBeGreaterThan(40_000);
    // Warm up: the pool's thread has loaded the engine, and a small diagram comes back.
    const small = await api.call('POST', '/definitions/diagram', { token: olga, body: complaintV1() });
    expect(small.status).toBe(200);
    expect((await api.call('GET', '/health')).status).toBe(200);
    let drawing = true;
    const diagram = api.call('POST', '/definitions/diagram', { token: olga, body: definition }).finally(() => {
      drawing = false;
    });
    const healthMs: number[] = [];
    while (drawing) {
      const started = performance.now();
      const health = await api.call('GET', '/health');
      expect(health.status).toBe(200);
      healthMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const svg = await diagram;
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    const steps = svg.text.match(/<g class="state" data-state="step\d+">/g) ?? [];
    expect(new Set(steps).size).toBe(300);
    expect(svg.text).toMatch(/<g class="transition event" data-event="SKIP_STEP" data-from="step5" data-to="step\d+">/);
    // The health checks ran while the diagram was being drawn, each one quickly.
    expect(healthMs.length).toBeGreaterThanOrEqual(3);
    expect(healthMs.filter((ms) => ms >= 200)).toEqual([]);
  });

  test('a definition beyond the size limits is refused with 422 before anything is drawn, and the API goes on', async () => {
    const res = await api.call('POST', '/definitions/diagram?format=mermaid', { token: olga, body: largeDefinition(501) });
    expect(res.status).toBe(422);
    // The linter's size limit is the diagram's: the linter refuses it first.
    expect(res.body.error).toMatchObject({ code: 'InvalidDefinition', message: expect.stringContaining('at most 500 states') });
    expect(res.body.error.requestId).toBe(res.headers.get('x-request-id'));
    expect((await api.call('GET', '/health')).status).toBe(200);
  });

  test('a diagram that takes longer than the time limit is stopped with 422 TooComplex', async () => {
    const app = buildApi(api.deps, { jobs: { threads: 1, timeLimitMs: 1_000 }, logger: { level: 'silent' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const base = urlOf(app);
      const started = performance.now();
      const res = await fetch(`${base}/definitions/diagram`, {
        method: 'POST',
        headers: { authorization: `Bearer ${olga}`, 'content-type': 'application/json' },
        body: JSON.stringify(largeDefinition(300, 1)),
      });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('TooComplex');
      expect(body.error.message).toContain('longer than 1 s');
      expect(performance.now() - started).toBeLessThan(5_000);
      expect((await fetch(`${base}/health`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

function urlOf(app: FastifyInstance): string {
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** A stream that keeps every line written to it. */
function captured(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe('every 500 is logged with the request id the answer carries', () => {
  const SECRET_CUSTOMER = 'CUST-SECRET-4711';
  const SECRET_NAME = 'Zacharias Privatname';
  let app: FastifyInstance;
  let base: string;
  let log: ReturnType<typeof captured>;

  beforeAll(async () => {
    log = captured();
    // The same stack, but the queries and the user store fail as a bug would.
    const failing: ApiDeps = {
      ...api.deps,
      queries: Object.assign(Object.create(api.deps.queries) as ApiDeps['queries'], {
        search: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'rows')");
        },
        page: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'rows')");
        },
      }),
      users: Object.assign(Object.create(api.deps.users) as ApiDeps['users'], {
        getUser: async () => {
          throw new RangeError('user store exploded');
        },
      }),
    };
    app = buildApi(failing, { logger: { level: 'info', stream: log.stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = urlOf(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  const parsed = () => log.lines.map((l) => JSON.parse(l) as Record<string, any>);

  test('a failing dependency: 500 with the request id in header and body, one JSON line with the error', async () => {
    const res = await fetch(`${base}/cases?customer=${SECRET_CUSTOMER}`, { headers: { authorization: `Bearer ${api.adminToken}` } });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { error: Record<string, string> };
    expect(body.error).toEqual({ code: 'Internal', message: 'an internal error occurred; it has been logged', requestId });

    const lines = parsed().filter((l) => l.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'request failed',
      method: 'GET',
      route: '/cases',
      status: 500,
      err: { type: 'TypeError', message: "Cannot read properties of undefined (reading 'rows')" },
    });
    expect(lines[0]!.err.stack).toContain('TypeError');
    const text = log.lines.join('\n');
    expect(text).not.toContain(SECRET_CUSTOMER);
    expect(text).not.toContain(api.adminToken);
  });

  test('the body of a failed request and its token are not logged; a safe incoming X-Request-Id is kept', async () => {
    const res = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/json', 'x-request-id': 'support-ticket-42' },
      body: JSON.stringify({ userId: 'zach', displayName: SECRET_NAME, roles: ['cs_agent'] }),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-request-id')).toBe('support-ticket-42');
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe('support-ticket-42');
    const lines = parsed().filter((l) => l.requestId === 'support-ticket-42');
    expect(lines).toEqual([
      expect.objectContaining({ route: '/users', method: 'POST', status: 500, err: expect.objectContaining({ type: 'RangeError' }) }),
    ]);
    const text = log.lines.join('\n');
    expect(text).not.toContain(SECRET_NAME);
    expect(text).not.toContain(api.adminToken);
    expect(text).not.toContain('authorization');
  });

  test('an unsafe incoming request id is replaced; answered requests are logged by route at level info, refusals carry the id too', async () => {
    const res = await fetch(`${base}/cases/complaint-nope?customer=${SECRET_CUSTOMER}`, {
      headers: { authorization: `Bearer ${api.adminToken}`, 'x-request-id': 'x\u00e9<script>' + 'a'.repeat(100) },
    });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(body.error.requestId).toBe(requestId);
    const lines = parsed().filter((l) => l.requestId === requestId);
    expect(lines).toEqual([expect.objectContaining({ level: 30, method: 'GET', route: '/cases/:caseId', status: res.status })]);
    expect(log.lines.join('\n')).not.toContain(SECRET_CUSTOMER);
    expect(log.lines.join('\n')).not.toContain('script');
  });
});

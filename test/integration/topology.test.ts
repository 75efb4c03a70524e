/**
 * The production topology: two `npm run worker` and two `npm run api` processes, configured only by their
 * environment, against ONE Temporal server — the real one (go.temporal.io/server, built with Go into the
 * cache dir on first use) on PostgreSQL — and ONE PostgreSQL. Cases are driven through both APIs in turn
 * (started through one, acted on through the other), a worker is killed mid-way, and nothing may be lost or
 * doubled. What one API changes (a definition published, a token revoked, a user disabled) the other sees
 * at once: no process keeps state the others depend on.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { openSigner } from '../../audit';
import { PROJECT_ROOT } from '../../config';
import { startTemporalServer, type RunningTemporalServer } from '../../infra/temporal-server';
import { newActorKey } from '../../security/actor-keys';
import { complaintInput, freshDatabase, requireEnv, roleDatabaseUrls, waitFor } from '../helpers/harness';
import { callApi, printedAdminToken, spawnDocket, type DocketProcess, type Reply } from '../helpers/topology';

const NAMESPACE = 'docket-topology';
const TASK_QUEUE = `topology-${randomUUID().slice(0, 8)}`;
const CASES = 12;
const STEPS: Array<[event: string, data: Record<string, unknown>, as: 'cs' | 'handler', state: string]> = [
  ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, 'cs', 'investigating'],
  ['LOG_CONTACT', { channel: 'phone', summary: 'Called the customer' }, 'handler', 'investigating'],
  ['SUBMIT_FINDINGS', { findings: 'Door cracked in transit', customerExpectation: 'Replacement' }, 'handler', 'planning'],
  ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, 'handler', 'communicating'],
  ['CUSTOMER_ACCEPTED', {}, 'cs', 'executing'],
  ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, 'handler', 'followingUp'],
  ['CUSTOMER_SATISFIED', { score: 5, comment: 'Quick' }, 'cs', 'closed'],
];

const runDir = path.join(PROJECT_ROOT, '.cache', 'topology');
let temporal: RunningTemporalServer;
let pool: Pool;
let apis: DocketProcess[] = [];
let workers: DocketProcess[] = [];
let adminToken = '';
let adminPrintedBy: string[] = [];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  // The first run on a machine builds the server with Go: minutes (see README, "Deployment").
  temporal = await startTemporalServer({
    databaseUrl: requireEnv('DOCKET_TEST_DATABASE_URL'),
    databasePrefix: 'topology_temporal',
    fresh: true,
    namespace: NAMESPACE,
    runDir: path.join(runDir, 'temporal'),
  });
  const databaseUrl = await freshDatabase('topology');
  pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const roles = roleDatabaseUrls(databaseUrl);

  // The secrets an operator distributes: one actor key for every process, the workers' audit signing key, its public keyring.
  const secrets = path.join(runDir, 'secrets');
  const audit = {
    signingKeyFile: path.join(secrets, 'audit-signing-key.pem'),
    publicKeysFile: path.join(secrets, 'audit-public-keys.json'),
  };
  mkdirSync(secrets, { recursive: true });
  openSigner({ ...audit, generateSigningKey: true });
  const shared = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    DOCKET_TASK_QUEUE: TASK_QUEUE,
    DOCKET_ACTOR_KEYS: newActorKey('topology'),
    DOCKET_AUDIT_PUBLIC_KEYS_FILE: audit.publicKeysFile,
    LOG_LEVEL: 'info',
  };
  // Each process has a data directory of its own: nothing is shared through the file system.
  const dataDir = (name: string) => {
    const dir = path.join(runDir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const worker = (name: string) =>
    spawnDocket('worker', name, {
      ...shared,
      DOCKET_DATA_DIR: dataDir(name),
      DOCKET_WORKER_DATABASE_URL: roles.worker,
      DOCKET_AUDIT_SIGNING_KEY_FILE: audit.signingKeyFile,
      DOCKET_WORKFLOW_BUNDLE: requireEnv('DOCKET_TEST_BUNDLE'),
    });
  const api = (name: string) =>
    spawnDocket('api', name, {
      ...shared,
      DOCKET_DATA_DIR: dataDir(name),
      DOCKET_API_DATABASE_URL: roles.api,
      DOCKET_API_HOST: '127.0.0.1',
      DOCKET_API_PORT: '0',
      DOCKET_API_JOB_THREADS: '1',
    });
  workers = await Promise.all([worker('worker-1'), worker('worker-2')]);
  apis = await Promise.all([api('api-1'), api('api-2')]);
  ({ token: adminToken, printedBy: adminPrintedBy } = printedAdminToken(apis));

  for (const [userId, role] of [
    ['amy', 'cs_agent'],
    ['bob', 'handler'],
    ['olga', 'process_owner'],
  ] as const) {
    // Each user added through one API and given a token through the other.
    must(await callApi(A(), 'POST', '/users', { token: adminToken, body: { userId, displayName: userId, roles: [role] } }), 201);
    tokens[userId] = must(await callApi(B(), 'POST', `/users/${userId}/tokens`, { token: adminToken, body: {} }), 201).body.token;
  }
}, 45 * 60_000);

afterAll(async () => {
  await Promise.all([...apis, ...workers].map((p) => p.kill('SIGTERM')));
  await pool?.end();
  await temporal?.stop();
}, 60_000);

const A = () => apis[0]!.url!;
const B = () => apis[1]!.url!;

function must<T>(reply: Reply<T>, status: number): Reply<T> {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text.slice(0, 500)}`);
  return reply;
}

/**
 * A call that is retried, with the same Idempotency-Key, while the answer is a server error or no answer
 * (a worker died under it): the key makes the retry the same request, never a second one.
 */
async function idempotent(url: string, route: string, token: string, body: unknown): Promise<Reply> {
  const key = randomUUID();
  let last = '';
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const reply = await callApi(url, 'POST', route, { token, body, headers: { 'idempotency-key': key } });
      if (reply.status < 500) return reply;
      last = `${reply.status} ${reply.text.slice(0, 300)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`POST ${route} kept failing: ${last}`);
}

test('of two APIs starting at once on an empty database, exactly one creates the first admin', () => {
  expect(adminPrintedBy).toHaveLength(1);
  expect(adminToken).not.toBe('');
});

test('both API processes serve the web UI and its files', async () => {
  for (const url of [A(), B()]) {
    const page = must(await callApi(url, 'GET', '/'), 200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    // The same build on both: the page of one loads its script from the other.
    const other = url === A() ? B() : A();
    const js = must(await callApi(other, 'GET', script!), 200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  }
});

test('a token revoked or a user disabled through one API is refused by the other at once', async () => {
  must(await callApi(A(), 'POST', '/users', { token: adminToken, body: { userId: 'zoe', displayName: 'Zoe', roles: ['cs_agent'] } }), 201);
  const first = must(await callApi(B(), 'POST', '/users/zoe/tokens', { token: adminToken, body: {} }), 201).body;
  const second = must(await callApi(A(), 'POST', '/users/zoe/tokens', { token: adminToken, body: {} }), 201).body;
  for (const url of [A(), B()]) must(await callApi(url, 'GET', '/me', { token: first.token }), 200);

  must(await callApi(A(), 'POST', `/users/zoe/tokens/${first.tokenId}/revoke`, { token: adminToken, body: {} }), 200);
  const refused = await callApi(B(), 'GET', '/me', { token: first.token });
  expect(refused.status).toBe(401);
  expect(refused.body.error.message).toMatch(/revoked/);
  must(await callApi(B(), 'GET', '/me', { token: second.token }), 200);

  must(await callApi(B(), 'POST', '/users/zoe/disable', { token: adminToken, body: {} }), 200);
  const disabled = await callApi(A(), 'GET', '/me', { token: second.token });
  expect(disabled.status).toBe(401);
  expect(disabled.body.error.message).toMatch(/disabled/);
});

test('a definition version published through one API is the one the other starts cases on, at once', async () => {
  const before = must(await callApi(B(), 'GET', '/definitions/complaint', { token: tokens.olga! }), 200).body.version as number;
  must(
    await callApi(A(), 'POST', '/definitions/complaint/parameters', { token: tokens.olga!, body: { name: 'approvalLimit', value: 7000 } }),
    200,
  );
  const published = must(await callApi(A(), 'POST', '/definitions/complaint/publish', { token: tokens.olga!, body: {} }), 200).body;
  expect(published.published.version).toBe(before + 1);

  const latest = must(await callApi(B(), 'GET', '/definitions/complaint', { token: tokens.olga! }), 200).body;
  expect(latest).toMatchObject({ version: before + 1, hash: published.published.hash });
  const started = must(await idempotent(B(), '/cases', tokens.amy!, { process: 'complaint', input: complaintInput }), 201).body;
  const seen = must(await callApi(A(), 'GET', `/cases/${started.caseId}`, { token: tokens.amy! }), 200).body;
  expect(seen.definitionVersion).toBe(before + 1);
});

test(
  'cases driven through both APIs while a worker is killed: every case ends, nothing lost or doubled',
  async () => {
    const apiFor = (n: number) => (n % 2 === 0 ? A() : B());
    const caseIds: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const input = { ...complaintInput, customer: `CUST-${2000 + i}` };
      caseIds.push(must(await idempotent(apiFor(i), '/cases', tokens.amy!, { process: 'complaint', input }), 201).body.caseId);
    }
    const drive = async (i: number, from: number, to: number) => {
      for (let s = from; s < to; s++) {
        const [type, data, as, state] = STEPS[s]!;
        // Started through one API, acted on through the other, alternating at every step.
        const reply = must(
          await idempotent(apiFor(i + s + 1), `/cases/${caseIds[i]}/events`, as === 'cs' ? tokens.amy! : tokens.bob!, { type, data }),
          200,
        );
        expect(reply.body.state).toBe(state);
      }
    };
    const half = 3;
    await Promise.all(caseIds.map((_, i) => drive(i, 0, half)));
    // A worker dies with work in flight: the rest of each case runs on the other.
    const killed = workers[0]!;
    const transitions = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions')).rows[0]!.n);
    const before = await transitions();
    const rest = Promise.all(caseIds.map((_, i) => drive(i, half, STEPS.length)));
    // Killed once the second half has begun: with cases in flight on it.
    await waitFor(transitions, (n) => n >= before + 2, 'the second half to begin');
    await killed.kill('SIGKILL');
    expect(killed.child.signalCode).toBe('SIGKILL');
    await rest;

    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection, namespace: NAMESPACE });
      for (const caseId of caseIds) {
        const view = must(await callApi(A(), 'GET', `/cases/${caseId}`, { token: tokens.amy! }), 200).body;
        expect({ caseId, state: view.state, status: view.status }).toEqual({ caseId, state: 'closed', status: 'completed' });

        const { rows } = await pool.query<{ seq: number; event: string; to_state: string }>(
          'SELECT seq, event, to_state FROM docket.transitions WHERE case_id = $1 ORDER BY seq',
          [caseId],
        );
        // Every event once, in the order sent, on consecutive sequence numbers.
        const events = rows.map((r) => r.event).filter((e) => STEPS.some(([type]) => type === e));
        expect({ caseId, events }).toEqual({ caseId, events: STEPS.map(([type]) => type) });
        expect(rows.map((r) => r.seq)).toEqual(rows.map((_, k) => rows[0]!.seq + k));
        expect(rows.at(-1)!.to_state).toBe('closed');

        // And in Temporal's history: one completed update per event sent, none twice.
        const history = await client.workflow.getHandle(caseId).fetchHistory();
        const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
        expect({ caseId, updates: updates.length }).toEqual({ caseId, updates: STEPS.length });
      }
    } finally {
      await connection.close();
    }
    // The surviving processes are still up.
    for (const p of [...apis, workers[1]!]) expect(p.child.exitCode).toBeNull();
  },
  15 * 60_000,
);

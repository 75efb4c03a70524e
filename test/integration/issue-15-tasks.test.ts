/**
 * Task operations over the API and the CLI (issue 15): `POST /cases/{caseId}/tasks/{operation}`
 * checks its body (400) and the users it names (422 UnknownUser) before anything is sent, needs a
 * role like every action, and sends `task.<operation>`, logged with its actor and comment; the
 * case's view shows its tasks; `docket task …` does the same from the command line.
 */
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};

async function start(): Promise<string> {
  const res = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
  expect(res.status).toBe(201);
  return res.body.caseId as string;
}

/** A complaint accepted and assigned to bob (a handler): it waits on bob in `investigating`. */
async function assignedToBob(): Promise<string> {
  const caseId = await start();
  const res = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(res.status).toBe(200);
  return caseId;
}

async function seqOf(caseId: string): Promise<number> {
  const res = await api.call('GET', `/cases/${caseId}/history`, { token: tokens.eve });
  expect(res.status).toBe(200);
  return (res.body.transitions as unknown[]).length;
}

function task(caseId: string, operation: string, token: string, body?: unknown, headers?: Record<string, string>) {
  return api.call('POST', `/cases/${caseId}/tasks/${operation}`, {
    token,
    ...(body !== undefined && { body }),
    ...(headers && { headers }),
  });
}

beforeAll(async () => {
  h = await createHarness('issue_15_tasks');
  api = await startTestApi(h);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.carol = await api.user('carol', ['handler']);
  tokens.dora = await api.user('dora', ['handler']);
  tokens.eve = await api.user('eve', ['auditor']);
  tokens.max = await api.user('max', ['service_manager']);
  tokens.two = await api.user('two', ['handler', 'cs_agent']);
  const disabled = await api.call('POST', '/users/dora/disable', { token: api.adminToken });
  expect(disabled.status).toBe(200);
}, 240_000);

afterAll(async () => {
  await api?.close();
  await h?.close();
});

describe('before anything is sent', () => {
  test('a body that does not fit the operation is refused with 400 and the case does not change', async () => {
    const caseId = await assignedToBob();
    const before = await seqOf(caseId);
    const bad: Array<[string, unknown]> = [
      ['transfer', { to: 'carol' }], // no comment
      ['transfer', { comment: 'on leave' }], // no one to transfer to
      ['transfer', { to: 'carol', comment: '' }],
      ['reassign', { to: 'not a user id!', comment: 'x' }],
      ['add-approver', { approver: { user: 'carol' }, position: 'beside' }],
      ['add-approver', { approver: { user: 'carol', role: 'handler' }, position: 'after' }],
      ['add-approver', { approver: { role: 'no_such_role' }, position: 'after' }],
      ['return', { comment: 'redo' }],
      ['cc', { users: [] }],
      ['cc', {}],
      ['withdraw', {}],
      ['claim', { comment: 'mine', extra: true }],
      ['remind', { comment: 42 }],
    ];
    for (const [operation, body] of bad) {
      const res = await task(caseId, operation, tokens.bob!, body);
      expect({ operation, body, status: res.status, code: res.body.error?.code }).toEqual({
        operation,
        body,
        status: 400,
        code: 'InvalidRequest',
      });
      expect(res.body.error.message).toMatch(/^invalid body: /);
    }
    expect(await seqOf(caseId)).toBe(before);
  });

  test('an operation that is not one is 404, and a bad Idempotency-Key is 400', async () => {
    const caseId = await assignedToBob();
    const unknown = await task(caseId, 'delegate', tokens.bob!, {});
    expect(unknown.status).toBe(404);
    const key = await task(caseId, 'claim', tokens.bob!, {}, { 'idempotency-key': 'has spaces in it' });
    expect(key.status).toBe(400);
    expect(key.body.error.code).toBe('InvalidRequest');
  });

  test('users named must exist and be enabled: 422 UnknownUser, and nothing is sent', async () => {
    const caseId = await assignedToBob();
    const before = await seqOf(caseId);
    const cases: Array<[string, unknown, string]> = [
      ['transfer', { to: 'nobody', comment: 'on leave' }, 'nobody'],
      ['transfer', { to: 'dora', comment: 'on leave' }, 'dora'], // disabled
      ['reassign', { to: 'nobody', comment: 'workload' }, 'nobody'],
      ['add-approver', { approver: { user: 'ghost' }, position: 'after' }, 'ghost'],
      ['cc', { users: ['carol', 'ghost'] }, 'ghost'],
    ];
    for (const [operation, body, named] of cases) {
      const res = await task(caseId, operation, operation === 'reassign' ? tokens.max! : tokens.bob!, body);
      expect({ operation, status: res.status, code: res.body.error?.code }).toEqual({ operation, status: 422, code: 'UnknownUser' });
      expect(res.body.error.message).toContain(`"${named}"`);
    }
    expect(await seqOf(caseId)).toBe(before);
  });

  test('a user with several roles must name the role they act in (400 RoleRequired)', async () => {
    const caseId = await assignedToBob();
    const res = await task(caseId, 'remind', tokens.two!, {});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('RoleRequired');
    expect(await seqOf(caseId)).toBe(2);
  });

  test('a case that does not exist is 404 CaseNotFound; the OpenAPI document lists every operation with its body', async () => {
    const res = await task('complaint-does-not-exist', 'claim', tokens.bob!, {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CaseNotFound');
    const doc = await api.call('GET', '/openapi.json');
    const paths = Object.keys(doc.body.paths).filter((p) => p.startsWith('/cases/{caseId}/tasks/'));
    expect(paths.sort()).toEqual(
      ['add-approver', 'cc', 'claim', 'reassign', 'release', 'remind', 'return', 'transfer', 'withdraw']
        .map((o) => `/cases/{caseId}/tasks/${o}`)
        .sort(),
    );
    const transfer = doc.body.paths['/cases/{caseId}/tasks/transfer'].post;
    expect(transfer.requestBody.required).toBe(true);
    expect(doc.body.paths['/cases/{caseId}/tasks/claim'].post.requestBody.required).toBe(false);
  });
});

// These need the engine's task operations and the complaint's definition with tasks.
describe('operations on the complaint handler’s task', () => {
  test('the case view shows the task, its assignee and candidates, and the operations the caller may perform', async () => {
    const caseId = await assignedToBob();
    const view = await api.call('GET', `/cases/${caseId}`, { token: tokens.bob });
    expect(view.status).toBe(200);
    const investigate = view.body.work.tasks.find((t: { state: string }) => t.state === 'investigating');
    expect(investigate).toMatchObject({ assignee: 'bob', assigneeOnly: true });
    expect(investigate.candidates.roles).toContain('handler');
    expect(investigate.operations).toEqual(expect.arrayContaining(['task.transfer']));
    expect(view.body.work.initiator).toBe('amy');
    expect(view.body.work.allowedOperations).toContain('task.transfer');
    expect(view.body.allowedEvents.map((e: { type: string }) => e.type).filter((t: string) => t.startsWith('task.'))).toEqual([]);
  });

  test('transfer to a user who holds none of the task’s roles is 422 UnknownUser; to a handler it is applied and logged with the comment', async () => {
    const caseId = await assignedToBob();
    const wrongRole = await task(caseId, 'transfer', tokens.bob!, { to: 'max', comment: 'on leave' });
    expect(wrongRole.status).toBe(422);
    expect(wrongRole.body.error.code).toBe('UnknownUser');
    expect(wrongRole.body.error.message).toMatch(/handler/);
    expect(await seqOf(caseId)).toBe(2);

    const moved = await task(
      caseId,
      'transfer',
      tokens.bob!,
      { to: 'carol', comment: 'on leave next week' },
      { 'idempotency-key': `t-${caseId}` },
    );
    expect(moved.status).toBe(200);
    const again = await task(
      caseId,
      'transfer',
      tokens.bob!,
      { to: 'carol', comment: 'on leave next week' },
      { 'idempotency-key': `t-${caseId}` },
    );
    expect(again.status).toBe(200);
    expect(again.body.seq).toBe(moved.body.seq);

    const history = await api.call('GET', `/cases/${caseId}/history`, { token: tokens.eve });
    const row = history.body.transitions.at(-1);
    expect(row).toMatchObject({
      event: 'task.transfer',
      actor: { userId: 'bob', role: 'handler' },
      payload: { to: 'carol', comment: 'on leave next week' },
      requestId: `t-${caseId}`,
    });
    const view = await api.call('GET', `/cases/${caseId}`, { token: tokens.carol });
    expect(view.body.work.tasks.find((t: { state: string }) => t.state === 'investigating').assignee).toBe('carol');

    // bob no longer holds it: the engine refuses his next transfer and nothing changes.
    const stale = await task(caseId, 'transfer', tokens.bob!, { to: 'carol', comment: 'again' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('OperationNotAllowed');
    // seq counts from 0 (the start): the log holds seq + 1 rows.
    expect(await seqOf(caseId)).toBe(moved.body.seq + 1);
  });

  test('remind by the initiator is logged; a second one at once is 429 TooSoon; cc names users', async () => {
    const caseId = await assignedToBob();
    const reminded = await task(caseId, 'remind', tokens.amy!, { comment: 'the customer called again' });
    expect(reminded.status).toBe(200);
    const soon = await task(caseId, 'remind', tokens.amy!, {});
    expect(soon.status).toBe(429);
    expect(soon.body.error.code).toBe('TooSoon');
    const cc = await task(caseId, 'cc', tokens.amy!, { users: ['max'], comment: 'for your information' });
    expect(cc.status).toBe(200);
    const view = await api.call('GET', `/cases/${caseId}`, { token: tokens.amy });
    expect(view.body.work.cc).toEqual(['max']);
  });
});

describe('docket task', () => {
  // Over the API only: no database, and a Temporal that does not answer.
  const config = () => ({ ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' });
  const docket = (token: string, ...argv: string[]) =>
    runCli(['--api', api.url, '--token', token, ...argv], { config: config(), cwd: PROJECT_ROOT });

  test('options that do not fit the operation are refused (exit 2) before anything is sent', async () => {
    const caseId = await assignedToBob();
    const noComment = await docket(tokens.bob!, 'task', 'transfer', caseId, '--to', 'carol', '--as', 'handler');
    expect(noComment.code).toBe(2);
    expect(noComment.err).toMatch(/--comment/);
    const both = await docket(
      tokens.bob!,
      'task',
      'add-approver',
      caseId,
      '--user',
      'carol',
      '--role',
      'handler',
      '--position',
      'after',
      '--as',
      'handler',
    );
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/one --user <userId> or one --role <role>/);
    const position = await docket(
      tokens.bob!,
      'task',
      'add-approver',
      caseId,
      '--user',
      'carol',
      '--position',
      'beside',
      '--as',
      'handler',
    );
    expect(position.code).toBe(2);
    expect(position.err).toMatch(/--position/);
    expect(await seqOf(caseId)).toBe(2);
  });

  test('a named user who does not exist: exit 2, UnknownUser in JSON, nothing changes', async () => {
    const caseId = await assignedToBob();
    const run = await docket(tokens.bob!, '--json', 'task', 'cc', caseId, '--user', 'carol,ghost', '--as', 'handler');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.out).error.code).toBe('UnknownUser');
    expect(await seqOf(caseId)).toBe(2);
  });

  test('a role that may not act is refused with exit 2 and nothing changes', async () => {
    const caseId = await assignedToBob();
    const run = await docket(
      tokens.eve!,
      '--json',
      'task',
      'reassign',
      caseId,
      '--to',
      'carol',
      '--comment',
      'workload',
      '--as',
      'auditor',
    );
    expect(run.code).toBe(2);
    expect(['Forbidden', 'OperationNotAllowed']).toContain(JSON.parse(run.out).error.code);
    const claim = await docket(tokens.eve!, 'task', 'claim', caseId, '--as', 'auditor');
    expect(claim.code).toBe(2);
    expect(await seqOf(caseId)).toBe(2);
  });

  test('transfer with a comment prints the operation in both languages and the state (and --json the result)', async () => {
    const caseId = await assignedToBob();
    const run = await docket(tokens.bob!, 'task', 'transfer', caseId, '--to', 'carol', '--comment', 'on leave', '--as', 'handler');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`task.transfer (Transfer / 转交) applied to ${caseId}`);
    expect(run.out).toMatch(/State\s+investigating/);
    const json = await docket(tokens.amy!, '--json', 'task', 'remind', caseId, '--comment', 'customer called', '--as', 'cs_agent');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({ state: 'investigating', status: 'open', seq: 3 }); // start 0, ACCEPT 1, transfer 2
    const history = await docket(tokens.eve!, 'history', caseId);
    expect(history.out).toContain('Transfer / 转交');
  });
});

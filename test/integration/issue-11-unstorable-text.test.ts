/**
 * Issue 11: one character (NUL, a lone surrogate) in a payload, a comment or a start input
 * froze a case for good, and event types named like prototype members gave a 500. Each is
 * now refused at the edge it reaches — the API, the CLI in either mode, the client, and the
 * workflow's Update validator for a payload sent straight to Temporal — with the field path,
 * and the case, its Temporal history, its transition log and its projection stay as they were.
 */
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DocketError } from '../../client/docket-client';
import { loadCalendar } from '../../client/setup';
import { sendEventUpdate, type SendEventRequest } from '../../workflows/messages';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { complaintInput, createHarness, cs, quietHistory, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
let amy: string;
let caseId: string;

const accept = { department: 'after_sales', assignee: 'bob' };
const PROTOTYPE_EVENTS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

beforeAll(async () => {
  h = await createHarness('issue11_text');
  api = await startTestApi(h);
  amy = await api.user('amy', ['cs_agent']);
  await api.user('bob', ['handler']); // ACCEPT names him: he must be a handler (complaint v2)
  const started = await api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  caseId = started.body.caseId as string;
  await quietHistory(h, caseId);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** Everything a refused input must leave as it was. */
async function caseRecord(id: string) {
  const history = await h.client.workflow.getHandle(id).fetchHistory();
  const { rows } = await h.pool.query<{ cases: string; transitions: string }>(
    'SELECT (SELECT count(*) FROM docket.cases) AS cases, (SELECT count(*) FROM docket.transitions) AS transitions',
  );
  return {
    temporalEvents: history.events?.length ?? 0,
    transitions: await h.history(id),
    projection: await h.docket.store.getCase(id),
    status: await h.docket.status(id),
    counts: rows[0],
  };
}

/** `docket …` directly on the servers, or over the API with a token. */
function direct(...argv: string[]): Promise<CliRun> {
  return runCli(['--direct', ...argv], { config: h.config, cwd: PROJECT_ROOT });
}
function overApi(...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', amy, ...argv], { config, cwd: PROJECT_ROOT });
}

/** The refusal the CLI printed in --json mode. */
function cliError(run: CliRun): { code: string; message: string; issues?: Array<{ path: string }> } {
  return (JSON.parse(run.out) as { error: { code: string; message: string; issues?: Array<{ path: string }> } }).error;
}

/** What an Update sent straight to Temporal is refused with. */
async function updateRefusal(request: SendEventRequest): Promise<ApplicationFailure> {
  const err: unknown = await h.client.workflow
    .getHandle(caseId)
    .executeUpdate(sendEventUpdate, { args: [{ ...request, caseId }] })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

test('NUL and lone surrogates in a comment, a payload field or a start input are refused at every edge, and nothing changes', async () => {
  const before = await caseRecord(caseId);
  expect(before.status.state).toBe('received');

  // The API: 400, code ValidationError, the path in the message and in `issues`.
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ ...accept, comment: 'call back\u0000' }, 'body.data.comment'],
    [{ ...accept, assignee: 'bob\ud800' }, 'body.data.assignee'],
    [{ ...accept, comment: 'ok', attachments: ['\udc00'] }, 'body.data.attachments.0'],
  ];
  for (const [data, path] of bad) {
    const res = await api.call('POST', `/cases/${caseId}/events`, { token: amy, body: { type: 'ACCEPT', data } });
    expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 400, code: 'ValidationError' });
    expect(res.body.error.message).toContain(`${path}: contains`);
    expect(res.body.error.issues[0].path).toBe(path);
  }
  const badStart = await api.call('POST', '/cases', {
    token: amy,
    body: { process: 'complaint', input: { ...complaintInput, content: 'cracked\u0000door' } },
  });
  expect(badStart.status).toBe(400);
  expect(badStart.body.error).toMatchObject({ code: 'ValidationError', issues: [{ path: 'body.input.content' }] });
  expect(badStart.body.error.message).toContain('body.input.content: contains the character U+0000 (NUL) at position 7');

  // The CLI, directly and over the API: exit 2, the path named.
  for (const [mode, docket] of [
    ['direct', direct],
    ['over the API', overApi],
  ] as const) {
    const sent = await docket(
      'send',
      caseId,
      'ACCEPT',
      '--data',
      JSON.stringify({ ...accept, comment: 'x\u0000' }),
      '--as',
      'amy:cs_agent',
      '--json',
    );
    expect({ mode, code: sent.code }).toEqual({ mode, code: 2 });
    expect(cliError(sent)).toMatchObject({ code: 'ValidationError', issues: [{ path: 'data.comment' }] });
    expect(cliError(sent).message).toContain('data.comment: contains the character U+0000');
    const started = await docket(
      'start',
      'complaint',
      '--input',
      JSON.stringify({ ...complaintInput, customer: '\ud800' }),
      '--as',
      'amy:cs_agent',
      '--json',
    );
    expect({ mode, code: started.code }).toEqual({ mode, code: 2 });
    expect(cliError(started).message).toContain('input.customer: contains an unpaired UTF-16 surrogate U+D800');
  }

  // The client refuses before anything reaches Temporal.
  const clientRefusal = await h.docket
    .send(caseId, { type: 'ACCEPT', data: { ...accept, comment: '\u0000' }, actor: cs })
    .catch((e: unknown) => e);
  expect(clientRefusal).toBeInstanceOf(DocketError);
  expect(clientRefusal).toMatchObject({ code: 'ValidationError', issues: [{ path: 'data.comment' }] });
  const clientStart = await h.docket.startCase('complaint', { ...complaintInput, contact: 'a\u0000' }, cs).catch((e: unknown) => e);
  expect(clientStart).toMatchObject({ code: 'ValidationError', issues: [{ path: 'input.contact' }] });

  // Straight to the workflow (no client, no API): its Update validator refuses, so no event enters the history.
  const nul = await updateRefusal({ type: 'ACCEPT', data: { ...accept, comment: 'x\u0000y' }, actor: cs });
  expect(nul.type).toBe('ValidationError');
  expect(nul.message).toContain('data.comment: contains the character U+0000 (NUL) at position 1');
  const surrogate = await updateRefusal({ type: 'ACCEPT', data: { ...accept, department: '\ud800after_sales' }, actor: cs });
  expect(surrogate.type).toBe('ValidationError');
  expect(surrogate.message).toContain('data.department: contains an unpaired UTF-16 surrogate U+D800');
  const key = await updateRefusal({
    type: 'ACCEPT',
    data: JSON.parse('{"department":"after_sales","assignee":"bob","__proto__":{"x":1}}'),
    actor: cs,
  });
  expect(key.type).toBe('ValidationError');
  expect(key.message).toContain('data.__proto__');
  const actor = await updateRefusal({ type: 'ACCEPT', data: accept, actor: { userId: 'amy\u0000', role: 'cs_agent' } });
  expect(actor.message).toContain('actor.userId');

  // Nothing changed: not the Temporal history, not the log, not the projection, no new case.
  expect(await caseRecord(caseId)).toEqual(before);
  expect((await api.call('GET', `/cases/${caseId}`, { token: amy })).status).toBe(200);

  // A valid event still works.
  const ok = await api.call('POST', `/cases/${caseId}/events`, {
    token: amy,
    body: { type: 'ACCEPT', data: { ...accept, comment: '投诉已受理 😀' } },
  });
  expect(ok.status).toBe(200);
  expect(ok.body.state).toBe('investigating');
  const after = await caseRecord(caseId);
  expect(after.transitions).toHaveLength(before.transitions.length + 1);
  expect(after.transitions.at(-1)?.payload).toMatchObject({ comment: '投诉已受理 😀' });
  expect((await api.call('GET', `/cases/${caseId}`, { token: amy })).status).toBe(200);
});

test('event types named like prototype members are unknown events everywhere, never a 500 or a TypeError', async () => {
  const before = await caseRecord(caseId);
  for (const type of PROTOTYPE_EVENTS) {
    const res = await api.call('POST', `/cases/${caseId}/events`, { token: amy, body: { type, data: {} } });
    expect({ type, status: res.status, code: res.body.error?.code }).toEqual({ type, status: 400, code: 'UnknownEvent' });
    const viaTemporal = await updateRefusal({ type, data: {}, actor: cs });
    expect({ type, code: viaTemporal.type }).toEqual({ type, code: 'UnknownEvent' });
    for (const docket of [direct, overApi]) {
      const run = await docket('send', caseId, type, '--as', 'amy:cs_agent', '--json');
      expect({ type, code: run.code, error: cliError(run).code }).toEqual({ type, code: 2, error: 'UnknownEvent' });
    }
  }
  // A body with a "__proto__" or "constructor.prototype" key is refused with its path, not as "not valid JSON".
  const proto = await api.call('POST', `/cases/${caseId}/events`, {
    token: amy,
    raw: '{"type":"LOG_CONTACT","data":{"__proto__":{"admin":true}}}',
  });
  expect(proto.status).toBe(400);
  expect(proto.body.error).toMatchObject({ code: 'ValidationError', issues: [{ path: 'body.data.__proto__' }] });
  expect(proto.body.error.message).toMatch(/prototype pollution/);
  const ctor = await api.call('POST', '/cases', {
    token: amy,
    raw: '{"process":"complaint","input":{"constructor":{"prototype":{"x":1}}}}',
  });
  expect(ctor.status).toBe(400);
  expect(ctor.body.error).toMatchObject({ code: 'ValidationError', issues: [{ path: 'body.input.constructor' }] });
  expect(({} as Record<string, unknown>).admin).toBeUndefined();
  const nulInQuery = await api.call('GET', '/cases?customer=a%00b', { token: amy });
  expect(nulInQuery.status).toBe(400);
  expect(nulInQuery.body.error).toMatchObject({ code: 'ValidationError', issues: [{ path: 'query.customer' }] });
  expect(await caseRecord(caseId)).toEqual(before);
});

test('a start sent straight to Temporal with text that cannot be stored fails at once with the path, and stores nothing', async () => {
  const published = await h.definitions.latest('complaint');
  const { rows: before } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions');
  const workflowId = `complaint-direct-${Date.now()}`;
  const handle = await h.client.workflow.start('caseWorkflow', {
    workflowId,
    taskQueue: h.taskQueue,
    args: [
      {
        caseId: workflowId,
        definition: published!.raw,
        definitionVersion: published!.version,
        definitionHash: published!.hash,
        calendar: await loadCalendar(h.config),
        input: { ...complaintInput, content: 'cracked\u0000door' },
        startedBy: cs,
        requestId: null,
      },
    ],
  });
  const err: unknown = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect(cause).toMatchObject({ type: 'ValidationError', message: expect.stringContaining('input.content') });
  expect(await h.docket.store.getCase(workflowId)).toBeNull();
  const { rows: after } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions');
  expect(after[0]!.n).toBe(before[0]!.n);
});

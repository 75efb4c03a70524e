import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness('api_cases');
  api = await startTestApi(h);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.dan = await api.user('dan', ['handler']);
  tokens.carol = await api.user('carol', ['service_manager']);
  tokens.eve = await api.user('eve', ['auditor']);
  tokens.olga = await api.user('olga', ['process_owner']);
  tokens.multi = await api.user('multi', ['cs_agent', 'handler']);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function start(token = tokens.amy!, key?: string) {
  return api.call('POST', '/cases', {
    token,
    body: { process: 'complaint', input: complaintInput },
    ...(key && { headers: { 'idempotency-key': key } }),
  });
}

test('OpenAPI is served and describes every route', async () => {
  const res = await api.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toMatch(/^3\./);
  for (const p of [
    '/cases',
    '/cases/{caseId}',
    '/cases/{caseId}/events',
    '/inbox',
    '/audit/verify',
    '/users',
    '/customers/{customerId}/timeline',
  ]) {
    expect(Object.keys(res.body.paths)).toContain(p);
  }
});

test('a complaint driven through the API, with inboxes, search, timeline, history and the audit trail', async () => {
  const started = await start();
  expect(started.status).toBe(201);
  const { caseId } = started.body as { caseId: string };
  expect(started.body.state).toBe('received');

  // The case as amy sees it: the events she may send, each with a JSON Schema for a form.
  const view = await api.call('GET', `/cases/${caseId}`, { token: tokens.amy });
  expect(view.status).toBe(200);
  expect(view.body.allowedEvents.map((e: { type: string }) => e.type).sort()).toEqual(['ACCEPT', 'WITHDRAW']);
  const accept = view.body.allowedEvents.find((e: { type: string }) => e.type === 'ACCEPT');
  expect(accept.schema.required).toEqual(['department', 'assignee']);
  expect(accept.labels.en).toBe('Accept');

  const inboxAmy = await api.call('GET', '/inbox', { token: tokens.amy });
  expect(inboxAmy.body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);
  const inboxBob = await api.call('GET', '/inbox', { token: tokens.bob });
  expect(inboxBob.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(caseId);

  const sent = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(sent.status).toBe(200);
  expect(sent.body).toMatchObject({ state: 'investigating', seq: 1 });

  // bob is the assignee: the case is in his inbox, first, marked as his; dan (also a handler) sees it after his own.
  const bobInbox = await api.call('GET', '/inbox', { token: tokens.bob });
  expect(bobInbox.body.items[0]).toMatchObject({ caseId, assignedToMe: true, assignee: 'bob' });
  expect(bobInbox.body.items[0].allowedEvents).toEqual(expect.arrayContaining(['LOG_CONTACT', 'SUBMIT_FINDINGS']));
  const danMine = await api.call('GET', '/inbox?mine=true', { token: tokens.dan });
  expect(danMine.body.items).toEqual([]);
  expect((await api.call('GET', '/inbox', { token: tokens.amy })).body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId); // LOG_CONTACT

  const steps: Array<[string, Record<string, unknown> | undefined, string, string]> = [
    ['SUBMIT_FINDINGS', { findings: 'Cracked in transit', customerExpectation: 'Replacement' }, 'bob', 'planning'],
    ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, 'bob', 'communicating'],
    ['CUSTOMER_ACCEPTED', undefined, 'amy', 'executing'],
    ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, 'bob', 'followingUp'],
    ['CUSTOMER_SATISFIED', { score: 5 }, 'amy', 'closed'],
  ];
  for (const [type, data, who, state] of steps) {
    const res = await api.call('POST', `/cases/${caseId}/events`, { token: tokens[who], body: { type, ...(data && { data }) } });
    expect({ type, status: res.status, state: res.body.state }).toEqual({ type, status: 200, state });
  }

  // The log names the authenticated users: the API builds the actor.
  const history = await api.call('GET', `/cases/${caseId}/history`, { token: tokens.eve });
  expect(history.status).toBe(200);
  expect(history.body.transitions.map((t: { actor: { userId: string } }) => t.actor.userId)).toEqual([
    'amy',
    'amy',
    'bob',
    'bob',
    'amy',
    'bob',
    'amy',
  ]);
  expect(history.body.transitions.every((t: { hash: string }) => /^[0-9a-f]{64}$/.test(t.hash))).toBe(true);

  const search = await api.call('GET', `/cases?process=complaint&status=completed&actor=bob`, { token: tokens.eve });
  expect(search.body.cases.map((c: { caseId: string }) => c.caseId)).toContain(caseId);
  const timeline = await api.call('GET', `/customers/${complaintInput.customer}/timeline`, { token: tokens.amy });
  expect(timeline.body.cases.map((c: { caseId: string }) => c.caseId)).toContain(caseId);
  expect(timeline.body.entries.filter((e: { caseId: string }) => e.caseId === caseId)).toHaveLength(7);

  const temporal = await api.call('GET', `/cases/${caseId}/temporal-history`, { token: tokens.eve });
  expect(temporal.status).toBe(200);
  expect(temporal.body.runs[0].history.events[0].eventType).toMatch(/WORKFLOW_EXECUTION_STARTED/);
  expect((await api.call('GET', `/cases/${caseId}/temporal-history`, { token: tokens.bob })).status).toBe(403);

  const verify = await api.call('GET', `/cases/${caseId}/audit/verify`, { token: tokens.eve });
  expect(verify.body).toMatchObject({ caseId, ok: true, rows: 7 });
  const exported = await api.call('GET', `/cases/${caseId}/audit/export`, { token: tokens.eve });
  expect(exported.body).toMatchObject({ format: 'docket-audit-export', cases: [{ caseId, lastSeq: 6 }] });
  const csv = await api.call('GET', `/cases/${caseId}/audit/export?format=csv`, { token: tokens.eve });
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(csv.text.trim().split('\r\n')).toHaveLength(8);
});

test('an Idempotency-Key makes a retried start and a retried event count once, with the same answer', async () => {
  const a = await start(tokens.amy, 'start-key-1');
  const b = await start(tokens.amy, 'start-key-1');
  expect(a.status).toBe(201);
  expect(b.body.caseId).toBe(a.body.caseId);
  const caseId = a.body.caseId as string;
  const send = () =>
    api.call('POST', `/cases/${caseId}/events`, {
      token: tokens.amy,
      headers: { 'idempotency-key': 'accept-1' },
      body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
    });
  const first = await send();
  const again = await send();
  expect(again.status).toBe(200);
  expect(again.body).toEqual(first.body);
  expect((await h.history(caseId)).filter((r) => r.event === 'ACCEPT')).toHaveLength(1);
  // The same key for another event is refused.
  const reused = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    headers: { 'idempotency-key': 'accept-1' },
    body: { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'x' } },
  });
  expect(reused.status).toBe(409);
  expect(reused.body.error.code).toBe('RequestIdReused');
});

test('errors: 401 without or with a bad token, 400 for a multi-role user without X-Docket-Role, 404, 409, 422', async () => {
  expect((await api.call('GET', '/inbox')).body.error.code).toBe('Unauthenticated');
  expect((await api.call('GET', '/inbox', { token: 'dkt_0000000000000000_' + 'a'.repeat(43) })).status).toBe(401);
  const multi = await api.call('GET', '/inbox', { token: tokens.multi });
  expect(multi.status).toBe(400);
  expect(multi.body.error.code).toBe('RoleRequired');
  expect((await api.call('GET', '/inbox', { token: tokens.multi, role: 'handler' })).status).toBe(200);
  const notHeld = await api.call('GET', '/inbox', { token: tokens.multi, role: 'admin' });
  expect(notHeld.status).toBe(403);

  expect((await api.call('GET', '/cases/complaint-nope', { token: tokens.amy })).status).toBe(404);
  const { caseId } = (await start()).body as { caseId: string };
  const wrongState = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'CUSTOMER_SATISFIED', data: { score: 5 } },
  });
  expect(wrongState.status).toBe(409);
  expect(wrongState.body.error.code).toBe('NotAllowedInState');
  const invalid = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'x' } },
  });
  expect(invalid.status).toBe(422);
  expect(invalid.body.error.message).toMatch(/assignee/);
  const badInput = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: { customer: 'x' } } });
  expect(badInput.status).toBe(422);
  expect((await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'nope', input: {} } })).status).toBe(404);

  // Refusals are in the security log, never in the case.
  const log = await api.call('GET', `/security-log?caseId=${caseId}`, { token: tokens.eve });
  expect(log.body.entries.map((e: { code: string }) => e.code)).toContain('NotAllowedInState');
  expect((await h.history(caseId)).map((r) => r.event)).toEqual(['xstate.init']);
});

test('definitions: process owners and auditors read them, process owners validate', async () => {
  expect((await api.call('GET', '/definitions', { token: tokens.olga })).body.definitions[0].processId).toBe('complaint');
  expect((await api.call('GET', '/definitions/complaint', { token: tokens.eve })).status).toBe(200);
  expect((await api.call('GET', '/definitions', { token: tokens.amy })).status).toBe(403);
  const raw = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'definitions', 'complaint.json'), 'utf8'));
  const ok = await api.call('POST', '/definitions/validate', { token: tokens.olga, body: raw });
  expect(ok.body).toEqual({ ok: true, problems: [], warnings: [] });
  const broken = await api.call('POST', '/definitions/validate', { token: tokens.olga, body: { ...raw, startedBy: ['nobody'] } });
  expect(broken.body.ok).toBe(false);
  // Every problem also in Chinese.
  expect(broken.body.problems).toEqual([
    {
      code: 'unknown-role',
      path: 'startedBy[0]',
      message: expect.stringContaining('unknown role "nobody"'),
      messageZh: expect.stringContaining('未知角色 "nobody"'),
    },
  ]);
});

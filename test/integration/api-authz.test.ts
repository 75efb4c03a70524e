import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DocketError } from '../../client/docket-client';
import type { Definition } from '../../engine/definition-schema';
import { ROLE_NAMES } from '../../engine/roles';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

const complaint = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'definitions', 'complaint.json'), 'utf8')) as Definition;

/** A valid payload of every complaint event. ACCEPT names the handler user of the test (`u_handler`), who then works the case. */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  ACCEPT: { department: 'after_sales', assignee: 'u_handler' },
  LOG_CONTACT: { channel: 'phone', summary: 'Called' },
  SUBMIT_FINDINGS: { findings: 'f', customerExpectation: 'e' },
  PROPOSE_RESOLUTION: { proposal: 'p', compensationAmount: 100 },
  APPROVE: {},
  REJECT: { reason: 'r' },
  CUSTOMER_ACCEPTED: {},
  CUSTOMER_REJECTED: { reason: 'r' },
  RESOLUTION_EXECUTED: { summary: 's' },
  CUSTOMER_SATISFIED: { score: 5 },
  CUSTOMER_UNSATISFIED: { reason: 'r' },
  WITHDRAW: { reason: 'r', requestedByCustomer: true, requestedAt: '2026-01-05T10:00:00+08:00', requestChannel: 'phone' },
};

/** The steps from `received` to a state, and the state where each event is tried. */
const PATH: Array<[string, Record<string, unknown>, string]> = [
  ['ACCEPT', PAYLOADS.ACCEPT!, 'cs_agent'],
  ['SUBMIT_FINDINGS', PAYLOADS.SUBMIT_FINDINGS!, 'handler'],
  ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 8000 }, 'handler'],
  ['APPROVE', {}, 'service_manager'],
  ['CUSTOMER_ACCEPTED', {}, 'cs_agent'],
  ['RESOLUTION_EXECUTED', PAYLOADS.RESOLUTION_EXECUTED!, 'handler'],
];
const STEPS_BEFORE: Record<string, number> = {
  ACCEPT: 0,
  WITHDRAW: 1,
  LOG_CONTACT: 1,
  SUBMIT_FINDINGS: 1,
  PROPOSE_RESOLUTION: 2,
  APPROVE: 3,
  REJECT: 3,
  CUSTOMER_ACCEPTED: 4,
  CUSTOMER_REJECTED: 4,
  RESOLUTION_EXECUTED: 5,
  CUSTOMER_SATISFIED: 6,
  CUSTOMER_UNSATISFIED: 6,
};

let h: Harness;
let api: TestApi;
const tokenOf: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness('api_authz');
  api = await startTestApi(h);
  for (const role of ROLE_NAMES) tokenOf[role] = role === 'admin' ? api.adminToken : await api.user(`u_${role}`, [role]);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function caseAfter(steps: number): Promise<string> {
  const started = await api.call('POST', '/cases', { token: tokenOf.cs_agent, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;
  for (const [type, data, role] of PATH.slice(0, steps)) {
    const res = await api.call('POST', `/cases/${caseId}/events`, { token: tokenOf[role], body: { type, data } });
    expect({ type, status: res.status }).toEqual({ type, status: 200 });
  }
  return caseId;
}

test('every role × every complaint event: the API answers as the definition says', async () => {
  expect(Object.keys(complaint.events).sort()).toEqual(Object.keys(PAYLOADS).sort());
  const casesAt = new Map<number, string>();
  const mismatches: string[] = [];
  for (const [event, spec] of Object.entries(complaint.events)) {
    const steps = STEPS_BEFORE[event]!;
    if (!casesAt.has(steps)) casesAt.set(steps, await caseAfter(steps));
    const shared = casesAt.get(steps)!;
    for (const role of ROLE_NAMES) {
      const allowed = spec.roles.includes(role);
      // An allowed event changes its case: each gets a case of its own.
      const caseId = allowed ? await caseAfter(steps) : shared;
      const res = await api.call('POST', `/cases/${caseId}/events`, { token: tokenOf[role], body: { type: event, data: PAYLOADS[event] } });
      const expected = allowed ? 200 : 403;
      if (res.status !== expected || (!allowed && res.body.error.code !== 'Forbidden')) {
        mismatches.push(`${role} ${event}: expected ${expected}, got ${res.status} ${res.text}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
  // The refusals changed nothing: each shared case holds only the steps that brought it there.
  for (const [steps, caseId] of casesAt) expect(await h.history(caseId)).toHaveLength(steps + 1);
  const log = await api.call('GET', '/security-log?limit=1000', { token: tokenOf.auditor });
  expect(log.body.entries.filter((e: { code: string }) => e.code === 'Forbidden').length).toBeGreaterThanOrEqual(100);
});

test('starting a case: only the roles the definition names', async () => {
  for (const role of ROLE_NAMES) {
    const res = await api.call('POST', '/cases', { token: tokenOf[role], body: { process: 'complaint', input: complaintInput } });
    expect({ role, status: res.status }).toEqual({ role, status: complaint.startedBy.includes(role) ? 201 : 403 });
  }
});

test('endpoints by role: users for admin, reading every case for auditors, cases of their processes for staff', async () => {
  const caseId = await caseAfter(0);
  for (const role of ROLE_NAMES) {
    const users = await api.call('GET', '/users', { token: tokenOf[role] });
    expect({ role, status: users.status }).toEqual({ role, status: role === 'admin' ? 200 : 403 });
    const read = await api.call('GET', `/cases/${caseId}`, { token: tokenOf[role] });
    const named = complaint.startedBy.includes(role) || Object.values(complaint.events).some((e) => e.roles.includes(role));
    expect({ role, status: read.status }).toEqual({ role, status: named || role === 'auditor' ? 200 : 403 });
  }
  // Auditors read everything and send nothing.
  const audit = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokenOf.auditor,
    body: { type: 'ACCEPT', data: PAYLOADS.ACCEPT },
  });
  expect(audit.status).toBe(403);
  expect((await api.call('GET', '/audit/verify', { token: tokenOf.auditor })).body.ok).toBe(true);
  expect((await api.call('GET', '/audit/verify', { token: tokenOf.handler })).status).toBe(403);
});

test('the workflow refuses a forbidden role even when the API check is bypassed, and nothing reaches the history', async () => {
  const caseId = await caseAfter(1);
  const before = await h.history(caseId);
  const temporalBefore = (await h.docket.workflowHistory(caseId)).flatMap((r) => (r.history as { events: unknown[] }).events).length;
  const refusal = await h.docket
    .send(caseId, { type: 'SUBMIT_FINDINGS', data: PAYLOADS.SUBMIT_FINDINGS, actor: { userId: 'mallory', role: 'cs_agent' } })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(refusal).toBeInstanceOf(DocketError);
  expect((refusal as DocketError).code).toBe('Forbidden');
  expect(await h.history(caseId)).toEqual(before);
  const temporalAfter = (await h.docket.workflowHistory(caseId)).flatMap((r) => (r.history as { events: unknown[] }).events).length;
  expect(temporalAfter).toBe(temporalBefore);
});

test('a disabled user is refused with 401, whatever token they hold; enabling them again lets them back', async () => {
  const token = await api.user('gone', ['cs_agent']);
  expect((await api.call('GET', '/me', { token })).status).toBe(200);
  const second = await api.call('POST', '/users/gone/tokens', { token: api.adminToken });
  expect((await api.call('POST', '/users/gone/disable', { token: api.adminToken })).body.status).toBe('disabled');
  for (const t of [token, second.body.token as string]) {
    const res = await api.call('GET', '/inbox', { token: t });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'Unauthenticated', message: expect.stringContaining('disabled') });
  }
  expect((await api.call('POST', '/users/gone/enable', { token: api.adminToken })).status).toBe(200);
  expect((await api.call('GET', '/me', { token })).status).toBe(200);
});

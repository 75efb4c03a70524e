/**
 * A permanent failure of an effect never freezes a case silently: the case shows an
 * incident (status, the operators' list), takes no actions meanwhile, and goes on with
 * nothing lost or doubled once the cause is fixed and an operator retries it.
 */
import { DocketError } from '../../client/docket-client';
import type { TransitionRecord } from '../../engine/types';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';
import { refusingStore } from '../helpers/refusing-store';
import { recordIfAsked } from '../helpers/history-files';

const admin = { userId: 'root', role: 'admin' };

/** The store refuses the rows of the cases in `refused` and the rows `refuseRow` picks (as PostgreSQL refuses a row it cannot store). */
const refused = new Set<string>();
let refuseRow: (record: TransitionRecord) => boolean = () => false;
const refusing = refusingStore((record) => refused.has(record.caseId) || refuseRow(record));

let h: Harness;
let api: TestApi;
beforeAll(async () => {
  h = await createHarness('issue11_incidents', { wrapStore: refusing });
  api = await startTestApi(h);
}, 600_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function workflowEvents(caseId: string) {
  return (await h.client.workflow.getHandle(caseId).fetchHistory()).events ?? [];
}

/** The workflow history once nothing more happens in it (the incident's own record is written a moment later). */
async function settledEvents(caseId: string) {
  let events = await workflowEvents(caseId);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await workflowEvents(caseId);
    if (now.length === events.length) return now;
    events = now;
  }
  throw new Error('the workflow history did not settle');
}

async function openIncidentRows(caseId: string) {
  const { rows } = await h.pool.query(
    'SELECT id, effect, seq, error_type, attempts, resolved_at, resolved_by FROM docket.incidents WHERE case_id = $1 ORDER BY id',
    [caseId],
  );
  return rows;
}

async function refusal(p: Promise<unknown>): Promise<DocketError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocketError);
  return err as DocketError;
}

test('a row the store refuses opens an incident; after the fix a retry stores it once and the case goes on', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  refused.add(caseId);

  const failed = await refusal(h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs }));
  expect(failed.code).toBe('IncidentOpened');
  expect(failed.message).toMatch(/store transition 1 \(ACCEPT\) failed for good: refused row 1/);

  const status = await h.docket.status(caseId);
  expect(status.incidents).toEqual([
    expect.objectContaining({
      id: `${caseId}:incident:1`,
      effect: 'persistTransition',
      seq: 1,
      attempts: 1,
      error: { type: 'InvalidDataError', message: expect.stringContaining('refused row 1') },
    }),
  ]);
  expect(status.storedSeq).toBe(0);
  expect((await h.history(caseId)).map((r) => r.seq)).toEqual([0]);
  // The operators' list shows it.
  const listed = await h.docket.listIncidents();
  expect(listed.map((i) => i.id)).toContain(`${caseId}:incident:1`);
  expect(await openIncidentRows(caseId)).toEqual([
    expect.objectContaining({ effect: 'persistTransition', seq: 1, attempts: 1, resolved_at: null }),
  ]);

  // While the incident is open the case takes no actions, and a refusal changes nothing.
  const before = await settledEvents(caseId);
  const held = await refusal(h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'called' }, actor: handler }));
  expect(held.code).toBe('CaseHasIncident');
  expect(held.message).toMatch(/docket incidents retry/);
  expect((await workflowEvents(caseId)).length).toBe(before.length);

  // Only an operator retries.
  expect((await refusal(h.docket.retryIncidents(caseId, cs))).code).toBe('Forbidden');

  // A retry before the cause is fixed fails again, visibly.
  const again = await h.docket.retryIncidents(caseId, admin);
  expect(again.resolved).toEqual([]);
  expect(again.open).toEqual([expect.objectContaining({ id: `${caseId}:incident:1`, attempts: 2 })]);

  // The cause is fixed; the retry stores the row and the case goes on.
  refused.delete(caseId);
  const retried = await h.docket.retryIncidents(caseId, admin);
  expect(retried).toEqual({ caseId, resolved: [`${caseId}:incident:1`], open: [] });
  expect((await refusal(h.docket.retryIncidents(caseId, admin))).code).toBe('NoIncident');

  const next = await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'called' }, actor: handler });
  expect(next).toMatchObject({ seq: 2, state: 'investigating' });
  const log = await h.history(caseId);
  expect(log.map((r) => [r.seq, r.event])).toEqual([
    [0, 'xstate.init'],
    [1, 'ACCEPT'],
    [2, 'LOG_CONTACT'],
  ]);
  expect((await h.docket.store.getCase(caseId))?.lastSeq).toBe(2);
  const rows = await openIncidentRows(caseId);
  expect(rows).toEqual([expect.objectContaining({ attempts: 2, resolved_by: 'root' })]);
  expect(rows[0].resolved_at).toBeInstanceOf(Date);
  expect((await h.docket.listIncidents()).map((i) => i.caseId)).not.toContain(caseId);

  await recordIfAsked(h.client, caseId, 'robust-incident-retried');
  // The workflow task never failed: the failure was handled, not retried in a loop.
  const events = await workflowEvents(caseId);
  expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
});

test('a start whose row is refused answers with the incident at once; a retry stores the case', async () => {
  const marker = 'Refused Trading Ltd';
  let refusedCase: string | undefined;
  refuseRow = (record) => {
    if (record.seq !== 0 || !JSON.stringify(record.payload).includes(marker)) return false;
    refusedCase = record.caseId;
    return true;
  };
  const failed = await refusal(h.docket.startCase('complaint', { ...complaintInput, contact: marker }, cs));
  expect(failed.code).toBe('IncidentOpened');
  const caseId = refusedCase!;
  expect(failed.message).toContain(caseId);
  expect(await h.docket.store.getCase(caseId)).toBeNull();
  expect((await h.docket.listIncidents()).filter((i) => i.caseId === caseId)).toEqual([
    expect.objectContaining({ effect: 'persistTransition', seq: 0, description: 'store transition 0 (xstate.init)' }),
  ]);

  refuseRow = () => false;
  expect(await h.docket.retryIncidents(caseId, admin)).toEqual({ caseId, resolved: [`${caseId}:incident:1`], open: [] });
  expect(await h.docket.store.getCase(caseId)).toMatchObject({ state: 'received', lastSeq: 0 });
  expect((await h.history(caseId)).map((r) => [r.seq, r.event])).toEqual([[0, 'xstate.init']]);
  const accepted = await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });
  expect(accepted).toMatchObject({ seq: 1, state: 'investigating' });
});

test('over the API and the CLI: the case shows its incident, operators list and retry it, others may not', async () => {
  const amy = await api.user('amy', ['cs_agent']);
  await api.user('bob', ['handler']); // ACCEPT names him: he must be a handler (complaint v2)
  const started = await api.call<{ caseId: string }>('POST', '/cases', {
    token: amy,
    body: { process: 'complaint', input: complaintInput },
  });
  expect(started.status).toBe(201);
  const { caseId } = started.body;
  refused.add(caseId);

  const sent = await api.call('POST', `/cases/${caseId}/events`, {
    token: amy,
    body: { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' } },
  });
  expect(sent.status).toBe(503);
  expect(sent.body.error).toMatchObject({ code: 'IncidentOpened', message: expect.stringContaining('store transition 1 (ACCEPT)') });

  const view = await api.call('GET', `/cases/${caseId}`, { token: amy });
  expect(view.status).toBe(200);
  expect(view.body.incidents).toEqual([expect.objectContaining({ id: `${caseId}:incident:1`, effect: 'persistTransition', seq: 1 })]);
  const held = await api.call('POST', `/cases/${caseId}/events`, {
    token: amy,
    body: {
      type: 'WITHDRAW',
      data: { reason: 'r', requestedByCustomer: true, requestedAt: new Date(Date.now() - 60_000).toISOString(), requestChannel: 'phone' },
    },
  });
  expect(held.status).toBe(409);
  expect(held.body.error.code).toBe('CaseHasIncident');

  expect((await api.call('GET', '/incidents', { token: amy })).status).toBe(403);
  expect((await api.call('POST', `/cases/${caseId}/incidents/retry`, { token: amy, body: {} })).status).toBe(403);
  const listed = await api.call('GET', '/incidents', { token: api.adminToken });
  expect(listed.status).toBe(200);
  expect(listed.body.incidents.map((i: { caseId: string }) => i.caseId)).toContain(caseId);

  const cli = (...argv: string[]) =>
    runCli(['--api', api.url, '--token', api.adminToken, ...argv], {
      config: { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' },
      cwd: PROJECT_ROOT,
    });
  const table = await cli('incidents', 'list');
  expect(table.code).toBe(0);
  expect(table.out).toContain(caseId);
  expect(table.out).toContain('store transition 1 (ACCEPT)');
  expect((await cli('incidents', 'list', '--limit', 'lots')).code).toBe(2);

  // Retried before the fix: it fails again, and the CLI says so with exit 1.
  const failedAgain = await cli('incidents', 'retry', caseId, '--as', 'admin', '--json');
  expect(failedAgain.code).toBe(1);
  expect(JSON.parse(failedAgain.out).open).toEqual([expect.objectContaining({ attempts: 2 })]);

  refused.delete(caseId);
  const retried = await cli('incidents', 'retry', caseId, '--as', 'admin');
  expect({ code: retried.code, err: retried.err }).toEqual({ code: 0, err: '' });
  expect(retried.out).toContain('succeeded; the case goes on');
  expect((await cli('incidents', 'retry', caseId, '--as', 'admin')).code).toBe(2);
  const after = await api.call('GET', `/cases/${caseId}`, { token: amy });
  expect(after.body).toMatchObject({ state: 'investigating', storedSeq: 1, incidents: [] });
  expect((await api.call('GET', `/cases/${caseId}/history`, { token: amy })).body.transitions.map((t: { seq: number }) => t.seq)).toEqual([
    0, 1,
  ]);
});

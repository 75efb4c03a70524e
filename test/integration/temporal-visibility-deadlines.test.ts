/**
 * A deadline that passes shows in Temporal: the case is marked overdue (its escalation went out)
 * until it leaves the state, on the time-skipping test server as on any other (the test server
 * keeps custom search attributes too, registered when it starts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PostgresCaseQueries } from '../../adapters/postgres/case-query';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { complaintInput, createHarness, cs, skipPast, waitFor, type Harness } from '../helpers/harness';
import { recordIfAsked } from '../helpers/history-files';

let env: TestWorkflowEnvironment;
let h: Harness;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
  h = await createHarness('temporal_visibility_deadlines', { env });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

async function attributes(caseId: string): Promise<Record<string, unknown>> {
  const described = await h.client.workflow.getHandle(caseId).describe();
  return Object.fromEntries(described.typedSearchAttributes.getAll().map(({ key, value }) => [key.name, value]));
}

test('a passed deadline marks the case overdue until it moves on; the next deadline follows', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const [acceptDue] = (await h.docket.status(caseId)).deadlines;
  const started = await waitFor(
    () => attributes(caseId),
    (a) => a.DocketState === 'received',
    'the start shown',
  );
  expect(started).toMatchObject({ DocketOverdue: false, DocketStatus: 'open' });
  expect((started.DocketDueAt as Date).toISOString()).toBe(acceptDue!.dueAt);

  await skipPast(env, acceptDue!.dueAt);
  const overdue = await waitFor(
    () => attributes(caseId),
    (a) => a.DocketOverdue === true,
    'the case marked overdue',
  );
  expect(overdue).toMatchObject({ DocketState: 'received', DocketOverdue: true });
  expect(overdue.DocketDueAt).toBeUndefined(); // no deadline runs any more
  const { currentDetails } = await h.client.workflow.getHandle(caseId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  expect(currentDetails).toContain('overdue');

  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });
  const moved = await waitFor(
    () => attributes(caseId),
    (a) => a.DocketState === 'investigating',
    'the new state shown',
  );
  expect(moved).toMatchObject({ DocketOverdue: false, DocketAssignee: 'bob' });
  const next = (await h.docket.status(caseId)).deadlines.map((d) => d.dueAt).sort()[0];
  expect((moved.DocketDueAt as Date).toISOString()).toBe(next);

  // The customer asked a minute ago (on the server's skipped clock) to withdraw the complaint.
  const requestedAt = new Date((await env.currentTimeMs()) - 60_000).toISOString();
  await h.docket.send(caseId, {
    type: 'WITHDRAW',
    data: { reason: 'solved', requestedByCustomer: true, requestedAt, requestChannel: 'phone' },
    actor: cs,
  });
  const closed = await waitFor(
    () => attributes(caseId),
    (a) => a.DocketStatus === 'completed',
    'the case closed',
  );
  expect(closed).toMatchObject({ DocketState: 'withdrawn', DocketOverdue: false });
  expect(closed.DocketAssignee).toBeUndefined();
  expect(closed.DocketDueAt).toBeUndefined();
  await recordIfAsked(h.client, caseId, 'complaint-visibility');
});

test('the case row keeps what makes it overdue: the next deadline, and the escalation until the case moves on', async () => {
  const queries = new PostgresCaseQueries(h.pool);
  const row = async (caseId: string) =>
    (
      await h.pool.query<{ next_due_at: Date | null; escalated: boolean }>(
        'SELECT next_due_at, escalated FROM docket.cases WHERE case_id = $1',
        [caseId],
      )
    ).rows[0];
  const overdue = async (caseId: string) => (await queries.page({ caseId, overdue: true }, undefined, { limit: 1 })).cases.length === 1;
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const [acceptDue] = (await h.docket.status(caseId)).deadlines;
  expect(await row(caseId)).toEqual({ next_due_at: new Date(acceptDue!.dueAt), escalated: false });
  expect(await overdue(caseId)).toBe(false);

  await skipPast(env, acceptDue!.dueAt);
  await waitFor(
    () => row(caseId),
    (r) => r?.escalated === true,
    'the escalation stored',
  );
  expect(await row(caseId)).toEqual({ next_due_at: null, escalated: true });
  expect(await overdue(caseId)).toBe(true);

  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });
  const next = (await h.docket.status(caseId)).deadlines.map((d) => d.dueAt).sort()[0];
  expect(await row(caseId)).toEqual({ next_due_at: new Date(next!), escalated: false });
  expect(await overdue(caseId)).toBe(false);
});

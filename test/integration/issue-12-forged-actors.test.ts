/**
 * Actors cannot be forged below the API: anyone who can reach Temporal can send a start, an
 * Update or a signal with whatever actor they like, but without the signature of a Docket
 * client (a key shared by clients and workers, never in a history) the case refuses it and
 * nothing is stored. A signed request is good for the case it was made for only.
 */
import path from 'node:path';
import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PROJECT_ROOT } from '../../config';
import {
  migrateCaseUpdate,
  retryIncidentsUpdate,
  sendEventUpdate,
  subprocessDoneSignal,
  type CaseWorkflowInput,
} from '../../workflows/messages';
import { loadCalendar } from '../../client/setup';
import { complaintInput, createHarness, cs, type Harness } from '../helpers/harness';
import { recordIfAsked } from '../helpers/history-files';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'definitions');

let h: Harness;
/** The engine's fixture processes (sub-processes). */
let fx: Harness;
let connection: Connection;
/** Someone who reaches Temporal with its own client: no Docket key. */
let outsider: Client;

beforeAll(async () => {
  h = await createHarness('issue12_forged');
  fx = await createHarness('issue12_forged_fx', { definitionsDir: FIXTURES });
  connection = await Connection.connect({ address: h.config.temporalAddress! });
  outsider = new Client({ connection, namespace: h.config.namespace });
}, 600_000);
afterAll(async () => {
  await connection?.close();
  await h?.close();
  await fx?.close();
});

async function refusedUpdate(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

async function recordOf(harness: Harness, caseId: string) {
  return {
    events: ((await harness.client.workflow.getHandle(caseId).fetchHistory()).events ?? []).length,
    log: await harness.history(caseId),
    projection: await harness.docket.store.getCase(caseId),
  };
}
const record = (caseId: string) => recordOf(h, caseId);

test('an Update sent to Temporal with a forged actor is refused and leaves no row, no history event', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const before = await record(caseId);
  // A withdrawal at the customer's recorded request: a valid event, refused only for who claims to send it.
  const withdrawal = {
    reason: 'asked',
    requestedByCustomer: true,
    requestedAt: new Date(Date.now() - 60_000).toISOString(),
    requestChannel: 'phone',
  };
  const forged = await refusedUpdate(
    outsider.workflow.getHandle(caseId).executeUpdate(sendEventUpdate, {
      args: [
        {
          caseId,
          type: 'WITHDRAW',
          data: withdrawal,
          actor: { userId: 'forged_user', role: 'cs_agent' },
        },
      ],
    }),
  );
  expect(forged.type).toBe('Unauthenticated');
  expect(forged.message).toMatch(/no valid signature of a Docket client/);
  // Migrations and incident retries are actions too.
  expect(
    (
      await refusedUpdate(
        outsider.workflow.getHandle(caseId).executeUpdate(migrateCaseUpdate, {
          args: [{ caseId, definition: {}, definitionVersion: 9, definitionHash: 'x', actor: { userId: 'forged', role: 'process_owner' } }],
        }),
      )
    ).type,
  ).toBe('Unauthenticated');
  expect(
    (
      await refusedUpdate(
        outsider.workflow
          .getHandle(caseId)
          .executeUpdate(retryIncidentsUpdate, { args: [{ caseId, actor: { userId: 'forged', role: 'admin' } }] }),
      )
    ).type,
  ).toBe('Unauthenticated');
  expect(await record(caseId)).toEqual(before);

  // The same event through Docket's client is applied.
  const sent = await h.docket.send(caseId, { type: 'WITHDRAW', data: withdrawal, actor: cs });
  expect(sent.state).toBe('withdrawn');
  expect((await h.history(caseId)).map((r) => [r.event, r.actor.userId])).toEqual([
    ['xstate.init', 'amy'],
    ['WITHDRAW', 'amy'],
  ]);
  await recordIfAsked(h.client, caseId, 'robust-forged-update-refused');
});

test('a signed request is good for the case it was made for only', async () => {
  const { caseId: a } = await h.docket.startCase('complaint', complaintInput, cs);
  const { caseId: b } = await h.docket.startCase('complaint', complaintInput, cs);
  const before = await record(b);
  // Signed by a Docket client, but made for case a: sent to case b it is refused.
  const moved = await refusedUpdate(
    h.client.workflow.getHandle(b).executeUpdate(sendEventUpdate, {
      args: [{ caseId: a, type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs }],
    }),
  );
  expect(moved.type).toBe('Unauthenticated');
  expect(moved.message).toContain(`was made for case "${a}"`);
  expect(await record(b)).toEqual(before);
});

test('a case started on Temporal directly fails at once as Unauthenticated and stores nothing', async () => {
  const published = await h.definitions.latest('complaint');
  const workflowId = `complaint-forged-${Date.now()}`;
  const input: CaseWorkflowInput = {
    caseId: workflowId,
    definition: published!.raw,
    definitionVersion: published!.version,
    definitionHash: published!.hash,
    calendar: await loadCalendar(h.config),
    input: complaintInput,
    startedBy: { userId: 'forged_user', role: 'cs_agent' },
    requestId: null,
  };
  const handle = await outsider.workflow.start('caseWorkflow', { workflowId, taskQueue: h.taskQueue, args: [input] });
  const err: unknown = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'Unauthenticated' });
  expect(await h.docket.store.getCase(workflowId)).toBeNull();
  expect(await h.history(workflowId).catch(() => [])).toEqual([]);

  // The same start signed by Docket's client, but for another case id, fails too.
  const otherId = `complaint-moved-${Date.now()}`;
  const moved = await h.client.workflow.start('caseWorkflow', { workflowId: otherId, taskQueue: h.taskQueue, args: [input] });
  const movedErr: unknown = await moved.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((movedErr as WorkflowFailedError).cause).toMatchObject({ type: 'Unauthenticated' });
  expect(await h.docket.store.getCase(otherId)).toBeNull();
});

test("a forged sub-process report is ignored: the parent waits for its sub-processes' own", async () => {
  const rep = { userId: 'rita', role: 'sales_rep' };
  const { caseId } = await fx.docket.startCase(
    'order_review',
    { customer: 'cust-forge', parts: ['frame'], amount: 1000, standard: true },
    rep,
  );
  let status = await fx.docket.status(caseId);
  for (let i = 0; i < 100 && !(status.state === 'working' && status.children.length === 1 && status.storedSeq === status.seq); i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await fx.docket.status(caseId);
  }
  expect(status.state).toBe('working');
  const child = status.children[0]!;
  const before = await recordOf(fx, caseId);
  await outsider.workflow.getHandle(caseId).signal(subprocessDoneSignal, {
    invokeId: child.invokeId,
    key: child.key,
    caseId: child.caseId,
    state: 'done',
    context: { forged: true },
  });
  // The signal is in the history, but the case did not move: its sub-process is still open.
  await new Promise((r) => setTimeout(r, 1_000));
  const after = await fx.docket.status(caseId);
  expect(after.state).toBe('working');
  expect(after.children).toEqual([expect.objectContaining({ caseId: child.caseId, status: 'open' })]);
  expect((await fx.history(caseId)).length).toBe(before.log.length);
});

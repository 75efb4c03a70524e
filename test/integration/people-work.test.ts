import path from 'node:path';
import { DocketError } from '../../client/docket-client';
import { PROJECT_ROOT } from '../../config';
import type { Actor, CaseProjection, TransitionRecord } from '../../engine/types';
import type { CaseStore } from '../../ports';
import { createHarness, type Harness } from '../helpers/harness';
import { withAppend } from '../helpers/refusing-store';
import { WORK_PEOPLE } from '../helpers/work-case';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'definitions');
const { agent, h1, h2, boss, m1, gm, legal } = WORK_PEOPLE;

/** What the worker handed the store: every record and projection, as the store activity received them. */
const stored: Array<{ record: TransitionRecord; projection: CaseProjection }> = [];
const recordingStore = (store: CaseStore): CaseStore =>
  withAppend(store, async (record, projection, options) => {
    const appended = await store.appendTransition(record, projection, options);
    stored.push({ record, projection });
    return appended;
  });

let h: Harness;
beforeAll(async () => {
  h = await createHarness('people_work', { definitionsDir: FIXTURES, wrapStore: recordingStore });
}, 300_000);
afterAll(async () => {
  await h?.close();
});

async function refused(p: Promise<unknown>): Promise<DocketError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocketError);
  return err as DocketError;
}

test('a case driven through every task operation on the real runtime, each a row with its actor and comment', async () => {
  const { caseId } = await h.docket.startCase('work_review', { customer: 'cust-work-1', approvers: [{ user: 'max' }, 'gm'] }, agent);
  const send = (type: string, data: Record<string, unknown>, actor: Actor) => h.docket.send(caseId, { type, data, actor });

  await send('task.claim', { comment: 'taking it' }, h1);
  await send('LOG_CONTACT', { note: 'called the customer' }, h1);
  await send('task.transfer', { to: 'hui', comment: 'hui knows this customer' }, h1);

  // Only the assignee: refused in the validator, nothing changes.
  const before = await h.docket.status(caseId);
  const rowsBefore = await h.history(caseId);
  const notAssignee = await refused(send('SUBMIT_FINDINGS', { findings: 'x' }, h1));
  expect(notAssignee.code).toBe('NotAssignee');
  expect(notAssignee.message).toContain('user "hui"');
  const after = await h.docket.status(caseId);
  expect(after.seq).toBe(before.seq);
  expect(await h.history(caseId)).toEqual(rowsBefore);

  await send('SUBMIT_FINDINGS', { findings: 'a cracked housing' }, h2);
  expect((await refused(send('APPROVE', {}, gm))).code).toBe('NotYourTurn');
  await send('task.addApprover', { approver: { user: 'lei' }, position: 'before', comment: 'legal should look first' }, m1);
  await send('task.addApprover', { approver: { role: 'service_manager' }, position: 'parallel', comment: 'and service' }, legal);
  await send('APPROVE', { comment: 'fine by legal' }, legal);
  await send('APPROVE', {}, boss);
  await send('task.addApprover', { approver: { user: 'zed' }, position: 'after', comment: 'zed signs after me' }, m1);
  await send('task.return', { to: 'investigating', comment: 'add the serial number' }, m1);
  expect((await h.docket.status(caseId)).state).toBe('investigating');

  await send('task.remind', { comment: 'the customer is waiting' }, agent);
  const soon = await refused(send('task.remind', {}, agent));
  expect(soon.code).toBe('TooSoon');
  await send('task.cc', { users: ['zoe'], comment: 'for your information' }, agent);
  await send('task.withdraw', { comment: 'the customer withdrew the complaint' }, agent);
  expect((await h.docket.status(caseId)).status).toBe('completed');

  const log = await h.history(caseId);
  expect(log.map((r) => [r.seq, r.event, r.actor.userId, r.toState, (r.payload as { comment?: string }).comment ?? null])).toEqual([
    [0, 'xstate.init', 'ann', 'investigating', null],
    [1, 'task.claim', 'hal', 'investigating', 'taking it'],
    [2, 'LOG_CONTACT', 'hal', 'investigating', null],
    [3, 'task.transfer', 'hal', 'investigating', 'hui knows this customer'],
    [4, 'SUBMIT_FINDINGS', 'hui', 'approving', null],
    [5, 'task.addApprover', 'max', 'approving', 'legal should look first'],
    [6, 'task.addApprover', 'lei', 'approving', 'and service'],
    [7, 'APPROVE', 'lei', 'approving', 'fine by legal'],
    [8, 'APPROVE', 'sam', 'approving', null],
    [9, 'task.addApprover', 'max', 'approving', 'zed signs after me'],
    [10, 'task.return', 'max', 'investigating', 'add the serial number'],
    [11, 'task.remind', 'ann', 'investigating', 'the customer is waiting'],
    [12, 'task.cc', 'ann', 'investigating', 'for your information'],
    [13, 'task.withdraw', 'ann', 'withdrawn', 'the customer withdrew the complaint'],
  ]);

  // Every record and the case row carry what the case waits on.
  const mine = stored.filter((s) => s.record.caseId === caseId);
  expect(mine.map((s) => s.record.seq)).toEqual(log.map((r) => r.seq));
  expect(mine[3]!.record.work?.tasks).toEqual([expect.objectContaining({ state: 'investigating', assignee: 'hui' })]);
  expect(mine[9]!.projection.work?.tasks[0]?.approval?.steps.map((s) => s.members)).toEqual([
    [{ user: 'lei' }, { role: 'service_manager' }],
    [{ user: 'max' }],
    [{ user: 'zed' }],
    [{ role: 'gm' }],
  ]);
  expect(mine[12]!.record.work).toMatchObject({ initiator: 'ann', cc: ['zoe'] });
  expect(mine[13]!.record.work).toEqual({ tasks: [], initiator: 'ann', cc: ['zoe'] });

  const outbox = await h.outbox(caseId);
  expect(outbox.map((n) => [n.kind, n.template, n.recipients])).toEqual([
    ['reminder', 'taskReminder', [{ userId: 'hui' }]],
    ['info', 'taskCc', [{ userId: 'zoe' }]],
  ]);
}, 120_000);

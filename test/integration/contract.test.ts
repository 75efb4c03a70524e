import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Actor } from '../../engine/types';
import type { CaseStatusView } from '../../workflows/messages';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { createHarness, quietHistory, skipPast, waitFor, type Harness } from '../helpers/harness';

let env: TestWorkflowEnvironment;
/** On the time-skipping server, for deadlines. */
let h: Harness;
/** On the dev server: the time-skipping server writes a workflow task to history even for a rejected Update. */
let live: Harness;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
  h = await createHarness('contract', { env });
  live = await createHarness('contract_refusals');
}, 600_000);
afterAll(async () => {
  await h?.close();
  await live?.close();
  await env?.teardown();
});

const MINUTE = 60_000;
const DAY = 86_400_000;
const SYSTEM = { userId: 'system', role: 'system' };

const rep: Actor = { userId: 'ray', role: 'sales_rep' };
const manager: Actor = { userId: 'mia', role: 'sales_manager' };
const gm: Actor = { userId: 'gao', role: 'gm' };
const hq: Actor = { userId: 'hua', role: 'hq' };
const legal: Actor = { userId: 'lin', role: 'legal' };
const schedule: Actor = { userId: 'sun', role: 'schedule_admin' };
const admin: Actor = { userId: 'ada', role: 'contract_admin' };

const contractInput = {
  customer: 'CUST-3001',
  contractType: 'framework',
  standard: true,
  amount: 300000,
  discountRate: 0.15,
  adSlots: [
    { position: 'Home page banner', start: '2030-04-01', end: '2030-06-30' },
    { position: 'City map pin', start: '2030-04-15', end: '2030-12-31' },
  ],
  placementStart: '2030-04-01',
};

const signing = {
  bothPartiesSigned: true,
  crossPageSeal: true,
  signedAt: '2030-03-20',
  signatories: [
    { party: 'customer', name: 'Wang Wei', title: 'Marketing director' },
    { party: 'company', name: 'Li Na', title: 'Branch manager' },
  ],
};

/** Starts a contract and submits it; the compliance check runs as an activity, so the case reaches its next state a moment later. */
async function submitted(on: Harness, input: Record<string, unknown>, expected: 'approval' | 'draft'): Promise<string> {
  const { caseId, state } = await on.docket.startCase('contract', input, rep);
  expect(state).toBe('draft');
  expect((await on.docket.send(caseId, { type: 'SUBMIT', data: {}, actor: rep })).state).toBe('compliance');
  await waitFor(
    () => on.docket.status(caseId),
    (s) => s.state === expected && s.storedSeq === s.seq,
    `the compliance check to route the case to ${expected}`,
  );
  return caseId;
}

async function approveAll(on: Harness, caseId: string, approvers: Actor[], last: string) {
  for (const [i, approver] of approvers.entries()) {
    const sent = await on.docket.send(caseId, { type: 'APPROVE', data: { comment: `approved by ${approver.userId}` }, actor: approver });
    expect(sent.state).toBe(i === approvers.length - 1 ? last : (await on.docket.status(caseId)).state);
  }
}

/** A contract of `contractInput` (sales_manager, gm) approved, signed, sealed and archived. */
async function activeContract(on: Harness): Promise<string> {
  const caseId = await submitted(on, contractInput, 'approval');
  await approveAll(on, caseId, [manager, gm], 'signing');
  expect((await on.docket.send(caseId, { type: 'SIGNED', data: signing, actor: rep })).state).toBe('hqSealing');
  expect((await on.docket.send(caseId, { type: 'SEALED', data: {}, actor: hq })).state).toBe('archiving');
  expect((await on.docket.send(caseId, { type: 'ARCHIVED', data: { scanRef: 'scan://contracts/3001.pdf' }, actor: admin })).state).toBe(
    'active',
  );
  return caseId;
}

const rows = (log: Array<{ event: string; fromState: string | null; toState: string }>) =>
  log.map((r) => [r.event, r.fromState, r.toState]);

/** The approvers still to decide in the case's approval step, in turn: the current level first (roles, or users' ids). */
function pendingApprovers(status: CaseStatusView): string[] {
  const approval = status.work?.tasks.find((t) => t.approval !== undefined)?.approval;
  if (approval === undefined) return [];
  return approval.steps
    .slice(approval.current)
    .flatMap((step) => step.members.filter((m) => !step.approved.some((d) => ('role' in m ? d.role === m.role : d.userId === m.user))))
    .map((m) => ('role' in m ? m.role : m.user));
}

test('a non-standard contract of 1,200,000 CNY: sales_manager, gm, hq and legal approve in turn, then signing, sealing, archiving, in force, complete', async () => {
  const caseId = await submitted(h, { ...contractInput, amount: 1200000, standard: false }, 'approval');
  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({
    nonStandard: true,
    compliancePassed: true,
    approvalChain: ['sales_manager', 'gm', 'hq', 'legal'],
  });
  expect(pendingApprovers(status)).toEqual(['sales_manager', 'gm', 'hq', 'legal']);
  expect(status.deadlines.map((d) => d.delay).sort()).toEqual(['approvalEscalation', 'approvalReminder']);
  expect((await h.docket.status(caseId, manager.role)).allowedEvents).toEqual(expect.arrayContaining(['APPROVE', 'REJECT']));

  await approveAll(h, caseId, [manager, gm, hq, legal], 'signing');
  const approved = await h.docket.status(caseId);
  expect(approved.deadlines).toEqual([]);
  expect(approved.context).toMatchObject({ nonStandard: true });
  expect(typeof approved.context.approvedAt === 'string' && !Number.isNaN(Date.parse(approved.context.approvedAt))).toBe(true);
  // Each level's approval is a row of the log: who approved, in which role, with their comment and when.
  const approvals = (await h.history(caseId)).filter((r) => r.event === 'APPROVE');
  expect(approvals.map((a) => [a.actor.role, a.actor.userId, a.payload.comment])).toEqual([
    ['sales_manager', 'mia', 'approved by mia'],
    ['gm', 'gao', 'approved by gao'],
    ['hq', 'hua', 'approved by hua'],
    ['legal', 'lin', 'approved by lin'],
  ]);
  expect(approvals.every((a) => typeof a.at === 'string' && !Number.isNaN(Date.parse(a.at)))).toBe(true);

  expect((await h.docket.send(caseId, { type: 'SIGNED', data: signing, actor: rep })).state).toBe('hqSealing');
  expect((await h.docket.send(caseId, { type: 'SEALED', data: {}, actor: hq })).state).toBe('archiving');
  expect((await h.docket.send(caseId, { type: 'ARCHIVED', data: { scanRef: 'scan://contracts/3001.pdf' }, actor: admin })).state).toBe(
    'active',
  );
  expect((await h.docket.status(caseId)).context).toMatchObject({
    countedInPerformance: true,
    performanceRep: 'ray',
    performanceAmount: 1200000,
    scanRef: 'scan://contracts/3001.pdf',
    signatories: signing.signatories,
  });
  const done = await h.docket.send(caseId, { type: 'COMPLETE', data: {}, actor: admin });
  expect(done).toMatchObject({ state: 'closed', status: 'completed' });

  const log = await h.history(caseId);
  expect(rows(log)).toEqual([
    ['xstate.init', null, 'draft'],
    ['SUBMIT', 'draft', 'compliance'],
    ['done:complianceCheck', 'compliance', 'approval'],
    ['APPROVE', 'approval', 'approval'],
    ['APPROVE', 'approval', 'approval'],
    ['APPROVE', 'approval', 'approval'],
    ['APPROVE', 'approval', 'signing'],
    ['SIGNED', 'signing', 'hqSealing'],
    ['SEALED', 'hqSealing', 'archiving'],
    ['ARCHIVED', 'archiving', 'active'],
    ['COMPLETE', 'active', 'closed'],
  ]);
  expect(log[2]).toMatchObject({ event: 'done:complianceCheck', actor: SYSTEM, payload: { passed: true, violations: [] } });
  expect(log.slice(3, 7).map((r) => r.actor)).toEqual([manager, gm, hq, legal]);
  expect(log.at(-1)).toMatchObject({ status: 'completed', actor: admin });
  expect(await h.docket.store.getCase(caseId)).toMatchObject({ state: 'closed', status: 'completed' });

  const outbox = await waitFor(
    () => h.outbox(caseId),
    (r) => r.some((x) => x.template === 'contractArchived'),
    'the notifications',
  );
  // Version 2 tells the first level when the contract enters approval, and each later level when the turn comes to it.
  expect(outbox.map((r) => [r.template, r.recipients])).toEqual([
    ['approvalTurn', [{ role: 'sales_manager' }]],
    ['taskTurn', [{ role: 'gm' }]],
    ['taskTurn', [{ role: 'hq' }]],
    ['taskTurn', [{ role: 'legal' }]],
    ['contractApproved', [{ role: 'sales_rep', userId: 'ray' }]],
    ['contractArchived', [{ role: 'sales_rep', userId: 'ray' }]],
  ]);
});

test('a failed compliance check lists every violation and returns the draft; fixed and resubmitted, it passes', async () => {
  const bad = {
    ...contractInput,
    amount: 5000,
    discountRate: 0.45,
    adSlots: [{ position: 'Sidebar', start: '2030-03-01', end: '2030-02-01' }],
  };
  const caseId = await submitted(h, bad, 'draft');
  const failed = await h.docket.status(caseId);
  const rules = ['discountWithinPolicy', 'amountAtLeastMinimum', 'adSlotsFromPlacementStart', 'adSlotsEndAfterStart'];
  expect((failed.context.violations as Array<{ rule: string }>).map((v) => v.rule)).toEqual(rules);
  expect(failed.context.violations).toContainEqual({
    rule: 'discountWithinPolicy',
    labels: { en: 'the discount rate 0.45 is above the policy maximum 0.3', 'zh-CN': '折扣率 0.45 超过政策上限 0.3' },
  });
  const log = await h.history(caseId);
  expect(rows(log)).toEqual([
    ['xstate.init', null, 'draft'],
    ['SUBMIT', 'draft', 'compliance'],
    ['done:complianceCheck', 'compliance', 'draft'],
  ]);
  expect(log[2]!.actor).toEqual(SYSTEM);
  expect(log[2]!.payload).toMatchObject({ passed: false });
  expect((log[2]!.payload.violations as Array<{ rule: string }>).map((v) => v.rule)).toEqual(rules);
  const told = await waitFor(
    () => h.outbox(caseId),
    (r) => r.length > 0,
    'the violations notice',
  );
  expect(told).toEqual([expect.objectContaining({ template: 'complianceFailed', recipients: [{ role: 'sales_rep', userId: 'ray' }] })]);

  const terms = {
    standard: true,
    amount: 80000,
    discountRate: 0.2,
    adSlots: [{ position: 'Sidebar', start: '2030-04-01', end: '2030-05-01' }],
    placementStart: '2030-04-01',
  };
  expect((await h.docket.send(caseId, { type: 'UPDATE_DRAFT', data: terms, actor: rep })).state).toBe('draft');
  expect((await h.docket.send(caseId, { type: 'SUBMIT', data: {}, actor: rep })).state).toBe('compliance');
  const passed = await waitFor(
    () => h.docket.status(caseId),
    (s) => s.state === 'approval' && s.storedSeq === s.seq,
    'the second check',
  );
  expect(passed.context).toMatchObject({
    ...terms,
    violations: [],
    compliancePassed: true,
    submissions: 2,
  });
  expect(pendingApprovers(passed)).toEqual(['sales_manager']);
  const again = await h.history(caseId);
  expect(rows(again.slice(3))).toEqual([
    ['UPDATE_DRAFT', 'draft', 'draft'],
    ['SUBMIT', 'draft', 'compliance'],
    ['done:complianceCheck', 'compliance', 'approval'],
  ]);
  expect(again.at(-1)!.payload).toEqual({ passed: true, violations: [] });
});

test('early placement whose contract is not back within a month: reminders 14 and 3 days before, escalation to sales_manager and hq, case overdue', async () => {
  const caseId = await submitted(h, contractInput, 'approval');
  await h.docket.send(caseId, {
    type: 'REQUEST_EARLY_PLACEMENT',
    data: { a3SignedByCustomer: true, reason: 'Spring campaign' },
    actor: rep,
  });
  await h.docket.send(caseId, { type: 'A3_RECEIVED', data: {}, actor: schedule });
  await h.docket.send(caseId, { type: 'SIGN_OFF_EARLY_PLACEMENT', data: { comment: 'ok' }, actor: manager });
  await h.docket.send(caseId, { type: 'SIGN_OFF_EARLY_PLACEMENT', data: {}, actor: gm });
  const approvedAt = await env.currentTimeMs();
  expect((await h.docket.send(caseId, { type: 'EARLY_PLACEMENT_APPROVED', data: {}, actor: hq })).state).toBe('approval');

  const { context, deadlines } = await h.docket.status(caseId);
  expect(context.earlyPlacementStatus).toBe('approved');
  const formsDueBy = context.formsDueBy as string;
  // One calendar month after the approval (Asia/Shanghai wall clock; 28–31 days).
  const month = Date.parse(formsDueBy) - approvedAt;
  expect(month).toBeGreaterThanOrEqual(28 * DAY - MINUTE);
  expect(month).toBeLessThanOrEqual(31 * DAY + MINUTE);
  const due = Object.fromEntries(deadlines.map((d) => [d.delay, d.dueAt]));
  expect(due).toMatchObject({
    formsFirstReminder: new Date(Date.parse(formsDueBy) - 14 * DAY).toISOString(),
    formsLastReminder: new Date(Date.parse(formsDueBy) - 3 * DAY).toISOString(),
    formsDue: formsDueBy,
  });

  // The contract is approved and goes to signing meanwhile; the forms deadlines stay armed.
  await approveAll(h, caseId, [manager, gm], 'signing');
  expect((await h.docket.status(caseId)).deadlines.map((d) => d.delay).sort()).toEqual([
    'formsDue',
    'formsFirstReminder',
    'formsLastReminder',
  ]);
  // Notifications follow their row: the approval's notice may land a moment after the approval answered.
  const before = (
    await waitFor(
      () => h.outbox(caseId),
      (r) => r.some((x) => x.template === 'contractApproved'),
      'the approval notice',
    )
  ).length;

  await skipPast(env, formsDueBy);
  const outbox = await waitFor(
    () => h.outbox(caseId),
    (r) => r.some((x) => x.template === 'formsOverdue'),
    'the escalation',
  );
  expect(outbox.slice(before).map((r) => [r.kind, r.template, r.recipients])).toEqual([
    ['reminder', 'formsDueIn14Days', [{ role: 'sales_rep', userId: 'ray' }, { role: 'contract_admin' }]],
    ['reminder', 'formsDueIn3Days', [{ role: 'sales_rep', userId: 'ray' }, { role: 'contract_admin' }]],
    ['escalation', 'formsOverdue', [{ role: 'sales_manager' }, { role: 'hq' }]],
  ]);
  const status = await h.docket.status(caseId);
  expect(status.state).toBe('signing'); // a deadline never silently moves the case
  expect(status.context).toMatchObject({ overdue: true, earlyPlacementStatus: 'approved' });
  expect(status.deadlines).toEqual([]);
  expect((await h.docket.store.getCase(caseId))?.context).toMatchObject({ overdue: true });
  const timerRows = (await h.history(caseId)).filter((r) => r.event.startsWith('timer:'));
  expect(timerRows.map((r) => [r.event, r.fromState, r.toState])).toEqual([
    ['timer:formsFirstReminder', 'signing', 'signing'],
    ['timer:formsLastReminder', 'signing', 'signing'],
    ['timer:formsDue', 'signing', 'signing'],
  ]);
  expect(timerRows.every((r) => r.actor.userId === 'system')).toBe(true);

  // The forms come back late: recorded, and the case says they were late.
  const returned = await h.docket.send(caseId, {
    type: 'FORMS_RETURNED',
    data: { a1: 'A1-3001', a2: 'A2-3001', a3: 'A3-3001' },
    actor: admin,
  });
  expect(returned.state).toBe('signing');
  expect((await h.docket.status(caseId)).context).toMatchObject({
    earlyPlacementStatus: 'formsReturned',
    formA1: 'A1-3001',
    formsReturnedLate: true,
    overdue: false,
  });
});

test('forms returned in time cancel the reminders', async () => {
  const caseId = await submitted(h, { ...contractInput, amount: 50000 }, 'approval');
  await h.docket.send(caseId, { type: 'REQUEST_EARLY_PLACEMENT', data: { a3SignedByCustomer: true }, actor: rep });
  await h.docket.send(caseId, { type: 'A3_RECEIVED', data: {}, actor: schedule });
  await h.docket.send(caseId, { type: 'SIGN_OFF_EARLY_PLACEMENT', data: {}, actor: manager });
  await h.docket.send(caseId, { type: 'EARLY_PLACEMENT_APPROVED', data: {}, actor: hq });
  const formsDueBy = (await h.docket.status(caseId)).context.formsDueBy as string;
  await h.docket.send(caseId, { type: 'FORMS_RETURNED', data: { a1: 'A1-9', a2: 'A2-9', a3: 'A3-9' }, actor: admin });
  expect((await h.docket.status(caseId)).deadlines.map((d) => d.delay).sort()).toEqual(['approvalEscalation', 'approvalReminder']);
  await approveAll(h, caseId, [manager], 'signing');
  await skipPast(env, formsDueBy);
  await new Promise((r) => setTimeout(r, 500));
  expect((await h.history(caseId)).filter((r) => r.event.startsWith('timer:'))).toEqual([]);
  expect((await h.outbox(caseId)).map((r) => r.template)).not.toEqual(expect.arrayContaining(['formsDueIn14Days']));
  expect((await h.docket.status(caseId)).context.overdue).toBe(false);
});

describe('refused events change nothing', () => {
  async function snapshotOf(id: string) {
    const events = (await live.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    return {
      events: events.length,
      log: await live.history(id),
      status: await live.docket.status(id),
      projection: await live.docket.store.getCase(id),
      outbox: await live.outbox(id),
    };
  }

  /**
   * Waits until the case's last row and its notifications are stored and its workflow history is quiet,
   * so a before/after comparison is fair.
   */
  async function settled(id: string, notifications: number) {
    await waitFor(
      () => Promise.all([live.docket.status(id), live.outbox(id)]),
      ([s, o]) => s.storedSeq === s.seq && o.length === notifications,
      'the case to settle',
    );
    await quietHistory(live, id);
  }

  async function refused(caseId: string, request: Parameters<Harness['docket']['send']>[1], code: string, message: RegExp) {
    const before = await snapshotOf(caseId);
    const error = await live.docket.send(caseId, request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code, refusal: true });
    expect((error as Error).message).toMatch(message);
    expect(await snapshotOf(caseId)).toEqual(before);
  }

  test('a retroactive change is refused with a clear error; a future-dated change is approved by the chain', async () => {
    const caseId = await activeContract(live);
    await settled(caseId, 4); // approvalTurn, taskTurn (gm), contractApproved, contractArchived
    const changes = { summary: 'Move the banner to the product page', amount: 320000 };
    for (const effectiveDate of [new Date(Date.now() - 3 * DAY).toISOString(), new Date(Date.now() - MINUTE).toISOString()]) {
      await refused(
        caseId,
        { type: 'REQUEST_CHANGE', data: { changes, effectiveDate }, actor: rep },
        'ConditionNotMet',
        /^REQUEST_CHANGE cannot be applied in state "active": the effective date must be in the future: a change is approved before it happens, never after/,
      );
    }
    const after = await live.docket.status(caseId);
    expect(after.state).toBe('active');
    expect(after.context).toMatchObject({ amendments: [], pendingChanges: null, amount: 300000 });
    const approvedAt = after.context.approvedAt;

    const effectiveDate = new Date(Date.now() + 10 * DAY).toISOString();
    expect((await live.docket.send(caseId, { type: 'REQUEST_CHANGE', data: { changes, effectiveDate }, actor: rep })).state).toBe(
      'changeApproval',
    );
    // The chain of the changed amount (320,000 CNY: sales_manager, then gm).
    const requested = await live.docket.status(caseId);
    expect(requested.context.changeApprovalChain).toEqual(['sales_manager', 'gm']);
    expect(pendingApprovers(requested)).toEqual(['sales_manager', 'gm']);
    await settled(caseId, 5); // changeApprovalTurn
    await refused(
      caseId,
      { type: 'APPROVE', data: {}, actor: gm },
      'NotYourTurn',
      /^APPROVE in "changeApproval" is for the approvers whose turn it is: role sales_manager/,
    );
    await approveAll(live, caseId, [manager, gm], 'active');
    const amended = await live.docket.status(caseId);
    expect(amended.context.amendments).toEqual([
      expect.objectContaining({
        changes,
        effectiveDate,
        requestedBy: 'ray',
        previousAmount: 300000,
        amount: 320000,
        approvalChain: ['sales_manager', 'gm'],
      }),
    ]);
    // The approved change is now the contract's amount; the contract's own approval is kept as it was.
    expect(amended.context).toMatchObject({ amount: 320000, approvedAt });
    const log = await live.history(caseId);
    expect(rows(log.slice(-3))).toEqual([
      ['REQUEST_CHANGE', 'active', 'changeApproval'],
      ['APPROVE', 'changeApproval', 'changeApproval'],
      ['APPROVE', 'changeApproval', 'active'],
    ]);
    expect(log.slice(-2).map((r) => r.actor)).toEqual([manager, gm]);
    expect(log.filter((r) => r.event === 'REQUEST_CHANGE')).toHaveLength(1);
  });

  test('a rejected change leaves the contract unchanged', async () => {
    const caseId = await activeContract(live);
    const changes = { summary: 'Double the map pins', discountRate: 0.35 };
    await live.docket.send(caseId, {
      type: 'REQUEST_CHANGE',
      data: { changes, effectiveDate: new Date(Date.now() + 5 * DAY).toISOString() },
      actor: rep,
    });
    const rejected = await live.docket.send(caseId, { type: 'REJECT', data: { reason: 'Above the discount policy' }, actor: manager });
    expect(rejected.state).toBe('active');
    const { context } = await live.docket.status(caseId);
    expect(context).toMatchObject({ amendments: [], discountRate: 0.15, pendingChanges: null });
    expect(context.changeRejections).toEqual([
      expect.objectContaining({ changes, reason: 'Above the discount policy', role: 'sales_manager' }),
    ]);
  });

  test('an APPROVE by a role whose turn it is not, or by a role that never approves, is refused and changes nothing', async () => {
    const caseId = await submitted(live, { ...contractInput, amount: 1200000, standard: false }, 'approval');
    await settled(caseId, 1);
    await refused(
      caseId,
      { type: 'APPROVE', data: { comment: 'looks fine' }, actor: gm },
      'NotYourTurn',
      /^APPROVE in "approval" is for the approvers whose turn it is: role sales_manager/,
    );
    await refused(
      caseId,
      { type: 'REJECT', data: { reason: 'no' }, actor: legal },
      'NotYourTurn',
      /^REJECT in "approval" is for the approvers whose turn it is: role sales_manager/,
    );
    await refused(
      caseId,
      { type: 'APPROVE', data: {}, actor: rep },
      'Forbidden',
      /role "sales_rep" may not send APPROVE; it is for sales_manager, gm, hq, legal/,
    );
    await refused(caseId, { type: 'SIGNED', data: signing, actor: rep }, 'NotAllowedInState', /SIGNED is not allowed in state "approval"/);
    // The one whose turn it is goes on; then gm's turn has come.
    expect((await live.docket.send(caseId, { type: 'APPROVE', data: {}, actor: manager })).state).toBe('approval');
    await settled(caseId, 2); // approvalTurn, taskTurn (gm)
    await refused(caseId, { type: 'APPROVE', data: {}, actor: hq }, 'NotYourTurn', /is for the approvers whose turn it is: role gm/);
    expect((await live.docket.send(caseId, { type: 'APPROVE', data: {}, actor: gm })).state).toBe('approval');
    expect(pendingApprovers(await live.docket.status(caseId))).toEqual(['hq', 'legal']);
  });

  test('incomplete signing and an early placement without the customer-signed A3 are refused', async () => {
    const caseId = await submitted(live, contractInput, 'approval');
    await settled(caseId, 1);
    await refused(
      caseId,
      { type: 'REQUEST_EARLY_PLACEMENT', data: { a3SignedByCustomer: false }, actor: rep },
      'ValidationError',
      /a3SignedByCustomer/,
    );
    await refused(
      caseId,
      { type: 'A3_RECEIVED', data: {}, actor: schedule },
      'ConditionNotMet',
      /only after early placement has been requested/,
    );
    await approveAll(live, caseId, [manager, gm], 'signing');
    await settled(caseId, 3); // approvalTurn, taskTurn (gm), contractApproved
    await refused(
      caseId,
      { type: 'SIGNED', data: { ...signing, crossPageSeal: false }, actor: rep },
      'ConditionNotMet',
      /both parties must have signed, the cross-page seal must be on/,
    );
  });
});

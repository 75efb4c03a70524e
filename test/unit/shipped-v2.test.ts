/**
 * Version 2 of the complaint and contract definitions (issues 15 and 16): the complaint's handler is
 * its assignee and a costly resolution waits on an approval step; a withdrawal needs the customer's
 * own request; the contract's levels approve in sequence as an approval step, the rep may withdraw
 * before signing, the forms come back in the normal course, and an approved change updates the
 * terms. And open version-1 cases in a typical state migrate to version 2 and go on.
 */
import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, DONE_PREFIX } from '../../engine/compile';
import { definitionSchema } from '../../engine/definition-schema';
import { assertValidDefinition } from '../../engine/lint';
import { migrationStep, planMigration } from '../../engine/migration-plan';
import { startCase, step } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { evaluateTask } from '../../engine/tasks';
import type { Actor } from '../../engine/types';
import { workView } from '../../engine/work';
import { complaintShipped, complaintV1, contractV1, contractV2 } from '../helpers/definition-fixtures';
import { WorkCase } from '../helpers/work-case';

const cn = validateCalendar(cnJson);
const complaint = compileDefinition(assertValidDefinition(complaintShipped(), 'definitions/complaint.json'), cn);
const contract = compileDefinition(assertValidDefinition(contractV2(), 'definitions/contract.json'), cn);

/** Monday 2 March 2026, 10:00 in Shanghai. */
const MON = Date.parse('2026-03-02T10:00:00+08:00');
const DAY = 86_400_000;

const amy: Actor = { userId: 'amy', role: 'cs_agent' };
const bob: Actor = { userId: 'bob', role: 'handler' };
const carol: Actor = { userId: 'carol', role: 'handler' };
const max: Actor = { userId: 'max', role: 'service_manager' };
const ray: Actor = { userId: 'ray', role: 'sales_rep' };
const as = (role: string, userId = `u-${role}`): Actor => ({ userId, role });

const complaintInput = {
  customer: 'CUST-1001',
  contact: 'Ms Li',
  channel: 'phone',
  content: 'The delivered cabinet has a cracked door.',
  category: 'product_quality',
  severity: 'high',
};

/** A complaint accepted by amy and assigned to bob. */
function assignedComplaint(): WorkCase {
  const c = new WorkCase(complaint, complaintInput, amy.userId, MON);
  c.ok('ACCEPT', { department: 'after_sales', assignee: 'bob' }, amy);
  return c;
}

const taskIn = (c: WorkCase, state: string) => workView(c.compiled, c.snapshot).tasks.find((t) => t.state === state);

describe('complaint v2', () => {
  test('the handler named at ACCEPT must be a handler (x-user), and is the assignee of every step they work', () => {
    const assignee = complaint.definition.events.ACCEPT!.payload as { properties: Record<string, Record<string, unknown>> };
    expect(assignee.properties.assignee!['x-user']).toEqual({ roles: ['handler'] });
    const c = assignedComplaint();
    expect(taskIn(c, 'investigating')).toMatchObject({
      assignee: 'bob',
      assigneeOnly: true,
      candidates: { roles: ['handler'], users: [] },
    });
    expect(taskIn(c, 'investigating')!.operations).toEqual(expect.arrayContaining(['task.transfer', 'task.reassign', 'task.remind']));
    // Another handler may not work bob's case; a cs_agent may still log a contact.
    expect(c.send('SUBMIT_FINDINGS', { findings: 'x', customerExpectation: 'y' }, carol)?.code).toBe('NotAssignee');
    c.ok('LOG_CONTACT', { channel: 'phone', summary: 'Told the customer it is in hand.' }, amy);
    // A service manager reassigns; then carol works it.
    c.ok('task.reassign', { to: 'carol', comment: 'bob is on leave' }, max);
    expect(c.send('SUBMIT_FINDINGS', { findings: 'x', customerExpectation: 'y' }, bob)?.code).toBe('NotAssignee');
    c.ok('SUBMIT_FINDINGS', { findings: 'Cracked in transit.', customerExpectation: 'A new door.' }, carol);
    expect(taskIn(c, 'planning')).toMatchObject({ assignee: 'carol', assigneeOnly: true });
  });

  test('a compensation above the limit waits on any service manager; an approver may return it to planning', () => {
    const c = assignedComplaint();
    c.ok('SUBMIT_FINDINGS', { findings: 'Cracked in transit.', customerExpectation: 'A new cabinet.' }, bob);
    c.ok('PROPOSE_RESOLUTION', { proposal: 'Replace the cabinet.', compensationAmount: 9000 }, bob);
    expect(c.last.state).toBe('awaitingApproval');
    expect(taskIn(c, 'awaitingApproval')!.approval).toMatchObject({
      mode: 'any',
      current: 0,
      steps: [{ members: [{ role: 'service_manager' }] }],
    });
    expect(c.send('APPROVE', {}, bob)?.code).toBeTruthy();
    c.ok('task.return', { to: 'planning', comment: 'Offer a repair first.' }, max);
    expect(c.last.state).toBe('planning');
    c.ok('PROPOSE_RESOLUTION', { proposal: 'Replace the cabinet.', compensationAmount: 9000 }, bob);
    c.ok('APPROVE', {}, max);
    expect(c.last.state).toBe('communicating');
    expect(c.snapshot.context.approvedBy).toBe('max');
  });

  test('an unsatisfied customer is handled again: a withdrawal needs the customer’s own request, recorded', () => {
    const c = assignedComplaint();
    c.ok('SUBMIT_FINDINGS', { findings: 'f', customerExpectation: 'e' }, bob);
    c.ok('PROPOSE_RESOLUTION', { proposal: 'Repair.', compensationAmount: 100 }, bob);
    c.ok('CUSTOMER_ACCEPTED', {}, amy);
    c.ok('RESOLUTION_EXECUTED', { summary: 'Repaired.' }, bob);
    c.now = MON + DAY;
    c.ok('CUSTOMER_UNSATISFIED', { reason: 'Still scratched.' }, amy);
    expect(c.last.state).toBe('investigating');
    // Without the customer's request recorded: invalid payload; a request dated in the future: refused.
    expect(c.send('WITHDRAW', { reason: 'Give up.' }, amy)?.code).toBe('ValidationError');
    const stale = { reason: 'Give up.', requestedByCustomer: true, requestedAt: new Date(MON).toISOString(), requestChannel: 'phone' };
    expect(c.send('WITHDRAW', { ...stale, requestedByCustomer: false }, amy)?.code).toBe('ValidationError');
    const future = { ...stale, requestedAt: new Date(MON + 2 * DAY).toISOString() };
    expect(c.send('WITHDRAW', future, amy)?.code).toBe('ConditionNotMet');
    expect(c.last.state).toBe('investigating');
    c.now = MON + DAY + 3_600_000;
    const asked = { ...stale, requestedAt: new Date(MON + DAY + 1_800_000).toISOString(), requestChannel: 'email' };
    c.ok('WITHDRAW', asked, amy);
    expect(c.last.state).toBe('withdrawn');
    expect(c.snapshot.context).toMatchObject({
      withdrawalRequestedByCustomer: true,
      withdrawalRequestedAt: asked.requestedAt,
      withdrawalRequestChannel: 'email',
      withdrawnBy: 'amy',
    });
  });
});

const contractInput = {
  customer: 'CUST-3001',
  contractType: 'framework',
  standard: true,
  amount: 250000,
  discountRate: 0.1,
  adSlots: [{ position: 'Home page banner', start: '2026-04-01', end: '2026-06-30' }],
  placementStart: '2026-04-01',
};

/** A contract submitted by ray whose compliance check has run: it is in `approval`. */
function inApproval(input: Record<string, unknown> = contractInput): WorkCase {
  const c = new WorkCase(contract, input, ray.userId, MON);
  c.ok('SUBMIT', {}, ray);
  const [invocation] = c.last.invocations;
  const output = evaluateTask({
    task: contract.definition.tasks.complianceCheck!,
    context: invocation!.context,
    params: contract.params,
    guards: contract.definition.guards,
    now: c.now,
  });
  c.last = step(contract, c.snapshot, { type: `${DONE_PREFIX}complianceCheck`, output } as never, c.now);
  c.snapshot = c.last.snapshot;
  expect(c.last.state).toBe('approval');
  return c;
}

/** A contract approved, signed, sealed and archived: in force. */
function activeContract(): WorkCase {
  const c = inApproval();
  c.ok('APPROVE', {}, as('sales_manager'));
  c.ok('APPROVE', {}, as('gm'));
  c.ok('SIGNED', signed, ray);
  c.ok('SEALED', {}, as('hq'));
  c.ok('ARCHIVED', { scanRef: 'scan-1' }, as('contract_admin'));
  expect(c.last.state).toBe('active');
  return c;
}

const forms = { a1: 'A1-7', a2: 'A2-7', a3: 'A3-7' };

const signed = {
  bothPartiesSigned: true,
  crossPageSeal: true,
  signedAt: '2026-03-03',
  signatories: [
    { party: 'customer', name: 'Ms Li' },
    { party: 'company', name: 'Mr Wu' },
  ],
};

describe('contract v2', () => {
  test('the levels approve in sequence; an approver adds one after them; the last approval signs', () => {
    const c = inApproval();
    expect(taskIn(c, 'approval')!.approval).toMatchObject({
      mode: 'sequence',
      current: 0,
      steps: [{ members: [{ role: 'sales_manager' }] }, { members: [{ role: 'gm' }] }],
    });
    expect(c.send('APPROVE', {}, as('gm'))?.code).toBe('NotYourTurn');
    c.ok('task.addApprover', { approver: { user: 'lei' }, position: 'after', comment: 'check the clause' }, as('sales_manager'));
    c.ok('APPROVE', { comment: 'fine' }, as('sales_manager'));
    // Each approval that moves the turn on tells the approver whose turn it now is.
    expect(c.last.notifications).toEqual([
      expect.objectContaining({
        kind: 'info',
        template: 'taskTurn',
        to: [{ userId: 'lei' }],
        data: expect.objectContaining({ step: 2, steps: 3 }),
      }),
    ]);
    expect(c.send('APPROVE', {}, as('gm'))?.code).toBe('NotYourTurn');
    c.ok('APPROVE', {}, as('legal', 'lei'));
    expect(c.last.state).toBe('approval');
    expect(c.last.notifications).toEqual([expect.objectContaining({ template: 'taskTurn', to: [{ role: 'gm' }] })]);
    c.ok('APPROVE', {}, as('gm'));
    expect(c.last.state).toBe('signing');
    expect(c.snapshot.context.approvedAt).toBeTruthy();
  });

  test('an approver returns it to the draft; the rep who started it may withdraw it before signing, no one else', () => {
    const c = inApproval();
    c.ok('task.return', { to: 'draft', comment: 'fix the ad slots' }, as('sales_manager'));
    expect(c.last.state).toBe('draft');
    expect(c.send('task.withdraw', { comment: 'lost' }, as('sales_rep', 'other'))?.code).toBe('OperationNotAllowed');
    c.ok('task.withdraw', { comment: 'the customer went elsewhere' }, ray);
    expect(c.last.state).toBe('withdrawn');
    const signing = inApproval({ ...contractInput, amount: 50000 });
    signing.ok('APPROVE', {}, as('sales_manager'));
    expect(signing.send('task.withdraw', { comment: 'too late' }, ray)?.code).toBe('OperationNotAllowed');
  });

  test('the forms come back in the normal course, once, and the archived contract shows them on record', () => {
    const c = inApproval();
    expect(c.send('FORMS_RETURNED', forms, as('contract_admin'))?.code).toBe('ConditionNotMet');
    c.ok('APPROVE', {}, as('sales_manager'));
    c.ok('APPROVE', {}, as('gm'));
    c.ok('FORMS_RETURNED', forms, as('contract_admin'));
    expect(c.send('FORMS_RETURNED', forms, as('contract_admin'))?.code).toBe('ConditionNotMet');
    c.ok('SIGNED', signed, ray);
    c.ok('SEALED', {}, as('hq'));
    c.ok('ARCHIVED', { scanRef: 'scan-1' }, as('contract_admin'));
    expect(c.snapshot.context).toMatchObject({ formsOnRecord: true, formsOnRecordWhenArchived: true, formA1: 'A1-7', formA2: 'A2-7' });
  });

  test('a change is approved by the chain of the changed amount, and then the contract has the changed terms', () => {
    const c = activeContract();
    const effectiveDate = new Date(MON + 30 * DAY).toISOString();
    c.ok('REQUEST_CHANGE', { changes: { summary: 'More slots', amount: 1200000, discountRate: 0.2 }, effectiveDate }, ray);
    expect(c.last.state).toBe('changeApproval');
    expect(c.snapshot.context.changeApprovalChain).toEqual(['sales_manager', 'gm', 'hq']);
    expect(c.snapshot.context.amount).toBe(250000);
    for (const role of ['sales_manager', 'gm', 'hq']) c.ok('APPROVE', {}, as(role));
    expect(c.last.state).toBe('active');
    expect(c.snapshot.context).toMatchObject({ amount: 1200000, discountRate: 0.2, adSlots: contractInput.adSlots });
    expect(c.snapshot.context.amendments).toEqual([
      expect.objectContaining({ previousAmount: 250000, amount: 1200000, approvalChain: ['sales_manager', 'gm', 'hq'] }),
    ]);
    // A smaller change needs only the sales manager; a rejected one leaves the terms alone.
    c.ok('REQUEST_CHANGE', { changes: { summary: 'Fewer slots', amount: 100000 }, effectiveDate }, ray);
    expect(c.snapshot.context.changeApprovalChain).toEqual(['sales_manager']);
    c.ok('REJECT', { reason: 'no' }, as('sales_manager'));
    expect(c.snapshot.context).toMatchObject({ amount: 1200000, discountRate: 0.2 });
  });
});

describe('open version-1 cases migrate to version 2 and go on', () => {
  test('a complaint being investigated keeps its handler, who alone works it now', () => {
    const v1 = compileDefinition(assertValidDefinition(complaintV1(), 'complaint v1'), cn);
    let r = startCase(v1, complaintInput, MON);
    r = step(v1, r.snapshot, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: amy }, MON);
    const plan = planMigration({
      from: v1.definition,
      to: definitionSchema.parse(complaintShipped()),
      toVersion: 2,
      case: {
        caseId: 'complaint-1',
        state: r.state,
        status: 'open',
        context: r.snapshot.context,
        definitionVersion: 1,
        deadlines: [],
        stateEnteredAt: new Date(MON).toISOString(),
      },
      calendar: cn,
      now: MON + DAY,
    });
    expect(plan).toMatchObject({ ok: true, toState: 'investigating', blockers: [] });
    const migrated = migrationStep(complaint, r.snapshot.context, plan);
    const refusedFor = (actor: Actor) =>
      checkEvent(
        complaint,
        migrated.snapshot,
        { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor },
        MON + DAY,
      );
    expect(refusedFor(carol)?.code).toBe('NotAssignee');
    expect(refusedFor(bob)).toBeNull();
    const next = step(
      complaint,
      migrated.snapshot,
      { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: bob },
      MON + DAY,
    );
    expect(next.state).toBe('planning');
  });

  test('a contract being signed migrates as it is; its forms are then recorded in the normal course', () => {
    const v1 = compileDefinition(assertValidDefinition(contractV1(), 'contract v1'), cn);
    let r = startCase(v1, { ...contractInput, amount: 50000 }, MON);
    r = step(v1, r.snapshot, { type: 'SUBMIT', data: {}, actor: ray }, MON);
    const output = evaluateTask({
      task: v1.definition.tasks.complianceCheck!,
      context: r.invocations[0]!.context,
      params: v1.params,
      guards: v1.definition.guards,
      now: MON,
    });
    r = step(v1, r.snapshot, { type: `${DONE_PREFIX}complianceCheck`, output } as never, MON);
    r = step(v1, r.snapshot, { type: 'APPROVE', data: {}, actor: as('sales_manager') }, MON);
    expect(r.state).toBe('signing');
    const plan = planMigration({
      from: v1.definition,
      to: definitionSchema.parse(contractV2()),
      toVersion: 2,
      case: { caseId: 'contract-1', state: r.state, status: 'open', context: r.snapshot.context, definitionVersion: 1, deadlines: [] },
      calendar: cn,
      now: MON + DAY,
    });
    expect(plan).toMatchObject({ ok: true, toState: 'signing', blockers: [] });
    const migrated = migrationStep(contract, r.snapshot.context, plan);
    const returned = { type: 'FORMS_RETURNED', data: forms, actor: as('contract_admin') };
    expect(checkEvent(contract, migrated.snapshot, returned, MON + DAY)).toBeNull();
    const next = step(contract, migrated.snapshot, returned, MON + DAY);
    expect(next.snapshot.context.formsOnRecord).toBe(true);
    expect(next.state).toBe('signing');
  });
});

import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import contractJson from '../../definitions/shipped/contract.v1.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, DONE_PREFIX, type CompiledDefinition } from '../../engine/compile';
import type { Definition } from '../../engine/definition-schema';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step, type StepResult } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { evaluateTask, type TaskOutput } from '../../engine/tasks';
import type { Actor } from '../../engine/types';

const cn = validateCalendar(cnJson);
const contract = assertValidDefinition(contractJson, 'definitions/shipped/contract.v1.json');
const compile = (definition: Definition = contract): CompiledDefinition => compileDefinition(definition, cn);

/** A copy of the definition with other parameter defaults, as a process owner would publish it. */
function withParams(values: Record<string, number>): Definition {
  const copy = JSON.parse(JSON.stringify(contractJson)) as { parameters: Record<string, { default: unknown }> };
  for (const [name, value] of Object.entries(values)) copy.parameters[name]!.default = value;
  return assertValidDefinition(copy, 'edited contract');
}

const rep: Actor = { userId: 'ray', role: 'sales_rep' };
const as = (role: string): Actor => ({ userId: `u-${role}`, role });

/** Monday 2 March 2026, 10:00 in Shanghai: an ordinary working week. */
const MON = Date.parse('2026-03-02T10:00:00+08:00');
const DAY = 86_400_000;

const baseInput = {
  customer: 'CUST-3001',
  contractType: 'framework',
  standard: true,
  amount: 150000,
  discountRate: 0.1,
  adSlots: [{ position: 'Home page banner', start: '2026-04-01', end: '2026-06-30' }],
  placementStart: '2026-04-01',
};

function send(c: CompiledDefinition, r: StepResult, type: string, data: Record<string, unknown>, actor: Actor, now = MON): StepResult {
  expect(checkEvent(c, r.snapshot, { type, data, actor }, now)).toBeNull();
  return step(c, r.snapshot, { type, data, actor }, now);
}

/** Runs the compliance check the state invoked, as the workflow's activity does, and feeds its result back. */
function finishCompliance(c: CompiledDefinition, r: StepResult, now = MON): { result: StepResult; output: TaskOutput } {
  expect(r.state).toBe('compliance');
  const [invocation] = r.invocations;
  expect(invocation).toMatchObject({ id: 'complianceCheck', kind: 'task' });
  const output = evaluateTask({
    task: c.definition.tasks.complianceCheck!,
    context: invocation!.context,
    params: c.params,
    guards: c.definition.guards,
    now,
  });
  const result = step(c, r.snapshot, { type: `${DONE_PREFIX}complianceCheck`, output } as never, now);
  return { result, output };
}

function submitted(c: CompiledDefinition, input: Record<string, unknown>): { result: StepResult; output: TaskOutput } {
  const draft = startCase(c, input, MON);
  expect(draft.state).toBe('draft');
  return finishCompliance(c, send(c, draft, 'SUBMIT', {}, rep));
}

function inApproval(c: CompiledDefinition, input: Record<string, unknown>): StepResult {
  const { result } = submitted(c, input);
  expect(result.state).toBe('approval');
  return result;
}

const chainOf = (c: CompiledDefinition, input: Record<string, unknown>) => inApproval(c, input).snapshot.context.pendingApprovers;

/** What a refused event must leave alone. */
const observable = (s: AnyMachineSnapshot) => JSON.stringify({ value: s.value, context: s.context });

describe('the approval chain is computed from the amount, the thresholds and the standard flag', () => {
  const c = compile();
  test.each([
    [10000, true, ['sales_manager']],
    [199999.99, true, ['sales_manager']],
    [200000, true, ['sales_manager', 'gm']],
    [999999, true, ['sales_manager', 'gm']],
    [1000000, true, ['sales_manager', 'gm', 'hq']],
    [1200000, true, ['sales_manager', 'gm', 'hq']],
    [50000, false, ['sales_manager', 'legal']],
    [200000, false, ['sales_manager', 'gm', 'legal']],
    [1200000, false, ['sales_manager', 'gm', 'hq', 'legal']],
  ])('amount %d, standard %s → %j', (amount, standard, chain) => {
    const r = inApproval(c, { ...baseInput, amount, standard });
    expect(r.snapshot.context.pendingApprovers).toEqual(chain);
    expect(r.snapshot.context.approvalChain).toEqual(chain);
    expect(r.snapshot.context.nonStandard).toBe(!standard);
    // The first approver is told it is their turn.
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'info', template: 'approvalTurn', to: [{ role: chain[0] }] })]);
  });
});

describe('approval, one level after another', () => {
  const c = compile();
  const nonStandard = { ...baseInput, amount: 1200000, standard: false };

  test('each level approves in turn; every approval records who, when, the comment and that the contract is non-standard', () => {
    let r = inApproval(c, nonStandard);
    const chain = ['sales_manager', 'gm', 'hq', 'legal'];
    for (const [i, role] of chain.entries()) {
      r = send(c, r, 'APPROVE', { comment: `ok from ${role}` }, as(role), MON + i * DAY);
      if (i < chain.length - 1) {
        expect(r.state).toBe('approval');
        expect(r.snapshot.context.pendingApprovers).toEqual(chain.slice(i + 1));
        // Re-entering approval re-arms the level's deadlines from now and tells the next approver.
        expect(r.cancelTimers.sort()).toEqual([
          'xstate.after.approvalEscalation.contract.approval',
          'xstate.after.approvalReminder.contract.approval',
        ]);
        expect(r.startTimers.map((t) => t.delay).sort()).toEqual(['approvalEscalation', 'approvalReminder']);
        expect(r.notifications).toEqual([expect.objectContaining({ template: 'approvalTurn', to: [{ role: chain[i + 1] }] })]);
      }
    }
    expect(r.state).toBe('signing');
    expect(r.startTimers).toEqual([]);
    const approvals = r.snapshot.context.approvals as Array<Record<string, unknown>>;
    expect(approvals).toEqual(
      chain.map((role, i) => ({
        role,
        userId: `u-${role}`,
        at: new Date(MON + i * DAY).toISOString(),
        comment: `ok from ${role}`,
        nonStandard: true,
      })),
    );
    expect(approvals.find((a) => a.role === 'legal')).toMatchObject({ nonStandard: true });
    expect(r.notifications).toEqual([
      expect.objectContaining({ template: 'contractApproved', to: [{ role: 'sales_rep', userId: 'ray' }] }),
    ]);
  });

  test.each([
    ['gm before the sales manager', 'gm', 0],
    ['legal before headquarters', 'legal', 2],
    ['the sales manager a second time', 'sales_manager', 1],
  ])('%s is refused with ConditionNotMet and changes nothing', (_name, role, approvedBefore) => {
    let r = inApproval(c, nonStandard);
    for (const level of ['sales_manager', 'gm', 'hq'].slice(0, approvedBefore)) r = send(c, r, 'APPROVE', {}, as(level));
    const before = observable(r.snapshot);
    for (const type of ['APPROVE', 'REJECT']) {
      const data = type === 'REJECT' ? { reason: 'no' } : {};
      const refusal = checkEvent(c, r.snapshot, { type, data, actor: as(role) }, MON);
      expect(refusal).toEqual({
        code: 'ConditionNotMet',
        message: expect.stringContaining(
          `${type} cannot be applied in state "approval": only the approver whose turn it is may act; the levels approve one after another`,
        ),
      });
      // Had it been let through, the machine would not have moved either.
      const applied = step(c, r.snapshot, { type, data, actor: as(role) }, MON);
      expect(applied.changed).toBe(false);
    }
    expect(observable(r.snapshot)).toBe(before);
  });

  test('a role outside the chain is refused by role, one in the chain but not on it by condition', () => {
    const r = inApproval(c, { ...baseInput, amount: 50000 });
    expect(checkEvent(c, r.snapshot, { type: 'APPROVE', data: {}, actor: rep }, MON)).toMatchObject({ code: 'Forbidden' });
    expect(checkEvent(c, r.snapshot, { type: 'APPROVE', data: {}, actor: as('hq') }, MON)).toMatchObject({ code: 'ConditionNotMet' });
    expect(send(c, r, 'APPROVE', {}, as('sales_manager')).state).toBe('signing');
  });

  test('a rejection returns the draft to the rep with the reason, and a new submission starts a new round', () => {
    let r = inApproval(c, nonStandard);
    r = send(c, r, 'APPROVE', {}, as('sales_manager'));
    r = send(c, r, 'REJECT', { reason: 'Discount too generous for a first year' }, as('gm'));
    expect(r.state).toBe('draft');
    expect(r.snapshot.context).toMatchObject({
      pendingApprovers: [],
      rejections: [{ role: 'gm', userId: 'u-gm', reason: 'Discount too generous for a first year', at: new Date(MON).toISOString() }],
    });
    expect(r.cancelTimers).toHaveLength(2);
    const again = finishCompliance(c, send(c, r, 'SUBMIT', {}, rep)).result;
    expect(again.state).toBe('approval');
    expect(again.snapshot.context).toMatchObject({
      approvals: [],
      pendingApprovers: ['sales_manager', 'gm', 'hq', 'legal'],
      submissions: 2,
    });
  });

  test('after 2 business days the current approver is reminded, then the next level up is alerted', () => {
    let r = inApproval(c, nonStandard);
    r = send(c, r, 'APPROVE', {}, as('sales_manager'));
    const reminder = r.startTimers.find((t) => t.delay === 'approvalReminder')!;
    const escalation = r.startTimers.find((t) => t.delay === 'approvalEscalation')!;
    // Monday 10:00 + 2 business days = Wednesday 10:00; + 3 = Thursday 10:00.
    expect(reminder.dueAt).toBe('2026-03-04T02:00:00.000Z');
    expect(escalation.dueAt).toBe('2026-03-05T02:00:00.000Z');
    const reminded = step(c, r.snapshot, reminder.event, Date.parse(reminder.dueAt));
    expect(reminded.state).toBe('approval');
    expect(reminded.notifications).toEqual([expect.objectContaining({ kind: 'reminder', template: 'approvalDue', to: [{ role: 'gm' }] })]);
    const escalated = step(c, reminded.snapshot, escalation.event, Date.parse(escalation.dueAt));
    expect(escalated.state).toBe('approval');
    expect(escalated.notifications).toEqual([
      expect.objectContaining({
        kind: 'escalation',
        template: 'approvalOverdue',
        to: [{ role: 'hq' }],
        data: expect.objectContaining({ waitingOn: 'gm' }),
      }),
    ]);
  });

  test.each([
    ['sales_manager', 'gm'],
    ['gm', 'hq'],
    ['hq', 'hq'],
    ['legal', 'gm'],
  ])('an overdue %s escalates to %s', (current, up) => {
    let r = inApproval(c, nonStandard);
    for (const level of ['sales_manager', 'gm', 'hq', 'legal']) {
      if (level === current) break;
      r = send(c, r, 'APPROVE', {}, as(level));
    }
    const escalation = r.startTimers.find((t) => t.delay === 'approvalEscalation')!;
    const escalated = step(c, r.snapshot, escalation.event, Date.parse(escalation.dueAt));
    expect(escalated.notifications.map((n) => n.to)).toEqual([[{ role: up }]]);
  });
});

describe('the compliance check', () => {
  const c = compile();

  test('every broken rule is listed, with its values, in English and Chinese', () => {
    const output = evaluateTask({
      task: c.definition.tasks.complianceCheck!,
      context: {
        ...baseInput,
        amount: 5000,
        discountRate: 0.45,
        adSlots: [{ position: 'Sidebar', start: '2026-03-20', end: '2026-03-10' }],
      },
      params: c.params,
      guards: c.definition.guards,
      now: MON,
    });
    expect(output).toEqual({
      passed: false,
      violations: [
        {
          rule: 'discountWithinPolicy',
          labels: { en: 'the discount rate 0.45 is above the policy maximum 0.3', 'zh-CN': '折扣率 0.45 超过政策上限 0.3' },
        },
        {
          rule: 'amountAtLeastMinimum',
          labels: { en: 'the amount 5000 CNY is below the policy minimum 10000 CNY', 'zh-CN': '合同金额 5000 元低于政策下限 10000 元' },
        },
        {
          rule: 'adSlotsFromPlacementStart',
          labels: {
            en: 'an ad slot starts before the placement start 2026-04-01',
            'zh-CN': '有广告位的开始日期早于投放开始日期 2026-04-01',
          },
        },
        { rule: 'adSlotsEndAfterStart', labels: { en: 'an ad slot ends before it starts', 'zh-CN': '有广告位的结束日期早于开始日期' } },
      ],
    });
  });

  test('no ad slot, or more than the maximum, is a violation', () => {
    const check = (adSlots: unknown[]) =>
      evaluateTask({
        task: c.definition.tasks.complianceCheck!,
        context: { ...baseInput, adSlots },
        params: c.params,
        guards: c.definition.guards,
        now: MON,
      }).violations.map((v) => v.rule);
    expect(check([])).toEqual(['adSlotsGiven']);
    const slot = baseInput.adSlots[0]!;
    expect(check(Array.from({ length: 20 }, () => slot))).toEqual([]);
    expect(check(Array.from({ length: 21 }, () => slot))).toEqual(['adSlotsWithinLimit']);
  });

  test('at the limits the contract passes', () => {
    const { result, output } = submitted(c, { ...baseInput, amount: 10000, discountRate: 0.3 });
    expect(output).toEqual({ passed: true, violations: [] });
    expect(result.state).toBe('approval');
  });

  test('a failed check returns the draft with every violation; the rep fixes the terms and resubmits', () => {
    const { result: failed } = submitted(c, { ...baseInput, amount: 5000, discountRate: 0.45 });
    expect(failed.state).toBe('draft');
    expect((failed.snapshot.context.violations as Array<{ rule: string }>).map((v) => v.rule)).toEqual([
      'discountWithinPolicy',
      'amountAtLeastMinimum',
    ]);
    expect(failed.snapshot.context.compliancePassed).toBe(false);
    expect(failed.notifications).toEqual([
      expect.objectContaining({ template: 'complianceFailed', to: [{ role: 'sales_rep', userId: 'ray' }] }),
    ]);
    const terms = { standard: true, amount: 60000, discountRate: 0.25, adSlots: baseInput.adSlots, placementStart: '2026-04-01' };
    const fixed = send(c, failed, 'UPDATE_DRAFT', terms, rep);
    expect(fixed.state).toBe('draft');
    expect(fixed.snapshot.context).toMatchObject(terms);
    const { result, output } = finishCompliance(c, send(c, fixed, 'SUBMIT', {}, rep));
    expect(output.passed).toBe(true);
    expect(result.state).toBe('approval');
    expect(result.snapshot.context).toMatchObject({
      violations: [],
      compliancePassed: true,
      submissions: 2,
      pendingApprovers: ['sales_manager'],
    });
  });

  test('UPDATE_DRAFT needs every term and is only for the draft', () => {
    const draft = startCase(c, baseInput, MON);
    expect(checkEvent(c, draft.snapshot, { type: 'UPDATE_DRAFT', data: { amount: 1 }, actor: rep }, MON)).toMatchObject({
      code: 'ValidationError',
    });
    const { customer: _customer, contractType: _type, ...terms } = baseInput;
    expect(checkEvent(c, draft.snapshot, { type: 'UPDATE_DRAFT', data: terms, actor: rep }, MON)).toBeNull();
    const approval = inApproval(c, baseInput);
    expect(checkEvent(c, approval.snapshot, { type: 'UPDATE_DRAFT', data: terms, actor: rep }, MON)).toMatchObject({
      code: 'NotAllowedInState',
    });
  });
});

describe('parameters change the process without code', () => {
  test('lower thresholds put gm and hq into the chain of a smaller contract', () => {
    const input = { ...baseInput, amount: 150000 };
    expect(chainOf(compile(), input)).toEqual(['sales_manager']);
    expect(chainOf(compile(withParams({ gmThreshold: 100000 })), input)).toEqual(['sales_manager', 'gm']);
    expect(chainOf(compile(withParams({ gmThreshold: 100000, hqThreshold: 150000 })), input)).toEqual(['sales_manager', 'gm', 'hq']);
  });

  test('a higher gm threshold takes gm out of the chain', () => {
    expect(chainOf(compile(withParams({ gmThreshold: 500000 })), { ...baseInput, amount: 300000 })).toEqual(['sales_manager']);
  });

  test('the compliance limits and the approval days are parameters too', () => {
    const loose = compile(withParams({ maxDiscountRate: 0.5, minAmount: 1000 }));
    const { result } = submitted(loose, { ...baseInput, amount: 5000, discountRate: 0.45 });
    expect(result.state).toBe('approval');
    const slow = compile(withParams({ approvalDays: 5 }));
    const reminder = inApproval(slow, baseInput).startTimers.find((t) => t.delay === 'approvalReminder')!;
    expect(reminder.dueAt).toBe('2026-03-09T02:00:00.000Z'); // Monday + 5 business days
  });
});

function signedOffActive(c: CompiledDefinition, input: Record<string, unknown>): StepResult {
  let r = inApproval(c, input);
  for (const role of r.snapshot.context.pendingApprovers as string[]) r = send(c, r, 'APPROVE', {}, as(role));
  const signing = {
    bothPartiesSigned: true,
    crossPageSeal: true,
    signedAt: '2026-03-03',
    signatories: [
      { party: 'customer', name: 'Wang Wei' },
      { party: 'company', name: 'Li Na', title: 'Branch manager' },
    ],
  };
  r = send(c, r, 'SIGNED', signing, rep);
  expect(r.state).toBe('hqSealing');
  r = send(c, r, 'SEALED', {}, as('hq'));
  expect(r.state).toBe('archiving');
  r = send(c, r, 'ARCHIVED', { scanRef: 'scan://contracts/3001.pdf' }, as('contract_admin'));
  expect(r.state).toBe('active');
  return r;
}

describe('signing to active', () => {
  const c = compile();
  test('an archived contract is in force and counted in the rep’s performance', () => {
    const r = signedOffActive(c, baseInput);
    expect(r.snapshot.context).toMatchObject({
      scanRef: 'scan://contracts/3001.pdf',
      countedInPerformance: true,
      performanceRep: 'ray',
      performanceAmount: 150000,
      crossPageSeal: true,
    });
    expect(r.notifications).toEqual([
      expect.objectContaining({ template: 'contractArchived', to: [{ role: 'sales_rep', userId: 'ray' }] }),
    ]);
    expect(send(c, r, 'COMPLETE', {}, as('contract_admin'))).toMatchObject({ state: 'closed', status: 'completed' });
  });

  test.each([
    ['one party only', { bothPartiesSigned: false }],
    ['no cross-page seal', { crossPageSeal: false }],
    ['the company’s signatory missing', { signatories: [{ party: 'customer', name: 'Wang Wei' }] }],
  ])('SIGNED with %s is refused', (_name, change) => {
    let r = inApproval(c, baseInput);
    r = send(c, r, 'APPROVE', {}, as('sales_manager'));
    const data = {
      bothPartiesSigned: true,
      crossPageSeal: true,
      signedAt: '2026-03-03',
      signatories: [
        { party: 'customer', name: 'Wang Wei' },
        { party: 'company', name: 'Li Na' },
      ],
      ...change,
    };
    expect(checkEvent(c, r.snapshot, { type: 'SIGNED', data, actor: rep }, MON)).toEqual({
      code: 'ConditionNotMet',
      message: expect.stringContaining('both parties must have signed, the cross-page seal must be on'),
    });
  });

  test('dates are calendar dates, YYYY-MM-DD', () => {
    let r = inApproval(c, baseInput);
    r = send(c, r, 'APPROVE', {}, as('sales_manager'));
    const signatories = [
      { party: 'customer', name: 'W' },
      { party: 'company', name: 'L' },
    ];
    for (const signedAt of ['2026-13-01', '2026-02-30', '2026-03-32', '3 March 2026', '2026-03-03T10:00:00Z'])
      expect(
        checkEvent(
          c,
          r.snapshot,
          { type: 'SIGNED', data: { bothPartiesSigned: true, crossPageSeal: true, signedAt, signatories }, actor: rep },
          MON,
        ),
      ).toMatchObject({
        code: 'ValidationError',
        message: expect.stringContaining('signedAt'),
      });
    expect(c.inputSchema.safeParse({ ...baseInput, placementStart: '2026-02-30x' }).success).toBe(false);
    expect(c.inputSchema.safeParse(baseInput).success).toBe(true);
  });

  test('SIGNED without a signing date is invalid', () => {
    let r = inApproval(c, baseInput);
    r = send(c, r, 'APPROVE', {}, as('sales_manager'));
    const data = { bothPartiesSigned: true, crossPageSeal: true, signatories: [{ party: 'customer', name: 'W' }] };
    expect(checkEvent(c, r.snapshot, { type: 'SIGNED', data, actor: rep }, MON)).toMatchObject({
      code: 'ValidationError',
      message: expect.stringContaining('signedAt'),
    });
  });
});

describe('a change to a contract in force', () => {
  const c = compile();
  const changes = {
    summary: 'Move the banner to the product page',
    adSlots: [{ position: 'Product page', start: '2026-05-01', end: '2026-06-30' }],
  };

  test('a change dated in the past or now is refused and changes nothing', () => {
    const r = signedOffActive(c, { ...baseInput, amount: 300000 });
    const before = observable(r.snapshot);
    for (const effectiveDate of [new Date(MON - DAY).toISOString(), new Date(MON).toISOString()]) {
      const refusal = checkEvent(c, r.snapshot, { type: 'REQUEST_CHANGE', data: { changes, effectiveDate }, actor: rep }, MON);
      expect(refusal).toEqual({
        code: 'ConditionNotMet',
        message: expect.stringContaining('the effective date must be in the future: a change is approved before it happens, never after'),
      });
      expect(step(c, r.snapshot, { type: 'REQUEST_CHANGE', data: { changes, effectiveDate }, actor: rep }, MON).changed).toBe(false);
    }
    expect(observable(r.snapshot)).toBe(before);
  });

  test('a future change goes through the same chain and is recorded as an amendment', () => {
    let r = signedOffActive(c, { ...baseInput, amount: 300000 });
    const effectiveDate = new Date(MON + 20 * DAY).toISOString();
    r = send(c, r, 'REQUEST_CHANGE', { changes, effectiveDate }, rep);
    expect(r.state).toBe('changeApproval');
    expect(r.snapshot.context.pendingApprovers).toEqual(['sales_manager', 'gm']);
    expect(checkEvent(c, r.snapshot, { type: 'APPROVE', data: {}, actor: as('gm') }, MON)).toMatchObject({
      code: 'ConditionNotMet',
      message: expect.stringContaining('only the approver whose turn it is may act, and only before the change takes effect'),
    });
    r = send(c, r, 'APPROVE', { comment: 'fine' }, as('sales_manager'));
    expect(r.state).toBe('changeApproval');
    r = send(c, r, 'APPROVE', {}, as('gm'), MON + DAY);
    expect(r.state).toBe('active');
    expect(r.snapshot.context.amendments).toEqual([
      {
        changes,
        effectiveDate,
        requestedBy: 'ray',
        requestedAt: new Date(MON).toISOString(),
        approvedAt: new Date(MON + DAY).toISOString(),
        approvals: [
          { role: 'sales_manager', userId: 'u-sales_manager', at: new Date(MON).toISOString(), comment: 'fine', nonStandard: false },
          { role: 'gm', userId: 'u-gm', at: new Date(MON + DAY).toISOString(), nonStandard: false },
        ],
      },
    ]);
    expect(r.snapshot.context).toMatchObject({ pendingChanges: null, pendingApprovers: [], amendments: expect.any(Array) });
    // The original approvals stay as they were.
    expect((r.snapshot.context.approvals as unknown[]).length).toBe(2);
  });

  test('a change whose effective date passes during approval can no longer be approved', () => {
    let r = signedOffActive(c, baseInput);
    const effectiveDate = new Date(MON + DAY).toISOString();
    r = send(c, r, 'REQUEST_CHANGE', { changes, effectiveDate }, rep);
    expect(checkEvent(c, r.snapshot, { type: 'APPROVE', data: {}, actor: as('sales_manager') }, MON + 2 * DAY)).toMatchObject({
      code: 'ConditionNotMet',
    });
    r = send(c, r, 'REJECT', { reason: 'Too late: request it again with a later date' }, as('sales_manager'), MON + 2 * DAY);
    expect(r.state).toBe('active');
    expect(r.snapshot.context.amendments).toEqual([]);
    expect(r.snapshot.context.changeRejections).toEqual([
      expect.objectContaining({ changes, effectiveDate, role: 'sales_manager', reason: 'Too late: request it again with a later date' }),
    ]);
  });
});

describe('early placement', () => {
  const c = compile();
  const schedule = as('schedule_admin');

  function approvedEarly(input: Record<string, unknown>, now = MON): StepResult {
    let r = inApproval(c, input);
    r = send(c, r, 'REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true }, rep, now);
    expect(r.snapshot.context.earlyPlacementStatus).toBe('requested');
    r = send(c, r, 'A3_RECEIVED', {}, schedule, now);
    for (const role of r.snapshot.context.approvalChain as string[]) r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', {}, as(role), now);
    expect(r.snapshot.context.earlyPlacementStatus).toBe('signedOff');
    return send(c, r, 'EARLY_PLACEMENT_APPROVED', {}, as('hq'), now);
  }

  test('the customer must have signed A3', () => {
    const r = inApproval(c, baseInput);
    expect(
      checkEvent(c, r.snapshot, { type: 'REQUEST_EARLY_PLACEMENT', data: { a3SignedByCustomer: false }, actor: rep }, MON),
    ).toMatchObject({
      code: 'ValidationError',
    });
  });

  test('each step needs the one before it; the levels sign off in the chain’s order', () => {
    let r = inApproval(c, { ...baseInput, amount: 1200000, standard: false });
    const refused = (type: string, actor: Actor, words: string, data: Record<string, unknown> = {}) =>
      expect(checkEvent(c, r.snapshot, { type, data, actor }, MON)).toEqual({
        code: 'ConditionNotMet',
        message: expect.stringContaining(words),
      });
    refused('A3_RECEIVED', schedule, 'scheduling receives the A3 form only after early placement has been requested');
    refused('SIGN_OFF_EARLY_PLACEMENT', as('sales_manager'), 'early placement is signed off by each approval level in turn');
    refused('EARLY_PLACEMENT_APPROVED', as('hq'), 'headquarters approves early placement once every approval level has signed it off');
    r = send(c, r, 'REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true, reason: 'Spring campaign' }, rep);
    refused('REQUEST_EARLY_PLACEMENT', rep, 'early placement has already been requested', { a3SignedByCustomer: true });
    r = send(c, r, 'A3_RECEIVED', {}, schedule);
    expect(r.snapshot.context.earlyPlacementPending).toEqual(['sales_manager', 'gm', 'hq', 'legal']);
    refused('SIGN_OFF_EARLY_PLACEMENT', as('gm'), 'only the level whose turn it is may sign off');
    r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', { comment: 'ok' }, as('sales_manager'));
    r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', {}, as('gm'));
    refused('EARLY_PLACEMENT_APPROVED', as('hq'), 'once every approval level has signed it off');
    r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', {}, as('hq'));
    r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', {}, as('legal'));
    expect((r.snapshot.context.earlyPlacementSignOffs as Array<{ role: string }>).map((s) => s.role)).toEqual([
      'sales_manager',
      'gm',
      'hq',
      'legal',
    ]);
    // The contract's own approval is a queue of its own, untouched.
    expect(r.state).toBe('approval');
    expect(r.snapshot.context.pendingApprovers).toEqual(['sales_manager', 'gm', 'hq', 'legal']);
    r = send(c, r, 'EARLY_PLACEMENT_APPROVED', {}, as('hq'));
    expect(r.snapshot.context.earlyPlacementStatus).toBe('approved');
    refused('EARLY_PLACEMENT_APPROVED', as('hq'), 'once every approval level has signed it off');
  });

  test('once approved, the forms are due in a month, with reminders 14 and 3 days before', () => {
    const r = approvedEarly(baseInput);
    expect(r.snapshot.context.formsDueBy).toBe('2026-04-02T02:00:00.000Z');
    expect(r.startTimers.map((t) => [t.id, t.dueAt])).toEqual([
      ['timer.formsFirstReminder', '2026-03-19T02:00:00.000Z'],
      ['timer.formsLastReminder', '2026-03-30T02:00:00.000Z'],
      ['timer.formsDue', '2026-04-02T02:00:00.000Z'],
    ]);
    expect(r.notifications).toEqual([expect.objectContaining({ template: 'earlyPlacementApproved' })]);
  });

  test('the forms timers outlive the state that armed them; expiry escalates and marks the case overdue', () => {
    let r = approvedEarly(baseInput);
    const [first, last, due] = r.startTimers;
    // The contract moves on meanwhile: approval → signing. The case-level timers are not cancelled.
    r = send(c, r, 'APPROVE', {}, as('sales_manager'), MON + DAY);
    expect(r.state).toBe('signing');
    expect(r.cancelTimers.filter((id) => id.startsWith('timer.'))).toEqual([]);
    r = step(c, r.snapshot, first!.event, Date.parse(first!.dueAt));
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'reminder', template: 'formsDueIn14Days' })]);
    r = step(c, r.snapshot, last!.event, Date.parse(last!.dueAt));
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'reminder', template: 'formsDueIn3Days' })]);
    expect(r.snapshot.context.overdue).toBe(false);
    r = step(c, r.snapshot, due!.event, Date.parse(due!.dueAt));
    expect(r.state).toBe('signing');
    expect(r.notifications).toEqual([
      expect.objectContaining({ kind: 'escalation', template: 'formsOverdue', to: [{ role: 'sales_manager' }, { role: 'hq' }] }),
    ]);
    expect(r.snapshot.context).toMatchObject({ overdue: true, overdueSince: due!.dueAt });
    // Late forms are still recorded, and say they were late.
    r = send(c, r, 'FORMS_RETURNED', { a1: 'A1-7', a2: 'A2-7', a3: 'A3-7' }, as('contract_admin'), Date.parse(due!.dueAt) + DAY);
    expect(r.snapshot.context).toMatchObject({
      earlyPlacementStatus: 'formsReturned',
      overdue: false,
      formsReturnedLate: true,
      formA1: 'A1-7',
    });
  });

  test('forms returned in time cancel the three timers; a second return is refused', () => {
    let r = approvedEarly(baseInput);
    r = send(c, r, 'FORMS_RETURNED', { a1: 'A1-1', a2: 'A2-1', a3: 'A3-1' }, as('contract_admin'), MON + 5 * DAY);
    expect(r.cancelTimers.sort()).toEqual(['timer.formsDue', 'timer.formsFirstReminder', 'timer.formsLastReminder']);
    expect(r.snapshot.context).toMatchObject({ formA1: 'A1-1', formA2: 'A2-1', formA3: 'A3-1', formsReturnedLate: false, overdue: false });
    expect(
      checkEvent(c, r.snapshot, { type: 'FORMS_RETURNED', data: { a1: 'x', a2: 'y', a3: 'z' }, actor: as('contract_admin') }, MON),
    ).toMatchObject({
      code: 'ConditionNotMet',
      message: expect.stringContaining('only after early placement has been approved, and only once'),
    });
  });

  test('forms cannot be recorded before early placement is approved, and early placement is not offered once the contract is signed', () => {
    let r = inApproval(c, baseInput);
    expect(
      checkEvent(c, r.snapshot, { type: 'FORMS_RETURNED', data: { a1: 'x', a2: 'y', a3: 'z' }, actor: as('contract_admin') }, MON),
    ).toMatchObject({
      code: 'ConditionNotMet',
    });
    r = signedOffActive(c, baseInput);
    expect(
      checkEvent(c, r.snapshot, { type: 'REQUEST_EARLY_PLACEMENT', data: { a3SignedByCustomer: true }, actor: rep }, MON),
    ).toMatchObject({
      code: 'NotAllowedInState',
    });
  });
});

import cnJson from '../../calendars/cn.json';
import orderPartJson from '../fixtures/definitions/order_part.json';
import orderReviewJson from '../fixtures/definitions/order_review.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, DONE_PREFIX, type CompiledDefinition } from '../../engine/compile';
import { lintDefinition, assertValidDefinition } from '../../engine/lint';
import { persistSnapshot, restoreSnapshot, startCase, step, type StepResult } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { subprocessCaseId, subprocessItems } from '../../engine/subprocess';
import { evaluateTask } from '../../engine/tasks';
import type { Actor } from '../../engine/types';

const cn = validateCalendar(cnJson);
const T0 = Date.parse('2026-03-02T09:00:00+08:00'); // a Monday
const rep: Actor = { userId: 'rita', role: 'sales_rep' };
const manager: Actor = { userId: 'mark', role: 'sales_manager' };
const gm: Actor = { userId: 'gina', role: 'gm' };
const legal: Actor = { userId: 'leo', role: 'legal' };

function compile(edit?: (d: Record<string, any>) => void): CompiledDefinition {
  const raw = structuredClone(orderReviewJson) as Record<string, any>;
  edit?.(raw);
  return compileDefinition(assertValidDefinition(raw), cn);
}

const order = { customer: 'c-1', parts: ['frame', 'wheel', 'frame'], amount: 300_000, standard: false };

/** Starts an order and feeds the check's real output back, as the workflow does. */
function started(c: CompiledDefinition, input: Record<string, unknown> = order): StepResult {
  const start = startCase(c, input, T0);
  expect(start.invocations).toEqual([{ id: 'check', kind: 'task', context: expect.objectContaining(input) }]);
  const output = evaluateTask({
    task: c.definition.tasks.check!,
    context: start.invocations[0]!.context,
    params: c.params,
    guards: c.definition.guards,
    now: T0,
  });
  return step(c, start.snapshot, { type: `${DONE_PREFIX}check`, output } as never, T0 + 1000);
}

describe('automatic tasks', () => {
  test('a passing check goes on; its done event computes the approval chain and starts a case-level timer', () => {
    const c = compile();
    const r = started(c);
    expect(r.state).toBe('working');
    expect(r.snapshot.context.pendingApprovers).toEqual(['sales_manager', 'gm', 'legal']);
    expect(r.snapshot.context.reportDueBy).toBe(new Date(T0 + 1000 + 5 * 86_400_000).toISOString());
    expect(r.startTimers).toEqual([
      expect.objectContaining({ id: 'timer.reportDue', delay: 'reportDue', event: { type: 'timer.reportDue' } }),
    ]);
    expect(r.invocations).toEqual([{ id: 'parts', kind: 'subprocess', context: expect.objectContaining({ parts: order.parts }) }]);
  });

  test('a failing check lists every broken rule with its values, in both languages', () => {
    const c = compile();
    const output = evaluateTask({
      task: c.definition.tasks.check!,
      context: { amount: 2_000_000, parts: [] },
      params: c.params,
      guards: c.definition.guards,
      now: T0,
    });
    expect(output).toEqual({
      passed: false,
      violations: [
        { rule: 'amountWithinLimit', labels: { en: 'amount 2000000 is above 1000000', 'zh-CN': '金额 2000000 超过上限 1000000' } },
        { rule: 'hasParts', labels: { en: 'an order needs at least one part', 'zh-CN': '订单至少需要一个部件' } },
      ],
    });
    const r = started(c, { ...order, amount: 2_000_000, parts: [] });
    expect(r.state).toBe('rejected');
    expect(r.status).toBe('completed');
    expect(r.snapshot.context.violations).toHaveLength(2);
  });

  test('parameters decide the chain and the check without code', () => {
    const c = compile((d) => {
      d.parameters.gmThreshold.default = 500_000;
      d.parameters.maxAmount.default = 100_000;
    });
    expect(started(c).state).toBe('rejected');
    const c2 = compile((d) => (d.parameters.gmThreshold.default = 500_000));
    expect(started(c2, { ...order, standard: true }).snapshot.context.pendingApprovers).toEqual(['sales_manager']);
  });
});

describe('sub-processes', () => {
  test('one distinct item per key, with its input read from the context', () => {
    const c = compile();
    const r = started(c);
    expect(subprocessItems(c, 'parts', r.invocations[0]!.context, T0)).toEqual([
      { key: 'frame', input: { customer: 'c-1', part: 'frame' } },
      { key: 'wheel', input: { customer: 'c-1', part: 'wheel' } },
    ]);
    expect(subprocessCaseId('order_review-1', 'parts', 'frame')).toBe('order_review-1.parts.frame');
  });

  test('a key that is not a short name is refused', () => {
    const c = compile();
    expect(() => subprocessItems(c, 'parts', { parts: ['a b'] }, T0)).toThrow(/not a short name/);
  });

  test('the done event moves on with the items; a snapshot with a running sub-process survives persist and restore', () => {
    const c = compile();
    const working = started(c);
    const restored = restoreSnapshot(c, JSON.parse(JSON.stringify(persistSnapshot(c, working.snapshot))));
    const items = [{ key: 'frame', caseId: 'x.parts.frame', state: 'finished', context: {} }];
    const r = step(c, restored, { type: `${DONE_PREFIX}parts`, output: { items } } as never, T0 + 2000);
    expect(r.state).toBe('approving');
    expect(r.snapshot.context.partResults).toEqual(items);
    expect(r.stopped).toEqual(['parts']);
    expect(r.startTimers.map((t) => t.delay)).toEqual(['approvalDue']);
  });

  test('a human cannot send a done event or a timer event', () => {
    const c = compile();
    const working = started(c);
    for (const type of [`${DONE_PREFIX}parts`, 'timer.reportDue']) {
      expect(checkEvent(c, working.snapshot, { type, actor: manager }, T0)).toMatchObject({ code: 'UnknownEvent' });
    }
  });
});

describe('approval chain and case-level timers', () => {
  function approving(c: CompiledDefinition) {
    const working = started(c);
    return step(c, working.snapshot, { type: `${DONE_PREFIX}parts`, output: { items: [] } } as never, T0 + 2000);
  }

  test('only the role whose turn it is may approve, and the refusal says so in words', () => {
    const c = compile();
    const r = approving(c);
    expect(checkEvent(c, r.snapshot, { type: 'APPROVE', actor: gm }, T0 + 3000)).toEqual({
      code: 'ConditionNotMet',
      message: expect.stringContaining('only the approver whose turn it is may approve'),
    });
    let s = r;
    for (const [actor, expected] of [
      [manager, 'approving'],
      [gm, 'approving'],
      [legal, 'done'],
    ] as const) {
      expect(checkEvent(c, s.snapshot, { type: 'APPROVE', actor }, T0 + 3000)).toBeNull();
      s = step(c, s.snapshot, { type: 'APPROVE', actor }, T0 + 3000);
      expect(s.state).toBe(expected);
    }
    expect(s.snapshot.context.approvals.map((a: { role: string }) => a.role)).toEqual(['sales_manager', 'gm', 'legal']);
  });

  test('a re-entered approval re-arms its deadline; the reminder goes to the role whose turn it is', () => {
    const c = compile();
    const r = approving(c);
    const next = step(c, r.snapshot, { type: 'APPROVE', actor: manager }, T0 + 3000);
    expect(next.cancelTimers).toEqual([expect.stringContaining('approvalDue')]);
    expect(next.startTimers.map((t) => t.delay)).toEqual(['approvalDue']);
    const reminded = step(c, next.snapshot, next.startTimers[0]!.event, Date.parse(next.startTimers[0]!.dueAt));
    expect(reminded.notifications).toEqual([expect.objectContaining({ template: 'approvalDue', to: [{ role: 'gm' }] })]);
  });

  test('the case-level timer outlives state changes and is stopped by its cancel action', () => {
    const c = compile();
    const r = approving(c);
    expect(r.cancelTimers).not.toContain('timer.reportDue');
    const fired = step(c, r.snapshot, { type: 'timer.reportDue' }, T0 + 6 * 86_400_000);
    expect(fired.notifications.map((n) => n.template)).toEqual(['reportOverdue']);
    expect(fired.snapshot.context.overdue).toBe(true);
    const reported = step(c, r.snapshot, { type: 'REPORT', actor: rep }, T0 + 4000);
    expect(reported.cancelTimers).toEqual(['timer.reportDue']);
  });
});

describe('the linter knows the extensions', () => {
  const problems = (edit: (d: Record<string, any>) => void) => {
    const raw = structuredClone(orderReviewJson) as Record<string, any>;
    edit(raw);
    return lintDefinition(raw).problems.map((p) => `${p.code} ${p.path}`);
  };

  test('the fixtures are clean', () => {
    expect(lintDefinition(orderReviewJson).problems).toEqual([]);
    expect(lintDefinition(orderPartJson).problems).toEqual([]);
  });

  test('an invoke of something undeclared, or whose id differs from its src', () => {
    expect(problems((d) => (d.machine.states.working.invoke.src = 'prts'))).toEqual(
      expect.arrayContaining(['unknown-invoke machine.states.working.invoke.src', 'unknown-invoke machine.states.working.invoke.id']),
    );
  });

  test('a timer event no action starts, a timer action on an unknown delay, a dueAt of an unknown delay', () => {
    expect(problems((d) => (d.machine.on['timer.reportDue2'] = { actions: 'markOverdue' }))).toContain(
      'unknown-timer machine.on.timer.reportDue2',
    );
    expect(problems((d) => (d.actions.startReportTimer.delay = 'reportDew'))).toContain('unknown-delay actions.startReportTimer.delay');
    expect(problems((d) => (d.actions.computeChain.set.reportDueBy = { dueAt: 'nope' }))).toContain(
      'unknown-delay actions.computeChain.set.reportDueBy.dueAt',
    );
  });

  test('paths inside computed values and guard labels of unknown guards', () => {
    expect(problems((d) => (d.actions.computeChain.set.pendingApprovers.pick[1].when.gte[1] = 'param.gmThreshld'))).toContain(
      'unknown-parameter actions.computeChain.set.pendingApprovers.pick[1].when.gte[1]',
    );
    expect(problems((d) => (d.guardLabels.isTurnn = { en: 'x', 'zh-CN': 'x' }))).toContain('unknown-label guardLabels.isTurnn');
  });
});

test('a state entered and left in one step (through always) arms none of its timers', () => {
  const raw = structuredClone(orderPartJson) as Record<string, any>;
  raw.delays = { passDue: { businessDays: 1 } };
  raw.stateLabels.passing = { en: 'Passing', 'zh-CN': '经过' };
  raw.machine.states.open.on.PART_DONE.target = 'passing';
  raw.machine.states.passing = { after: { passDue: { target: 'finished' } }, always: { target: 'finished' } };
  const c = compileDefinition(assertValidDefinition(raw), cn);
  const start = startCase(c, { customer: 'c', part: 'p' }, T0);
  const r = step(
    c,
    start.snapshot,
    { type: 'PART_DONE', data: { part: 'p', result: 'x' }, actor: { userId: 'o', role: 'dept_owner' } },
    T0,
  );
  expect(r.state).toBe('finished');
  expect(r.startTimers).toEqual([]);
});

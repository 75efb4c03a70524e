/**
 * Two engine features the follow-up plan needed, written for any definition: a number or value read
 * from the parameter a value of the case chooses (`{ paramBy, params }`), and Docket's own role
 * (`system`) among those that start a case and send its events, and as the one that reassigns a task
 * on a handover.
 */
import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { checkEvent } from '../../engine/check';
import { compileDefinition, delayDueAt } from '../../engine/compile';
import { describeDelay } from '../../engine/definition-outline';
import { resolveNumber, resolveValue, valueRefPaths } from '../../engine/expressions';
import { assertValidDefinition, lintDefinition } from '../../engine/lint';
import { startCase, step } from '../../engine/step';
import { SYSTEM_ACTOR, type Actor } from '../../engine/types';
import { workView } from '../../engine/work/view';

const cn = validateCalendar(cnJson);
const T0 = Date.parse('2026-03-02T09:00:00+08:00'); // a Monday
const DAY = 86_400_000;
const L = (en: string) => ({ en, 'zh-CN': en });

/** A small process: a case waits a number of days chosen by its tier, then a rep works it. */
function tiered(edit?: (d: Record<string, any>) => void): Record<string, any> {
  const d: Record<string, any> = {
    process: 'tiered',
    version: 1,
    labels: L('Tiered'),
    startedBy: ['system'],
    customerField: 'customer',
    input: {
      type: 'object',
      required: ['customer', 'tier'],
      properties: {
        customer: { type: 'string', 'x-labels': L('Customer') },
        tier: {
          type: 'string',
          enum: ['gold', 'silver'],
          'x-labels': L('Tier'),
          'x-enum-labels': { gold: L('Gold'), silver: L('Silver') },
        },
        rep: { type: 'string', 'x-labels': L('Rep') },
      },
    },
    parameters: {
      waitGold: { type: 'integer', default: 2, labels: L('Gold wait') },
      waitSilver: { type: 'integer', default: 5, labels: L('Silver wait') },
      giftGold: { type: 'string', default: 'hamper', labels: L('Gold gift') },
    },
    delays: {
      wait: { duration: { days: { paramBy: 'context.tier', params: { gold: 'waitGold', silver: 'waitSilver' } } }, labels: L('Wait') },
    },
    actions: {
      chooseGift: { type: 'assign', set: { gift: { paramBy: 'context.tier', params: { gold: 'giftGold' } }, due: { dueAt: 'wait' } } },
    },
    events: {
      DONE: { roles: ['sales_rep'], labels: L('Done') },
      NUDGE: { roles: ['system'], labels: L('Nudge') },
    },
    taskManagers: ['sales_manager'],
    humanTasks: { working: { candidates: [{ role: 'sales_rep' }], assignee: 'context.rep', claim: false, transfer: false } },
    stateLabels: { waiting: L('Waiting'), working: L('Working'), done: L('Done') },
    machine: {
      initial: 'waiting',
      entry: 'chooseGift',
      states: {
        waiting: { after: { wait: { target: 'working' } }, on: { NUDGE: { target: 'working' } } },
        working: { on: { DONE: { target: 'done' } } },
        done: { type: 'final' },
      },
    },
  };
  edit?.(d);
  return d;
}

describe('a parameter chosen by a value of the case', () => {
  const scope = (tier: unknown) => ({ data: {}, context: { tier }, param: { waitGold: 2, waitSilver: 5 }, actor: undefined, now: T0 });
  const ref = { paramBy: 'context.tier', params: { gold: 'waitGold', silver: 'waitSilver' } };

  test('reads the parameter the value names; nothing when the value names none', () => {
    expect(resolveValue(scope('gold'), ref)).toBe(2);
    expect(resolveValue(scope('silver'), ref)).toBe(5);
    expect(resolveValue(scope('bronze'), ref)).toBeUndefined();
    expect(resolveValue(scope(undefined), ref)).toBeUndefined();
    expect(resolveValue(scope('constructor'), ref)).toBeUndefined();
    expect(resolveNumber(scope('gold').param, ref, scope('gold'))).toBe(2);
    expect(resolveNumber(scope('gold').param, ref)).toBeUndefined(); // no scope: not known
    expect(valueRefPaths(ref).paths).toEqual(['context.tier', 'param.waitGold', 'param.waitSilver']);
  });

  test('a delay counts the days its case chooses; one whose value chooses none is not armed', () => {
    const spec = { duration: { days: ref } } as never;
    expect(delayDueAt(spec, scope('silver'), scope('silver').param, cn)).toBe(T0 + 5 * DAY);
    expect(delayDueAt(spec, scope('bronze'), scope('bronze').param, cn)).toBeUndefined();
    expect(describeDelay(spec, { parameters: {} })).toBe(
      '[context.tier gold: waitGold; context.tier silver: waitSilver] days after the state is entered',
    );
  });

  test('a case arms its timer and reads its value by its own tier', () => {
    const c = compileDefinition(assertValidDefinition(tiered()), cn);
    const gold = startCase(c, { customer: 'c-1', tier: 'gold', rep: 'rita' }, T0, 'system');
    expect(gold.startTimers).toEqual([expect.objectContaining({ delay: 'wait', dueAt: new Date(T0 + 2 * DAY).toISOString() })]);
    expect(gold.snapshot.context).toMatchObject({ gift: 'hamper', due: new Date(T0 + 2 * DAY).toISOString() });
    const silver = startCase(c, { customer: 'c-2', tier: 'silver' }, T0, 'system');
    expect(silver.startTimers[0]?.dueAt).toBe(new Date(T0 + 5 * DAY).toISOString());
    expect(silver.snapshot.context.gift).toBeUndefined();
  });

  test('the linter checks the path and that every parameter named exists (a number, for a delay)', () => {
    const codes = (edit: (d: Record<string, any>) => void) => lintDefinition(tiered(edit)).problems.map((p) => [p.code, p.path]);
    expect(lintDefinition(tiered()).problems).toEqual([]);
    expect(codes((d) => (d.delays.wait.duration.days.params.gold = 'waitGlod'))).toEqual([
      ['unknown-parameter', 'delays.wait.duration.days.params.gold'],
    ]);
    expect(codes((d) => (d.delays.wait.duration.days.params.gold = 'giftGold'))).toEqual([
      ['unknown-parameter', 'delays.wait.duration.days.params.gold'],
    ]);
    expect(codes((d) => (d.delays.wait.duration.days.paramBy = 'tier'))).toEqual([['bad-path', 'delays.wait.duration.days.paramBy']]);
    expect(codes((d) => (d.actions.chooseGift.set.gift.params.gold = 'nope'))).toEqual([
      ['unknown-parameter', 'actions.chooseGift.set.gift.params.gold'],
    ]);
    expect(lintDefinition(tiered((d) => (d.delays.wait.duration.days.params = {}))).ok).toBe(false);
  });
});

describe('Docket’s own role', () => {
  const c = compileDefinition(assertValidDefinition(tiered()), cn);
  const rita: Actor = { userId: 'rita', role: 'sales_rep' };
  const sam: Actor = { userId: 'sam', role: 'sales_manager' };

  test('a definition may let the system start a case and send an event; people may not send that event', () => {
    const start = startCase(c, { customer: 'c-1', tier: 'gold', rep: 'rita' }, T0, 'system');
    expect(checkEvent(c, start.snapshot, { type: 'NUDGE', actor: rita }, T0)?.code).toBe('Forbidden');
    expect(checkEvent(c, start.snapshot, { type: 'NUDGE', actor: SYSTEM_ACTOR }, T0)).toBeNull();
  });

  test('the system is no role of a task, a recipient or a task manager', () => {
    const problems = (edit: (d: Record<string, any>) => void) => lintDefinition(tiered(edit)).problems.map((p) => [p.code, p.path]);
    expect(problems((d) => (d.humanTasks.working.candidates = [{ role: 'system' }]))).toEqual([
      ['unknown-role', 'humanTasks.working.candidates[0].role'],
    ]);
    expect(problems((d) => (d.taskManagers = ['system']))).toEqual([['unknown-role', 'taskManagers[0]']]);
    expect(problems((d) => (d.events.DONE.roles = ['sytem']))).toEqual([['unknown-role', 'events.DONE.roles[0]']]);
    expect(lintDefinition(tiered((d) => (d.events.DONE.roles = ['sytem']))).problems[0]?.message).toContain('did you mean "system"');
  });

  test('the system reassigns a task where the definition lets task managers reassign, and nowhere else', () => {
    const start = startCase(c, { customer: 'c-1', tier: 'gold', rep: 'rita' }, T0, 'system');
    const working = step(c, start.snapshot, { type: 'NUDGE', actor: SYSTEM_ACTOR }, T0 + 1000).snapshot;
    const reassign = (actor: Actor, snapshot = working, on = c) =>
      checkEvent(on, snapshot, { type: 'task.reassign', data: { to: 'ray', comment: 'Handover 1' }, actor }, T0 + 2000);
    expect(reassign(rita)?.code).toBe('OperationNotAllowed');
    expect(reassign(sam)).toBeNull();
    expect(reassign(SYSTEM_ACTOR)).toBeNull();
    const moved = step(c, working, { type: 'task.reassign', data: { to: 'ray' }, actor: SYSTEM_ACTOR }, T0 + 2000);
    expect(workView(c, moved.snapshot).tasks[0]?.assignee).toBe('ray');

    const noManagers = compileDefinition(assertValidDefinition(tiered((d) => delete d.taskManagers)), cn);
    const s0 = startCase(noManagers, { customer: 'c-1', tier: 'gold', rep: 'rita' }, T0, 'system');
    const w = step(noManagers, s0.snapshot, { type: 'NUDGE', actor: SYSTEM_ACTOR }, T0 + 1000).snapshot;
    expect(reassign(SYSTEM_ACTOR, w, noManagers)?.message).toContain('cannot be reassigned');
  });
});

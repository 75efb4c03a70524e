/**
 * The follow-up plan (definitions/follow_up.json) on the pure engine: planned on the grade's frequency,
 * due as the owner's task, reminded and escalated when overdue, done by a logged contact, re-planned on a
 * new grade, following the record's owner, postponed by the owner, ended with the grade.
 */
import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import followUpJson from '../../definitions/follow_up.json';
import { validateCalendar } from '../../engine/calendar';
import { checkEvent } from '../../engine/check';
import { compileDefinition, type CompiledDefinition } from '../../engine/compile';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step, type StepResult, type TimerSpec } from '../../engine/step';
import { SYSTEM_ACTOR, type Actor } from '../../engine/types';
import { workView } from '../../engine/work/view';

const cn = validateCalendar(cnJson);
const definition = assertValidDefinition(followUpJson, 'definitions/follow_up.json');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
/** Monday 9 March 2026, 10:00 in Shanghai. */
const T0 = Date.parse('2026-03-09T10:00:00+08:00');

const rep: Actor = { userId: 'ray', role: 'sales_rep' };
const otherRep: Actor = { userId: 'rita', role: 'sales_rep' };
const manager: Actor = { userId: 'sam', role: 'sales_manager' };

/** A plan case driven through the pure step function, its timers fired by hand. */
class Plan {
  snapshot: AnyMachineSnapshot;
  timers = new Map<string, TimerSpec>();
  last: StepResult;
  constructor(
    readonly compiled: CompiledDefinition,
    input: Record<string, unknown>,
    public now = T0,
  ) {
    this.last = startCase(compiled, input, now, 'system');
    this.snapshot = this.last.snapshot;
    this.track(this.last);
  }
  private track(r: StepResult) {
    r.cancelTimers.forEach((id) => this.timers.delete(id));
    r.startTimers.forEach((t) => this.timers.set(t.id, t));
  }
  get state() {
    return this.last.state;
  }
  get context() {
    return this.snapshot.context as Record<string, any>;
  }
  deadline(delay: string): TimerSpec | undefined {
    return [...this.timers.values()].find((t) => t.delay === delay);
  }
  /** Checks and applies an event at `at` (now by default); returns the refusal code, or null. */
  send(type: string, data: Record<string, unknown>, actor: Actor = SYSTEM_ACTOR, at = this.now): string | null {
    this.now = at;
    const refusal = checkEvent(this.compiled, this.snapshot, { type, data, actor }, at);
    if (refusal) return refusal.code;
    this.apply({ type, data, actor });
    return null;
  }
  /** Fires the timer of `delay` at its due time. */
  fire(delay: string) {
    const t = this.deadline(delay);
    if (!t) throw new Error(`no running ${delay}; running: ${[...this.timers.values()].map((x) => x.delay).join(', ')}`);
    this.timers.delete(t.id);
    this.now = Math.max(this.now, Date.parse(t.dueAt));
    this.apply(t.event);
  }
  private apply(event: { type: string; data?: Record<string, unknown>; actor?: Actor }) {
    this.last = step(this.compiled, this.snapshot, event, this.now);
    this.snapshot = this.last.snapshot;
    this.track(this.last);
  }
}

const compiled = compileDefinition(definition, cn);
const plan = (grade = 'A', extra: Record<string, unknown> = {}) =>
  new Plan(compiled, { customer: 'CUST-2001', owner: 'ray', grade, ...extra });

test('a new plan counts from its start on the grade’s frequency, with the grade’s channel', () => {
  for (const [grade, days, channel] of [
    ['A', 7, 'call_or_visit'],
    ['B', 14, 'email'],
    ['C', 30, 'newsletter'],
  ] as const) {
    const p = plan(grade);
    expect(p.state).toBe('waiting');
    expect(p.context).toMatchObject({ grade, channel, intervalDays: days, dueAt: iso(T0 + days * DAY), plannedFrom: iso(T0) });
    expect(p.deadline('followUpDue')?.dueAt).toBe(iso(T0 + days * DAY));
    expect(workView(compiled, p.snapshot).tasks).toEqual([]);
  }
});

test('a due follow-up is the owner’s task; a day later they are reminded, two business days later a sales manager is told', () => {
  const p = plan('A');
  p.fire('followUpDue');
  expect(p.state).toBe('due');
  expect(p.last.notifications).toEqual([expect.objectContaining({ kind: 'info', template: 'followUpDue', to: [{ userId: 'ray' }] })]);
  const [task] = workView(compiled, p.snapshot).tasks;
  expect(task).toMatchObject({ state: 'due', assignee: 'ray', labels: { en: 'Follow up with the customer' } });
  // Monday + 7 days = Monday 16 March: reminded Tuesday, escalated Wednesday.
  expect(p.deadline('overdueReminder')?.dueAt).toBe('2026-03-17T02:00:00.000Z');
  expect(p.deadline('overdueEscalation')?.dueAt).toBe('2026-03-18T02:00:00.000Z');
  p.fire('overdueReminder');
  expect(p.last.notifications).toEqual([expect.objectContaining({ kind: 'reminder', to: [{ userId: 'ray' }] })]);
  p.fire('overdueEscalation');
  expect(p.last.notifications).toEqual([expect.objectContaining({ kind: 'escalation', to: [{ role: 'sales_manager' }] })]);
  expect(p.state).toBe('due');
  expect(p.context.overdue).toBe(true);
});

test('a logged contact completes a due follow-up and plans the next from the contact’s time', () => {
  const p = plan('B');
  p.fire('followUpDue');
  const contactAt = p.now + 2 * DAY;
  expect(p.send('CONTACT_LOGGED', { contactId: 5, at: iso(contactAt), channel: 'email', by: 'amy' }, SYSTEM_ACTOR, contactAt + 1000)).toBe(
    null,
  );
  expect(p.state).toBe('waiting');
  expect(p.context).toMatchObject({ followUpsDone: 1, lastContactId: 5, plannedFrom: iso(contactAt), overdue: false });
  expect(p.deadline('followUpDue')?.dueAt).toBe(iso(contactAt + 14 * DAY));
  expect(p.deadline('overdueReminder')).toBeUndefined();
  // The same contact again, or an older one, counts once.
  expect(p.send('CONTACT_LOGGED', { contactId: 5, at: iso(contactAt) })).toBe('ConditionNotMet');
  expect(p.send('CONTACT_LOGGED', { contactId: 3, at: iso(contactAt) })).toBe('ConditionNotMet');
});

test('a contact before the follow-up is due moves it on; one dated before the plan’s start is noted only', () => {
  const p = plan('A', { lastContactId: 10 });
  expect(p.send('CONTACT_LOGGED', { contactId: 9, at: iso(T0 + DAY) }, SYSTEM_ACTOR, T0 + DAY)).toBe('ConditionNotMet');
  expect(p.send('CONTACT_LOGGED', { contactId: 11, at: iso(T0 - DAY) }, SYSTEM_ACTOR, T0 + DAY)).toBe(null);
  expect(p.context).toMatchObject({ lastContactId: 11, contactsBeforeDue: 0, dueAt: iso(T0 + 7 * DAY) });
  expect(p.send('CONTACT_LOGGED', { contactId: 12, at: iso(T0 + 3 * DAY) }, SYSTEM_ACTOR, T0 + 3 * DAY)).toBe(null);
  expect(p.state).toBe('waiting');
  expect(p.context).toMatchObject({ lastContactId: 12, contactsBeforeDue: 1, followUpsDone: 0 });
  expect(p.deadline('followUpDue')?.dueAt).toBe(iso(T0 + 10 * DAY));
});

test('a new grade re-plans from the change on the new frequency, waiting or due; the same grade is refused', () => {
  const p = plan('C');
  expect(p.send('GRADE_CHANGED', { grade: 'A', changeId: 3 }, SYSTEM_ACTOR, T0 + 2 * DAY)).toBe(null);
  expect(p.state).toBe('waiting');
  expect(p.context).toMatchObject({ grade: 'A', channel: 'call_or_visit', replans: 1, dueAt: iso(T0 + 9 * DAY) });
  expect(p.deadline('followUpDue')?.dueAt).toBe(iso(T0 + 9 * DAY));
  expect([...p.timers.values()].filter((t) => t.delay === 'followUpDue')).toHaveLength(1);
  expect(p.send('GRADE_CHANGED', { grade: 'A' })).toBe('ConditionNotMet');
  p.fire('followUpDue');
  expect(p.state).toBe('due');
  expect(p.send('GRADE_CHANGED', { grade: 'B' }, SYSTEM_ACTOR, p.now + DAY)).toBe(null);
  expect(p.state).toBe('waiting');
  expect(p.deadline('overdueEscalation')).toBeUndefined();
  expect(p.deadline('followUpDue')?.dueAt).toBe(iso(p.now + 14 * DAY));
});

test('the plan follows the record’s owner: the due task moves with it', () => {
  const p = plan('A');
  p.fire('followUpDue');
  expect(p.send('OWNER_CHANGED', { owner: 'rita', handoverId: 4 })).toBe(null);
  expect(workView(compiled, p.snapshot).tasks[0]?.assignee).toBe('rita');
  expect(p.context.ownerChanges).toEqual([{ from: 'ray', to: 'rita', handoverId: 4, at: iso(p.now) }]);
  expect(p.send('OWNER_CHANGED', { owner: 'rita' })).toBe('ConditionNotMet');
  p.fire('overdueReminder');
  expect(p.last.notifications[0]?.to).toEqual([{ userId: 'rita' }]);
});

test('people may not send what only Docket sends; the owner or a sales manager postpones a due follow-up', () => {
  const p = plan('A');
  expect(p.send('CONTACT_LOGGED', { contactId: 1, at: iso(T0) }, rep)).toBe('Forbidden');
  expect(p.send('POSTPONE', { until: iso(T0 + 20 * DAY), reason: 'Customer abroad' }, rep)).toBe('NotAllowedInState');
  p.fire('followUpDue');
  expect(p.send('POSTPONE', { until: iso(p.now + 3 * DAY), reason: 'Not mine' }, otherRep)).toBe('ConditionNotMet');
  expect(p.send('POSTPONE', { until: iso(p.now - DAY), reason: 'Past' }, rep)).toBe('ConditionNotMet');
  expect(p.send('POSTPONE', { until: iso(p.now + 3 * DAY), reason: 'Customer abroad until Thursday' }, rep)).toBe(null);
  expect(p.state).toBe('waiting');
  expect(p.deadline('followUpDue')?.dueAt).toBe(iso(p.now + 3 * DAY));
  p.fire('followUpDue');
  expect(p.send('POSTPONE', { until: iso(p.now + DAY), reason: 'Trade fair' }, manager)).toBe(null);
  expect(p.context.postponements).toHaveLength(2);
});

test('removing the grade ends the plan (the workflow stops the timers of a finished case)', () => {
  const p = plan('B');
  expect(p.send('PLAN_ENDED', { reason: 'grade_removed' })).toBe(null);
  expect(p.last.status).toBe('completed');
  expect(p.state).toBe('ended');
  expect(p.send('CONTACT_LOGGED', { contactId: 1, at: iso(T0) })).toBe('CaseClosed');
});

test('the frequencies and channels are parameters: an edited version plans on its own values', () => {
  const edited = structuredClone(followUpJson) as any;
  edited.parameters.intervalDaysA.default = 3;
  edited.parameters.channelA.default = 'visit';
  const p = new Plan(compileDefinition(assertValidDefinition(edited, 'edited'), cn), { customer: 'CUST-1', owner: 'ray', grade: 'A' });
  expect(p.context).toMatchObject({ channel: 'visit', intervalDays: 3, dueAt: iso(T0 + 3 * DAY) });
});

import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import complaintJson from '../../definitions/shipped/complaint.v1.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, delayDueAt, type CompiledDefinition } from '../../engine/compile';
import type { GuardExpr } from '../../engine/definition-schema';
import { evaluateGuard, readPath, resolveValue, type Scope } from '../../engine/expressions';
import { assertValidDefinition } from '../../engine/lint';
import {
  allowedEvents,
  parseAfterEvent,
  persistSnapshot,
  restoreSnapshot,
  startCase,
  stateToString,
  step,
  type StepResult,
  type TimerSpec,
} from '../../engine/step';
import { checkEvent } from '../../engine/check';
import type { Actor } from '../../engine/types';

/** An instant written with an explicit offset (Asia/Shanghai is +08:00, no daylight saving). */
const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test instant ${iso}`);
  return t;
};

const cn = validateCalendar(cnJson);
const complaint = assertValidDefinition(complaintJson, 'definitions/shipped/complaint.v1.json');
const compile = (): CompiledDefinition => compileDefinition(complaint, cn);

const cs: Actor = { userId: 'u-agent', role: 'cs_agent' };
const handler: Actor = { userId: 'u-handler', role: 'handler' };
const manager: Actor = { userId: 'u-manager', role: 'service_manager' };

const input = {
  customer: 'cust-42',
  contact: '138 0000 0000',
  channel: 'phone',
  content: 'The door of the cabinet arrived cracked',
  category: 'product_quality',
  severity: 'high',
};

const timerId = (delay: string, state: string) => `xstate.after.${delay}.complaint.${state}`;

/** Sends a human event after checking that checkEvent would let it through. */
function send(
  c: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  type: string,
  data: Record<string, unknown>,
  actor: Actor,
  now: number,
): StepResult {
  expect(checkEvent(c, snapshot, { type, data, actor }, now)).toBeNull();
  return step(c, snapshot, { type, data, actor }, now);
}

/** Feeds a timer back into the machine, by default when it is due. */
function fire(c: CompiledDefinition, snapshot: AnyMachineSnapshot, timer: TimerSpec | undefined, now?: number): StepResult {
  if (!timer) throw new Error('timer not armed');
  return step(c, snapshot, timer.event, now ?? Date.parse(timer.dueAt));
}

const timer = (r: StepResult, delay: string) => r.startTimers.find((t) => t.delay === delay);

const acceptData = { department: 'after_sales', assignee: 'u-handler' };

/** Friday 3 April 2026, the working day before Qingming (Sat 4 – Mon 6 April off). */
const FRI_BEFORE_QINGMING = at('2026-04-03T10:00:00+08:00');

function received(c: CompiledDefinition, now = FRI_BEFORE_QINGMING): StepResult {
  return startCase(c, input, now);
}

function investigating(c: CompiledDefinition, promisedResponseBy?: string): StepResult {
  const r = received(c);
  return send(
    c,
    r.snapshot,
    'ACCEPT',
    { ...acceptData, ...(promisedResponseBy ? { promisedResponseBy } : {}) },
    cs,
    at('2026-04-03T15:00:00+08:00'),
  );
}

function planning(c: CompiledDefinition): StepResult {
  const r = investigating(c);
  return send(
    c,
    r.snapshot,
    'SUBMIT_FINDINGS',
    { findings: 'Cracked in transit', customerExpectation: 'A new door' },
    handler,
    at('2026-04-07T10:00:00+08:00'),
  );
}

describe('startCase', () => {
  it('enters the initial state with the input merged into the initial context', () => {
    const r = received(compile());
    expect(r.state).toBe('received');
    expect(r.status).toBe('open');
    expect(r.changed).toBe(true);
    expect(r.notifications).toEqual([]);
    expect(r.cancelTimers).toEqual([]);
    expect(r.snapshot.context).toEqual({ proposals: 0, reopenings: 0, customerRejections: 0, contacts: [], ...input });
  });

  it('arms the acceptance deadline one business day later, skipping the weekend and the Qingming holiday', () => {
    const r = received(compile());
    expect(r.startTimers).toEqual([
      {
        id: timerId('acceptDue', 'received'),
        delay: 'acceptDue',
        state: 'received',
        // Friday 10:00 + 1 business day: Sat/Sun and Monday 6 April (Qingming) are off → Tuesday 10:00 +08:00.
        dueAt: '2026-04-07T02:00:00.000Z',
        // What a newer calendar version recounts it from: the start of the case.
        countedFrom: '2026-04-03T02:00:00.000Z',
        event: { type: timerId('acceptDue', 'received') },
      },
    ]);
  });

  it('counts a make-up working day (调休) and starts counting after hours at the next morning', () => {
    // Friday 13 February 2026: Saturday 14 February is worked before the Spring Festival.
    expect(timer(received(compile(), at('2026-02-13T10:00:00+08:00')), 'acceptDue')?.dueAt).toBe('2026-02-14T02:00:00.000Z');
    // Friday 19:30, after business hours: counting starts Tuesday 09:00 (after Qingming) → Wednesday 09:00.
    expect(timer(received(compile(), at('2026-04-03T19:30:00+08:00')), 'acceptDue')?.dueAt).toBe('2026-04-08T01:00:00.000Z');
  });
});

describe('deadlines', () => {
  it('ACCEPT records the acceptance, cancels the acceptance deadline and arms the investigation and promise deadlines', () => {
    const c = compile();
    const r = investigating(c, '2026-04-07T11:00:00+08:00');
    expect(r.state).toBe('investigating');
    expect(r.snapshot.context).toMatchObject({
      department: 'after_sales',
      assignee: 'u-handler',
      promisedResponseBy: '2026-04-07T11:00:00+08:00',
      acceptedBy: 'u-agent',
      acceptedAt: '2026-04-03T07:00:00.000Z',
    });
    expect(r.cancelTimers).toEqual([timerId('acceptDue', 'received')]);
    const due = Object.fromEntries(r.startTimers.map((t) => [t.delay, t.dueAt]));
    expect(due).toEqual({
      // Friday 15:00 + 3 / 4 business days (Tue 7, Wed 8, Thu 9, Fri 10 April).
      investigationReminder: '2026-04-09T07:00:00.000Z',
      investigationEscalation: '2026-04-10T07:00:00.000Z',
      // 4 business hours before Tuesday 11:00: 2 h on Tuesday, 2 h back on Friday (before the holiday) → Friday 16:00.
      promiseReminder: '2026-04-03T08:00:00.000Z',
      promiseDue: '2026-04-07T03:00:00.000Z',
    });
    // Investigation deadlines count from the acceptance, promise deadlines from the promised time.
    const from = Object.fromEntries(r.startTimers.map((t) => [t.delay, t.countedFrom]));
    expect(from).toEqual({
      investigationReminder: '2026-04-03T07:00:00.000Z',
      investigationEscalation: '2026-04-03T07:00:00.000Z',
      promiseReminder: '2026-04-07T03:00:00.000Z',
      promiseDue: '2026-04-07T03:00:00.000Z',
    });
    for (const t of r.startTimers) {
      expect(t).toEqual({
        id: timerId(t.delay, 'investigating'),
        delay: t.delay,
        state: 'investigating',
        dueAt: t.dueAt,
        countedFrom: t.countedFrom,
        event: { type: t.id },
      });
    }
  });

  it('does not arm the promise deadlines when no response time was promised', () => {
    const r = investigating(compile());
    expect(r.snapshot.context.promisedResponseBy).toBeUndefined();
    expect(r.startTimers.map((t) => t.delay)).toEqual(['investigationReminder', 'investigationEscalation']);
  });

  it('leaving a state cancels every timer it armed', () => {
    const c = compile();
    const inv = investigating(c, '2026-04-07T11:00:00+08:00');
    const r = send(
      c,
      inv.snapshot,
      'SUBMIT_FINDINGS',
      { findings: 'f', customerExpectation: 'e' },
      handler,
      at('2026-04-07T10:00:00+08:00'),
    );
    expect(r.state).toBe('planning');
    for (const t of inv.startTimers) expect(r.cancelTimers).toContain(t.id);
    // Planning arms its own promise timers; the reminder is already past: it keeps its due time and fires at once.
    expect(r.startTimers.map((t) => [t.id, t.dueAt])).toEqual([
      [timerId('promiseReminder', 'planning'), '2026-04-03T08:00:00.000Z'],
      [timerId('promiseDue', 'planning'), '2026-04-07T03:00:00.000Z'],
    ]);
  });

  it('a due timer produces a notification draft for the role and the assigned user, and leaves the state', () => {
    const c = compile();
    const inv = investigating(c);
    const r = fire(c, inv.snapshot, timer(inv, 'investigationReminder'));
    expect(r.state).toBe('investigating');
    expect(r.changed).toBe(true);
    expect(r.startTimers).toEqual([]);
    expect(r.cancelTimers).toEqual([]);
    expect(r.notifications).toEqual([
      {
        kind: 'reminder',
        template: 'investigationDue',
        subject: { en: 'Complaint investigation is due', 'zh-CN': '投诉调查核实已到期' },
        to: [{ role: 'handler', userId: 'u-handler' }],
        data: { state: 'investigating', department: 'after_sales' },
      },
    ]);
    const esc = fire(c, r.snapshot, timer(inv, 'investigationEscalation'));
    expect(esc.notifications).toEqual([
      expect.objectContaining({
        kind: 'escalation',
        template: 'investigationOverdue',
        to: [{ role: 'service_manager' }],
        data: { state: 'investigating', department: 'after_sales', assignee: 'u-handler' },
      }),
    ]);
  });

  it('escalates an unaccepted complaint to the service manager', () => {
    const c = compile();
    const r0 = received(c);
    const r = fire(c, r0.snapshot, timer(r0, 'acceptDue'));
    expect(r.state).toBe('received');
    expect(r.notifications).toEqual([
      expect.objectContaining({
        kind: 'escalation',
        template: 'acceptanceOverdue',
        to: [{ role: 'service_manager' }],
        data: { state: 'received', customer: 'cust-42', severity: 'high' },
      }),
    ]);
  });

  it('reminds before a promised response time and escalates once when it passes, even after re-entering a state', () => {
    const c = compile();
    const inv = investigating(c, '2026-04-07T11:00:00+08:00');
    const reminded = fire(c, inv.snapshot, timer(inv, 'promiseReminder'));
    expect(reminded.notifications).toEqual([
      expect.objectContaining({
        kind: 'reminder',
        template: 'promiseDueSoon',
        to: [{ role: 'handler', userId: 'u-handler' }],
        data: { state: 'investigating', promisedResponseBy: '2026-04-07T11:00:00+08:00' },
      }),
    ]);
    expect(reminded.snapshot.context.promiseReminded).toBe(true);

    const breached = fire(c, reminded.snapshot, timer(inv, 'promiseDue'));
    expect(breached.notifications).toEqual([
      expect.objectContaining({
        kind: 'escalation',
        template: 'promiseBroken',
        to: [{ role: 'handler', userId: 'u-handler' }, { role: 'service_manager' }],
      }),
    ]);
    expect(breached.snapshot.context.promiseBreached).toBe(true);

    // Planning arms the promise timers again; firing them now changes nothing.
    const plan = send(
      c,
      breached.snapshot,
      'SUBMIT_FINDINGS',
      { findings: 'f', customerExpectation: 'e' },
      handler,
      at('2026-04-07T14:00:00+08:00'),
    );
    expect(plan.state).toBe('planning');
    for (const delay of ['promiseReminder', 'promiseDue']) {
      const again = fire(c, plan.snapshot, timer(plan, delay));
      expect(again).toMatchObject({ state: 'planning', changed: false, notifications: [], startTimers: [], cancelTimers: [] });
    }
  });

  it('a timer of a state already left is a no-op', () => {
    const c = compile();
    const inv = investigating(c);
    const plan = send(
      c,
      inv.snapshot,
      'SUBMIT_FINDINGS',
      { findings: 'f', customerExpectation: 'e' },
      handler,
      at('2026-04-07T10:00:00+08:00'),
    );
    const late = fire(c, plan.snapshot, timer(inv, 'investigationReminder'));
    expect(late).toMatchObject({ state: 'planning', changed: false, notifications: [] });
  });

  it('arms the follow-up reminder two business days after execution, skipping the Labour Day holiday', () => {
    const c = compile();
    let r = planning(c);
    r = send(
      c,
      r.snapshot,
      'PROPOSE_RESOLUTION',
      { proposal: 'Replace the door', compensationAmount: 0 },
      handler,
      at('2026-04-20T10:00:00+08:00'),
    );
    r = send(c, r.snapshot, 'CUSTOMER_ACCEPTED', {}, cs, at('2026-04-21T10:00:00+08:00'));
    r = send(c, r.snapshot, 'RESOLUTION_EXECUTED', { summary: 'Door replaced' }, handler, at('2026-04-30T16:00:00+08:00'));
    expect(r.state).toBe('followingUp');
    // Thursday 30 April 16:00; 1–5 May are off → Wednesday 6, Thursday 7 May 16:00.
    expect(r.startTimers).toEqual([
      expect.objectContaining({ id: timerId('followUpReminder', 'followingUp'), dueAt: '2026-05-07T08:00:00.000Z' }),
    ]);
    const reminded = fire(c, r.snapshot, timer(r, 'followUpReminder'));
    expect(reminded.notifications).toEqual([
      expect.objectContaining({ kind: 'reminder', template: 'followUpDue', to: [{ role: 'cs_agent' }] }),
    ]);
  });
});

describe('guards', () => {
  it.each([
    [5000.01, 'awaitingApproval'],
    [1000000, 'awaitingApproval'],
    [5000, 'communicating'],
    [4999.99, 'communicating'],
    [0, 'communicating'],
  ])('a proposal of %p CNY goes to %s (approval only above the limit of 5000)', (amount, expected) => {
    const c = compile();
    const r = send(
      c,
      planning(c).snapshot,
      'PROPOSE_RESOLUTION',
      { proposal: 'p', compensationAmount: amount },
      handler,
      at('2026-04-08T10:00:00+08:00'),
    );
    expect(r.state).toBe(expected);
    expect(r.snapshot.context).toMatchObject({ proposal: 'p', compensationAmount: amount, proposals: 1 });
  });
});

describe('a whole case', () => {
  it('counts proposals, customer rejections and reopenings, and completes', () => {
    const c = compile();
    let r = planning(c);
    let t = at('2026-04-08T09:00:00+08:00');
    const next = () => (t += 3600_000);
    r = send(c, r.snapshot, 'PROPOSE_RESOLUTION', { proposal: 'Refund', compensationAmount: 8000 }, handler, next());
    expect(r.state).toBe('awaitingApproval');
    r = send(c, r.snapshot, 'REJECT', { reason: 'Too expensive' }, manager, next());
    expect(r.state).toBe('planning');
    expect(r.snapshot.context.approvalRejectionReason).toBe('Too expensive');
    r = send(c, r.snapshot, 'PROPOSE_RESOLUTION', { proposal: 'Discount', compensationAmount: 500 }, handler, next());
    expect(r.state).toBe('communicating');
    r = send(c, r.snapshot, 'LOG_CONTACT', { channel: 'phone', summary: 'Put the discount to the customer' }, cs, next());
    expect(r.state).toBe('communicating');
    r = send(c, r.snapshot, 'CUSTOMER_REJECTED', { reason: 'Wants a new door' }, cs, next());
    expect(r.state).toBe('planning');
    r = send(c, r.snapshot, 'PROPOSE_RESOLUTION', { proposal: 'New door', compensationAmount: 6000 }, handler, next());
    r = send(c, r.snapshot, 'APPROVE', {}, manager, next());
    expect(r.state).toBe('communicating');
    expect(r.snapshot.context).toMatchObject({ approvedBy: 'u-manager', approvedAt: new Date(t).toISOString() });
    r = send(c, r.snapshot, 'CUSTOMER_ACCEPTED', {}, handler, next());
    r = send(c, r.snapshot, 'RESOLUTION_EXECUTED', { summary: 'Door replaced' }, handler, next());
    r = send(c, r.snapshot, 'CUSTOMER_UNSATISFIED', { reason: 'Wrong colour' }, cs, next());
    expect(r.state).toBe('investigating');
    expect(r.snapshot.context.lastUnsatisfiedReason).toBe('Wrong colour');
    r = send(c, r.snapshot, 'SUBMIT_FINDINGS', { findings: 'Wrong colour shipped', customerExpectation: 'Right colour' }, handler, next());
    r = send(c, r.snapshot, 'PROPOSE_RESOLUTION', { proposal: 'Right colour', compensationAmount: 100 }, handler, next());
    r = send(c, r.snapshot, 'CUSTOMER_ACCEPTED', {}, cs, next());
    r = send(c, r.snapshot, 'RESOLUTION_EXECUTED', { summary: 'Replaced again' }, handler, next());
    const followUp = r;
    r = send(c, r.snapshot, 'CUSTOMER_SATISFIED', { score: 4, comment: 'Fine now' }, cs, next());
    expect(r.state).toBe('closed');
    expect(r.status).toBe('completed');
    expect(r.cancelTimers).toEqual(followUp.startTimers.map((x) => x.id));
    expect(r.snapshot.context).toMatchObject({
      proposals: 4,
      customerRejections: 1,
      reopenings: 1,
      customerRejectionReason: 'Wants a new door',
      satisfactionScore: 4,
      satisfactionComment: 'Fine now',
      executionSummary: 'Replaced again',
    });
    expect(r.snapshot.context.contacts).toEqual([
      { channel: 'phone', summary: 'Put the discount to the customer', by: 'u-agent', role: 'cs_agent', at: '2026-04-08T05:00:00.000Z' },
    ]);
    expect(allowedEvents(c, r.snapshot, undefined)).toEqual([]);
  });

  const paths: Array<[string, (c: CompiledDefinition) => StepResult]> = [
    ['received', (c) => received(c)],
    ['investigating', (c) => investigating(c, '2026-04-07T11:00:00+08:00')],
    ['planning', planning],
    [
      'awaitingApproval',
      (c) =>
        send(
          c,
          planning(c).snapshot,
          'PROPOSE_RESOLUTION',
          { proposal: 'p', compensationAmount: 9000 },
          handler,
          at('2026-04-08T10:00:00+08:00'),
        ),
    ],
  ];
  it.each(paths)('WITHDRAW from %s ends the case and cancels the state timers', (state, reach) => {
    const c = compile();
    const before = reach(c);
    expect(before.state).toBe(state);
    const armed = before.startTimers.filter((t) => t.state === state).map((t) => t.id);
    const r = send(c, before.snapshot, 'WITHDRAW', { reason: 'Resolved by phone' }, cs, at('2026-04-09T10:00:00+08:00'));
    expect(r.state).toBe('withdrawn');
    expect(r.status).toBe('completed');
    expect(r.snapshot.context).toMatchObject({ withdrawalReason: 'Resolved by phone', withdrawnBy: 'u-agent' });
    for (const id of armed) expect(r.cancelTimers).toContain(id);
    expect(r.startTimers).toEqual([]);
  });
});

/** A two-state definition whose only event has a guard on its data. */
const tinyDefinition = assertValidDefinition({
  process: 'tiny',
  version: 1,
  labels: { en: 'Tiny', 'zh-CN': '小' },
  startedBy: ['cs_agent'],
  customerField: 'customer',
  input: { type: 'object', required: ['customer'], properties: { customer: { type: 'string' } } },
  guards: { bigEnough: { gte: ['data.amount', { value: 10 }] } },
  events: {
    SUBMIT: {
      roles: ['cs_agent'],
      labels: { en: 'Submit', 'zh-CN': '提交' },
      payload: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
    },
  },
  stateLabels: { open: { en: 'Open', 'zh-CN': '打开' }, done: { en: 'Done', 'zh-CN': '完成' } },
  machine: { initial: 'open', states: { open: { on: { SUBMIT: { guard: 'bigEnough', target: 'done' } } }, done: { type: 'final' } } },
});

describe('checkEvent', () => {
  const now = at('2026-04-07T10:00:00+08:00');

  it('accepts a valid event without changing the snapshot, also with a comment and attachments', () => {
    const c = compile();
    const r = received(c);
    const before = JSON.stringify(persistSnapshot(c, r.snapshot));
    expect(
      checkEvent(
        c,
        r.snapshot,
        { type: 'ACCEPT', data: { ...acceptData, comment: 'Urgent', attachments: ['photo-1.jpg'] }, actor: cs },
        now,
      ),
    ).toBeNull();
    expect(JSON.stringify(persistSnapshot(c, r.snapshot))).toBe(before);
  });

  it('UnknownEvent: an event the process does not declare', () => {
    const c = compile();
    const refusal = checkEvent(c, received(c).snapshot, { type: 'ESCALATE', actor: cs }, now);
    expect(refusal?.code).toBe('UnknownEvent');
    expect(refusal?.message).toContain('"ESCALATE" is not an event of process "complaint"');
    expect(refusal?.message).toContain('ACCEPT, LOG_CONTACT, SUBMIT_FINDINGS');
  });

  it('Forbidden: a role that may not send the event, checked before the state', () => {
    const c = compile();
    const r = received(c);
    expect(checkEvent(c, r.snapshot, { type: 'ACCEPT', data: acceptData, actor: handler }, now)).toEqual({
      code: 'Forbidden',
      message: 'role "handler" may not send ACCEPT; it is for cs_agent',
    });
    expect(checkEvent(c, r.snapshot, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 's' }, actor: manager }, now)?.code).toBe(
      'Forbidden',
    );
  });

  it('ValidationError: a field of the wrong type', () => {
    const c = compile();
    const refusal = checkEvent(
      c,
      planning(c).snapshot,
      { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p', compensationAmount: '5000' }, actor: handler },
      now,
    );
    expect(refusal?.code).toBe('ValidationError');
    expect(refusal?.message).toMatch(/^the data of PROPOSE_RESOLUTION is invalid: compensationAmount: /);
    expect(refusal?.issues).toEqual([{ path: 'compensationAmount', message: expect.stringContaining('number') }]);
  });

  it('ValidationError: a missing required field', () => {
    const c = compile();
    const refusal = checkEvent(c, received(c).snapshot, { type: 'ACCEPT', data: { department: 'after_sales' }, actor: cs }, now);
    expect(refusal?.code).toBe('ValidationError');
    expect(refusal?.issues).toEqual([{ path: 'assignee', message: expect.any(String) }]);
    expect(refusal?.message).toContain('assignee');
  });

  it('ValidationError: a field the payload does not declare', () => {
    const c = compile();
    const refusal = checkEvent(c, received(c).snapshot, { type: 'ACCEPT', data: { ...acceptData, priority: 'high' }, actor: cs }, now);
    expect(refusal?.code).toBe('ValidationError');
    expect(refusal?.message).toContain('"priority"');
  });

  it('ValidationError: a value out of range and a malformed date', () => {
    const c = compile();
    const r = received(c);
    expect(
      checkEvent(c, r.snapshot, { type: 'ACCEPT', data: { ...acceptData, promisedResponseBy: 'next Tuesday' }, actor: cs }, now)?.issues,
    ).toEqual([{ path: 'promisedResponseBy', message: expect.any(String) }]);
    expect(checkEvent(c, r.snapshot, { type: 'WITHDRAW', data: { reason: '' }, actor: cs }, now)?.code).toBe('ValidationError');
  });

  it('NotAllowedInState: a valid event the current state does not accept, listing what is allowed', () => {
    const c = compile();
    expect(
      checkEvent(
        c,
        received(c).snapshot,
        { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler },
        now,
      ),
    ).toEqual({
      code: 'NotAllowedInState',
      message: 'SUBMIT_FINDINGS is not allowed in state "received"; allowed now: ACCEPT, WITHDRAW',
    });
  });

  it('CaseClosed: any event once the case is finished', () => {
    const c = compile();
    const r = send(c, received(c).snapshot, 'WITHDRAW', { reason: 'Duplicate' }, cs, now);
    expect(checkEvent(c, r.snapshot, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 's' }, actor: cs }, now)).toEqual({
      code: 'CaseClosed',
      message: 'the case is finished (state "withdrawn") and accepts no more events',
    });
  });

  it("ConditionNotMet: the transition's guard does not hold", () => {
    const c = compileDefinition(tinyDefinition, cn);
    const r = startCase(c, { customer: 'cust-1' }, now);
    expect(checkEvent(c, r.snapshot, { type: 'SUBMIT', data: { amount: 5 }, actor: cs }, now)).toEqual({
      code: 'ConditionNotMet',
      message: 'SUBMIT cannot be applied in state "open": its condition bigEnough does not hold',
    });
    expect(checkEvent(c, r.snapshot, { type: 'SUBMIT', data: { amount: 10 }, actor: cs }, now)).toBeNull();
    expect(step(c, r.snapshot, { type: 'SUBMIT', data: { amount: 10 }, actor: cs }, now).state).toBe('done');
    // Not applied, the refused event leaves the case where it was.
    expect(step(c, r.snapshot, { type: 'SUBMIT', data: { amount: 5 }, actor: cs }, now)).toMatchObject({ state: 'open', changed: false });
  });
});

describe('allowedEvents', () => {
  it('lists the events a role may send in the current state', () => {
    const c = compile();
    const r = received(c);
    expect(allowedEvents(c, r.snapshot, 'cs_agent')).toEqual(['ACCEPT', 'WITHDRAW']);
    expect(allowedEvents(c, r.snapshot, 'handler')).toEqual([]);
    expect(allowedEvents(c, r.snapshot, undefined)).toEqual(['ACCEPT', 'WITHDRAW']);
    const inv = investigating(c);
    expect(allowedEvents(c, inv.snapshot, 'handler')).toEqual(['LOG_CONTACT', 'SUBMIT_FINDINGS']);
    expect(allowedEvents(c, inv.snapshot, 'cs_agent')).toEqual(['LOG_CONTACT', 'WITHDRAW']);
    expect(allowedEvents(c, inv.snapshot, 'service_manager')).toEqual([]);
    const approval = send(
      c,
      planning(c).snapshot,
      'PROPOSE_RESOLUTION',
      { proposal: 'p', compensationAmount: 9000 },
      handler,
      at('2026-04-08T10:00:00+08:00'),
    );
    expect(allowedEvents(c, approval.snapshot, 'service_manager')).toEqual(['APPROVE', 'REJECT']);
    expect(allowedEvents(c, approval.snapshot, 'cs_agent')).toEqual(['WITHDRAW']);
  });
});

describe('persistSnapshot / restoreSnapshot', () => {
  it('round-trips through JSON with state and context, and further steps work alike', () => {
    const c = compile();
    const inv = investigating(c, '2026-04-07T11:00:00+08:00');
    const persisted: unknown = JSON.parse(JSON.stringify(persistSnapshot(c, inv.snapshot)));
    const restored = restoreSnapshot(compile(), persisted);
    expect(restored.value).toBe('investigating');
    expect(restored.status).toBe('active');
    expect(restored.context).toEqual(inv.snapshot.context);

    const c2 = compile();
    const restored2 = restoreSnapshot(c2, persisted);
    expect(allowedEvents(c2, restored2, 'handler')).toEqual(['LOG_CONTACT', 'SUBMIT_FINDINGS']);
    const data = { findings: 'f', customerExpectation: 'e' };
    const t = at('2026-04-07T10:00:00+08:00');
    const fromRestored = send(c2, restored2, 'SUBMIT_FINDINGS', data, handler, t);
    const fromOriginal = send(c, inv.snapshot, 'SUBMIT_FINDINGS', data, handler, t);
    const { snapshot: s1, ...rest1 } = fromRestored;
    const { snapshot: s2, ...rest2 } = fromOriginal;
    expect(rest1).toEqual(rest2);
    expect(persistSnapshot(c2, s1)).toEqual(persistSnapshot(c, s2));
    expect(fromRestored.state).toBe('planning');

    // A timer armed before the snapshot was saved still works after restoring it.
    const reminder = fire(c2, restoreSnapshot(c2, persisted), timer(inv, 'investigationReminder'));
    expect(reminder.notifications.map((n) => n.template)).toEqual(['investigationDue']);
  });

  it('restores a finished case as finished', () => {
    const c = compile();
    const r = send(c, received(c).snapshot, 'WITHDRAW', { reason: 'x' }, cs, FRI_BEFORE_QINGMING);
    const restored = restoreSnapshot(c, JSON.parse(JSON.stringify(persistSnapshot(c, r.snapshot))));
    expect(restored.status).toBe('done');
    expect(checkEvent(c, restored, { type: 'WITHDRAW', data: { reason: 'x' }, actor: cs }, FRI_BEFORE_QINGMING)?.code).toBe('CaseClosed');
  });
});

describe('determinism', () => {
  /** One fixed sequence of events and timers, with everything a workflow would record. */
  function run(c: CompiledDefinition): unknown[] {
    const out: unknown[] = [];
    const record = (r: StepResult) => {
      const { snapshot, ...rest } = r;
      out.push({ ...rest, persisted: persistSnapshot(c, snapshot) });
      return r;
    };
    let r = record(startCase(c, input, FRI_BEFORE_QINGMING));
    r = record(fire(c, r.snapshot, timer(r, 'acceptDue')));
    const inv = record(
      step(
        c,
        r.snapshot,
        { type: 'ACCEPT', data: { ...acceptData, promisedResponseBy: '2026-04-08T18:00:00+08:00' }, actor: cs },
        at('2026-04-07T11:00:00+08:00'),
      ),
    );
    r = record(
      step(
        c,
        inv.snapshot,
        { type: 'LOG_CONTACT', data: { channel: 'email', summary: 'Asked for photos' }, actor: handler },
        at('2026-04-07T12:00:00+08:00'),
      ),
    );
    r = record(fire(c, r.snapshot, timer(inv, 'promiseReminder')));
    r = record(fire(c, r.snapshot, timer(inv, 'promiseDue')));
    r = record(
      step(
        c,
        r.snapshot,
        { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler },
        at('2026-04-09T09:00:00+08:00'),
      ),
    );
    r = record(
      step(
        c,
        r.snapshot,
        { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p', compensationAmount: 7000 }, actor: handler },
        at('2026-04-09T10:00:00+08:00'),
      ),
    );
    r = record(step(c, r.snapshot, { type: 'APPROVE', data: {}, actor: manager }, at('2026-04-10T10:00:00+08:00')));
    record(step(c, r.snapshot, { type: 'WITHDRAW', data: { reason: 'r' }, actor: cs }, at('2026-04-10T11:00:00+08:00')));
    return out;
  }

  it('the same events at the same times give identical results, with fresh or reused compiled definitions', () => {
    const first = run(compile());
    const reused = compile();
    const second = run(reused);
    const third = run(reused);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(third)).toBe(JSON.stringify(first));
    expect(first).toHaveLength(10);
    // It did something: notifications were drafted and timers armed.
    expect(JSON.stringify(first)).toContain('promiseBroken');
  });
});

describe('stateToString and parseAfterEvent', () => {
  it('writes state values as dotted paths, parallel regions comma-separated', () => {
    expect(stateToString('received')).toBe('received');
    expect(stateToString({ analysis: 'reporting' })).toBe('analysis.reporting');
    expect(stateToString({ analysis: { group: 'forming' } })).toBe('analysis.group.forming');
    expect(stateToString({ improvement: { rd: 'working', sales: 'done' } })).toBe('improvement.rd.working,improvement.sales.done');
    expect(stateToString({ improvement: {} })).toBe('improvement');
  });

  it("reads the delay and the state from XState's id of an after event", () => {
    expect(parseAfterEvent('xstate.after.acceptDue.complaint.received', 'complaint')).toEqual({ delay: 'acceptDue', state: 'received' });
    expect(parseAfterEvent('xstate.after.reportDue.lost_deal.analysis.reporting', 'lost_deal')).toEqual({
      delay: 'reportDue',
      state: 'analysis.reporting',
    });
    expect(parseAfterEvent('ACCEPT', 'complaint')).toBeUndefined();
    expect(parseAfterEvent('xstate.after.nodot', 'complaint')).toBeUndefined();
  });
});

describe('delayDueAt', () => {
  const params = { days: 2, hours: 4 };
  const scope = (context: Record<string, unknown>, now: number): Scope => ({ data: {}, context, param: params, actor: undefined, now });
  const friday = at('2026-04-03T10:00:00+08:00');

  it('counts business days and hours, from now or from a path, forward or backward', () => {
    expect(new Date(delayDueAt({ businessDays: { param: 'days' } }, scope({}, friday), params, cn)!).toISOString()).toBe(
      '2026-04-08T02:00:00.000Z',
    );
    expect(new Date(delayDueAt({ businessHours: 10 }, scope({}, friday), params, cn)!).toISOString()).toBe('2026-04-07T03:00:00.000Z');
    expect(
      new Date(
        delayDueAt(
          { from: 'context.due', businessHours: { param: 'hours' }, before: true },
          scope({ due: '2026-04-07T11:00:00+08:00' }, friday),
          params,
          cn,
        )!,
      ).toISOString(),
    ).toBe('2026-04-03T08:00:00.000Z');
    // Calendar time ignores holidays.
    expect(new Date(delayDueAt({ duration: { days: 1, hours: 2 } }, scope({}, friday), params, cn)!).toISOString()).toBe(
      '2026-04-04T04:00:00.000Z',
    );
  });

  it('is undefined when the from path holds nothing', () => {
    expect(delayDueAt({ from: 'context.due' }, scope({}, friday), params, cn)).toBeUndefined();
    expect(
      delayDueAt({ from: 'context.due', businessHours: 4, before: true }, scope({ due: 'not a date' }, friday), params, cn),
    ).toBeUndefined();
  });
});

describe('evaluateGuard', () => {
  const scope: Scope = {
    data: { amount: 5000, tags: ['vip', 'new'], items: [{ qty: 2 }, { qty: 5 }], empty: [] },
    context: { due: '2026-04-07T11:00:00+08:00', name: 'b', flag: true },
    param: { limit: 5000 },
    actor: { userId: 'u1', role: 'handler' },
    now: at('2026-04-07T10:00:00+08:00'),
  };
  const named: Record<string, GuardExpr> = {
    atLimit: { eq: ['data.amount', 'param.limit'] },
    loopA: { guard: 'loopB' },
    loopB: { not: { guard: 'loopA' } },
  };
  const ev = (expr: GuardExpr) => evaluateGuard(expr, scope, named);

  it('compares numbers: gt, gte, lt, lte (equal is not greater)', () => {
    expect(ev({ gt: ['data.amount', 'param.limit'] })).toBe(false);
    expect(ev({ gte: ['data.amount', 'param.limit'] })).toBe(true);
    expect(ev({ gt: ['data.amount', 4999] })).toBe(true);
    expect(ev({ lt: ['data.amount', 5001] })).toBe(true);
    expect(ev({ lte: ['data.amount', 4999] })).toBe(false);
    expect(ev({ gt: ['context.name', { value: 'a' }] })).toBe(true);
  });

  it('eq and neq compare deeply; literals go in { value }', () => {
    expect(ev({ eq: ['actor.role', { value: 'handler' }] })).toBe(true);
    expect(ev({ eq: ['data.tags', { value: ['vip', 'new'] }] })).toBe(true);
    expect(ev({ eq: ['data.tags', { value: ['new', 'vip'] }] })).toBe(false);
    expect(ev({ neq: ['actor.userId', { value: 'u2' }] })).toBe(true);
    expect(ev({ guard: 'atLimit' })).toBe(true);
  });

  it('includes, some and every work on lists', () => {
    expect(ev({ includes: ['data.tags', { value: 'vip' }] })).toBe(true);
    expect(ev({ includes: ['data.tags', { value: 'old' }] })).toBe(false);
    expect(ev({ includes: ['context.name', { value: 'b' }] })).toBe(false);
    expect(ev({ some: { path: 'data.items', where: { gt: ['item.qty', 4] } } })).toBe(true);
    expect(ev({ some: { path: 'data.items', where: { gt: ['item.qty', 5] } } })).toBe(false);
    expect(ev({ every: { path: 'data.items', where: { gte: ['item.qty', 2] } } })).toBe(true);
    expect(ev({ every: { path: 'data.items', where: { gt: ['item.qty', 2] } } })).toBe(false);
    expect(ev({ every: { path: 'data.empty', where: { gt: ['item.qty', 2] } } })).toBe(true);
  });

  it('and, or, not combine', () => {
    const yes: GuardExpr = { truthy: 'context.flag' };
    const no: GuardExpr = { truthy: 'data.empty' };
    expect(ev({ and: [yes, yes] })).toBe(true);
    expect(ev({ and: [yes, no] })).toBe(false);
    expect(ev({ or: [no, yes] })).toBe(true);
    expect(ev({ or: [no, no] })).toBe(false);
    expect(ev({ not: no })).toBe(true);
    expect(ev({ not: { and: [yes, { not: no }] } })).toBe(false);
  });

  it('before and after compare instants', () => {
    expect(ev({ before: ['now', 'context.due'] })).toBe(true);
    expect(ev({ after: ['now', 'context.due'] })).toBe(false);
    expect(ev({ after: ['context.due', { value: '2026-04-07T02:59:59Z' }] })).toBe(true);
  });

  it('missing or mismatched values make every comparison false', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte', 'before', 'after'] as const) {
      expect(ev({ [op]: ['data.missing', 1] } as GuardExpr)).toBe(false);
      expect(ev({ [op]: [1, 'context.nothing.deeper'] } as GuardExpr)).toBe(false);
    }
    expect(ev({ gt: ['context.name', 1] })).toBe(false);
    expect(ev({ before: ['context.name', 'now'] })).toBe(false);
    expect(ev({ eq: ['data.missing', null] })).toBe(false);
    expect(ev({ includes: ['data.missing', { value: 'vip' }] })).toBe(false);
    expect(ev({ some: { path: 'data.missing', where: { truthy: 'item' } } })).toBe(false);
    expect(ev({ every: { path: 'data.missing', where: { truthy: 'item' } } })).toBe(false);
    expect(ev({ truthy: 'data.missing' })).toBe(false);
  });

  it('refuses an unknown named guard and a cycle of guards', () => {
    expect(() => ev({ guard: 'nope' })).toThrow('unknown guard "nope"');
    expect(() => ev({ guard: 'loopA' })).toThrow('cycle');
  });

  it('reads paths and literal values', () => {
    expect(readPath(scope, 'now')).toBe('2026-04-07T02:00:00.000Z');
    expect(readPath(scope, 'data.items.1.qty')).toBe(5);
    expect(resolveValue(scope, { value: 'data.amount' })).toBe('data.amount');
    expect(resolveValue(scope, 3)).toBe(3);
    expect(() => readPath(scope, 'user.id')).toThrow('is not a path');
  });
});

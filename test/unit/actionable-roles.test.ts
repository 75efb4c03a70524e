import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import contractV1Json from '../../definitions/shipped/contract.v1.json';
import contractJson from '../../definitions/contract.json';
import { actionableRoles } from '../../engine/actionable-roles';
import { validateCalendar } from '../../engine/calendar';
import { checkEvent } from '../../engine/check';
import { compileDefinition, DONE_PREFIX, type CompiledDefinition } from '../../engine/compile';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step, type StepResult } from '../../engine/step';
import { evaluateTask } from '../../engine/tasks';
import type { Actor } from '../../engine/types';

const cn = validateCalendar(cnJson);
const MON = Date.parse('2026-03-02T10:00:00+08:00');
const labels = (en: string) => ({ en, 'zh-CN': en });

/**
 * A small process whose guards read each kind of thing: the context (`ready`, `anyOpenItem`), the
 * payload (`bigPayment`), the acting role (`myTurn`), the acting user (`owner`) and the time
 * (`notYetDue`); with a nested state whose own transition forbids an event its parent takes, and a
 * parallel state.
 */
const gate = compileDefinition(
  assertValidDefinition({
    process: 'gate',
    version: 1,
    labels: labels('Gate'),
    startedBy: ['cs_agent'],
    customerField: 'customer',
    input: {
      type: 'object',
      required: ['customer'],
      properties: {
        customer: { type: 'string' },
        ready: { type: 'boolean' },
        turn: { type: 'string' },
        owner: { type: 'string' },
        due: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { open: { type: 'boolean' } } } },
      },
    },
    guards: {
      ready: { truthy: 'context.ready' },
      bigPayment: { gt: ['data.amount', { value: 100 }] },
      readyAndBig: { and: [{ guard: 'ready' }, { guard: 'bigPayment' }] },
      readyOrBig: { or: [{ guard: 'ready' }, { guard: 'bigPayment' }] },
      myTurn: { eq: ['actor.role', 'context.turn'] },
      owner: { eq: ['actor.userId', 'context.owner'] },
      notYetDue: { after: ['context.due', 'now'] },
      anyOpenItem: { some: { path: 'context.items', where: { eq: ['item.open', { value: true }] } } },
    },
    actions: { setReady: { type: 'assign', set: { ready: 'data.ready' } } },
    events: {
      SET_READY: {
        roles: ['cs_agent'],
        labels: labels('Set ready'),
        payload: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } },
      },
      START: { roles: ['handler'], labels: labels('Start') },
      PAY: {
        roles: ['service_manager'],
        labels: labels('Pay'),
        payload: { type: 'object', properties: { amount: { type: 'number' } } },
      },
      ADVANCE: {
        roles: ['analyst'],
        labels: labels('Advance'),
        payload: { type: 'object', properties: { amount: { type: 'number' } } },
      },
      SIGN: { roles: ['sales_manager', 'gm'], labels: labels('Sign') },
      TAKE: { roles: ['sales_rep'], labels: labels('Take') },
      EXTEND: { roles: ['legal'], labels: labels('Extend') },
      CLOSE_ITEM: { roles: ['hq'], labels: labels('Close an item') },
      FINISH: { roles: ['management'], labels: labels('Finish') },
      SPLIT: { roles: ['handler'], labels: labels('Split') },
      LEFT_DONE: { roles: ['dept_owner'], labels: labels('Left done') },
      RIGHT_DONE: { roles: ['contract_admin'], labels: labels('Right done') },
    },
    stateLabels: {
      open: labels('Open'),
      working: labels('Working'),
      'working.first': labels('First'),
      both: labels('Both'),
      'both.left': labels('Left'),
      'both.left.busy': labels('Busy'),
      'both.left.idle': labels('Idle'),
      'both.right': labels('Right'),
      'both.right.busy': labels('Busy'),
      'both.right.idle': labels('Idle'),
      done: labels('Done'),
    },
    machine: {
      initial: 'open',
      context: { items: [] },
      states: {
        open: {
          on: {
            SET_READY: { actions: 'setReady' },
            START: { guard: 'ready', target: 'working' },
            PAY: { guard: 'readyAndBig', target: 'working' },
            ADVANCE: { guard: 'readyOrBig', target: 'working' },
            SIGN: { guard: 'myTurn', target: 'working' },
            TAKE: { guard: 'owner', target: 'working' },
            EXTEND: { guard: 'notYetDue', target: 'working' },
            CLOSE_ITEM: { guard: 'anyOpenItem', target: 'working' },
          },
        },
        working: {
          initial: 'first',
          on: { FINISH: { target: 'done' }, SPLIT: { target: 'both' } },
          states: {
            // While ready, FINISH is forbidden here (a transition with no target and no actions); else the parent's is taken.
            first: { on: { FINISH: { guard: 'ready' } } },
          },
        },
        both: {
          type: 'parallel',
          onDone: { target: 'done' },
          states: {
            left: { initial: 'busy', states: { busy: { on: { LEFT_DONE: { target: 'idle' } } }, idle: { type: 'final' } } },
            right: {
              initial: 'busy',
              states: { busy: { on: { RIGHT_DONE: { guard: 'ready', target: 'idle' } } }, idle: { type: 'final' } },
            },
          },
        },
        done: { type: 'final' },
      },
    },
  }),
  cn,
);

const actor = (role: string): Actor => ({ userId: `u-${role}`, role });
const start = (input: Record<string, unknown>) => startCase(gate, { customer: 'CUST-1', ...input }, MON, 'u-cs_agent').snapshot;
const apply = (snapshot: AnyMachineSnapshot, type: string, role: string, data: Record<string, unknown> = {}) => {
  expect(checkEvent(gate, snapshot, { type, data, actor: actor(role) }, MON)).toBeNull();
  return step(gate, snapshot, { type, data, actor: actor(role) }, MON).snapshot;
};

describe('guards that read only the case are decided now', () => {
  test('a guard on the context leaves a role out until the data makes it pass', () => {
    const before = start({ ready: false });
    expect(actionableRoles(gate, before)).not.toContain('handler');
    const after = apply(before, 'SET_READY', 'cs_agent', { ready: true });
    expect(actionableRoles(gate, after)).toContain('handler');
    expect(actionableRoles(gate, before)).toContain('cs_agent');
  });

  test('a guard on the acting role: only the role whose turn it is', () => {
    const roles = actionableRoles(gate, start({ turn: 'gm' }));
    expect(roles).toContain('gm');
    expect(roles).not.toContain('sales_manager');
  });

  test('a guard over a list of the context: some item must match', () => {
    expect(actionableRoles(gate, start({ items: [{ open: false }] }))).not.toContain('hq');
    expect(actionableRoles(gate, start({ items: [{ open: false }, { open: true }] }))).toContain('hq');
  });

  test('the roles are sorted, and as XState decides for guards that read only the case', () => {
    const snapshot = start({ ready: true, turn: 'sales_manager', items: [{ open: true }] });
    const roles = actionableRoles(gate, snapshot);
    expect(roles).toEqual([...roles].sort());
    // For these events the guards read only the case: the roles are exactly those XState lets send one.
    for (const [event, role] of [
      ['START', 'handler'],
      ['SIGN', 'sales_manager'],
      ['SIGN', 'gm'],
      ['CLOSE_ITEM', 'hq'],
    ] as const) {
      expect({ event, role, can: snapshot.can({ type: event, data: {}, actor: actor(role) }) }).toEqual({
        event,
        role,
        can: roles.includes(role),
      });
    }
  });
});

describe('guards that read the payload, the user or the time count as possible', () => {
  test('the payload (data.*), the user (actor.userId) and the time (now)', () => {
    const roles = actionableRoles(gate, start({ ready: true, owner: 'someone', due: '2000-01-01T00:00:00Z' }));
    expect(roles).toEqual(expect.arrayContaining(['service_manager', 'sales_rep', 'legal']));
  });

  test('but not when the part that reads the case is false already (and), or true (or)', () => {
    const notReady = actionableRoles(gate, start({ ready: false }));
    expect(notReady).not.toContain('service_manager'); // ready AND payload: false whatever the payload
    expect(notReady).toContain('analyst'); // ready OR payload: the payload may pass
    expect(actionableRoles(gate, start({ ready: true }))).toContain('analyst');
  });
});

describe('states', () => {
  test('a transition of a nested state that forbids the event hides its parent’s; otherwise the parent’s is taken', () => {
    let ready = apply(start({ ready: true }), 'START', 'handler');
    expect(ready.value).toEqual({ working: 'first' });
    expect(actionableRoles(gate, ready)).not.toContain('management');
    expect(ready.can({ type: 'FINISH', data: {}, actor: actor('management') })).toBe(false);
    let notReady = apply(start({ ready: true, items: [{ open: true }] }), 'CLOSE_ITEM', 'hq');
    notReady = { ...notReady, context: { ...notReady.context, ready: false } } as AnyMachineSnapshot;
    expect(notReady.can({ type: 'FINISH', data: {}, actor: actor('management') })).toBe(true);
    expect(actionableRoles(gate, notReady)).toContain('management');
    ready = apply(ready, 'SPLIT', 'handler');
    expect(ready.value).toEqual({ both: { left: 'busy', right: 'busy' } });
  });

  test('parallel regions: each region’s events count', () => {
    const both = apply(apply(start({ ready: false }), 'SET_READY', 'cs_agent', { ready: true }), 'START', 'handler');
    let split = apply(both, 'SPLIT', 'handler');
    expect(actionableRoles(gate, split)).toEqual(expect.arrayContaining(['dept_owner', 'contract_admin']));
    split = apply(split, 'LEFT_DONE', 'dept_owner');
    expect(split.value).toEqual({ both: { left: 'idle', right: 'busy' } });
    expect(actionableRoles(gate, split)).not.toContain('dept_owner');
    expect(actionableRoles(gate, split)).toContain('contract_admin');
    const blocked = { ...split, context: { ...split.context, ready: false } } as AnyMachineSnapshot;
    expect(actionableRoles(gate, blocked)).not.toContain('contract_admin');
  });

  test('a finished case: no one', () => {
    let s = apply(start({ ready: true }), 'START', 'handler');
    s = { ...s, context: { ...s.context, ready: false } } as AnyMachineSnapshot;
    s = apply(s, 'FINISH', 'management');
    expect(s.status).toBe('done');
    expect(actionableRoles(gate, s)).toEqual([]);
  });
});

describe('the contract process', () => {
  const baseInput = {
    customer: 'CUST-3001',
    contractType: 'framework',
    standard: false,
    amount: 1200000,
    discountRate: 0.1,
    adSlots: [{ position: 'Home page banner', start: '2026-04-01', end: '2026-06-30' }],
    placementStart: '2026-04-01',
  };

  /** Sends an event, checking first that the sender's role was counted as one who may act. */
  function send(c: CompiledDefinition, r: StepResult, type: string, data: Record<string, unknown>, role: string): StepResult {
    expect({ type, role, listed: actionableRoles(c, r.snapshot).includes(role) }).toEqual({ type, role, listed: true });
    expect(checkEvent(c, r.snapshot, { type, data, actor: actor(role) }, MON)).toBeNull();
    return step(c, r.snapshot, { type, data, actor: actor(role) }, MON);
  }

  function inApproval(c: CompiledDefinition): StepResult {
    const r = send(c, startCase(c, baseInput, MON, 'u-sales_rep'), 'SUBMIT', {}, 'sales_rep');
    const [invocation] = r.invocations;
    const output = evaluateTask({
      task: c.definition.tasks.complianceCheck!,
      context: invocation!.context,
      params: c.params,
      guards: c.definition.guards,
      now: MON,
    });
    const approval = step(c, r.snapshot, { type: `${DONE_PREFIX}complianceCheck`, output } as never, MON);
    expect(approval.state).toBe('approval');
    return approval;
  }

  for (const [name, json] of [
    ['version 1 (approval by guards)', contractV1Json],
    ['version 2 (approval as a task)', contractJson],
  ] as const) {
    test(`${name}: scheduling receives the A3 form only once early placement is requested; the forms only when due`, () => {
      const c = compileDefinition(assertValidDefinition(json), cn);
      let r = inApproval(c);
      const roles = actionableRoles(c, r.snapshot);
      expect(roles).toContain('sales_rep');
      expect(roles).toContain('sales_manager');
      expect(roles).not.toContain('schedule_admin');
      expect(roles).not.toContain('contract_admin'); // FORMS_RETURNED: not before the contract is approved
      r = send(c, r, 'REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true }, 'sales_rep');
      expect(actionableRoles(c, r.snapshot)).toContain('schedule_admin');
      expect(actionableRoles(c, r.snapshot)).not.toContain('sales_rep'); // requested once
      r = send(c, r, 'A3_RECEIVED', {}, 'schedule_admin');
      expect(actionableRoles(c, r.snapshot)).not.toContain('schedule_admin');
      // Each level signs off in turn (the guard reads the acting role), as the chain says.
      for (const role of r.snapshot.context.earlyPlacementPending as string[]) r = send(c, r, 'SIGN_OFF_EARLY_PLACEMENT', {}, role);
      r = send(c, r, 'EARLY_PLACEMENT_APPROVED', {}, 'hq');
      expect(actionableRoles(c, r.snapshot)).toContain('contract_admin');
    });
  }

  test('version 1: only the approval level whose turn it is may approve', () => {
    const c = compileDefinition(assertValidDefinition(contractV1Json), cn);
    const r = inApproval(c);
    const pending = r.snapshot.context.pendingApprovers as string[];
    expect(pending[0]).toBe('sales_manager');
    const roles = actionableRoles(c, r.snapshot);
    for (const later of pending.slice(1)) expect(roles).not.toContain(later);
  });
});

/**
 * Case templates: lives of cases walked through the real engine (the pure step function, the event
 * check, people's work, timers, automatic tasks), each step with the row the worker would log and
 * the projection it would write. A seeded case is a template — whole for a closed case, a prefix
 * for an open one — with its own people, customer, id and times filled in (./pieces.ts), so every
 * state, event, payload, context and work column in the data set is one the engine produced.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { actionableRoles } from '../../engine/actionable-roles';
import { checkEvent, checkStartInput } from '../../engine/check';
import { compileDefinition, DONE_PREFIX, TIMER_PREFIX, type CompiledDefinition, type MachineEvent } from '../../engine/compile';
import { canonicalJson } from '../../engine/canonical-json';
import {
  acceptedEvents,
  startCase,
  stateToString,
  step,
  type Invocation,
  type NotificationDraft,
  type StepResult,
  type TimerSpec,
} from '../../engine/step';
import { subprocessCaseId, subprocessItems } from '../../engine/subprocess';
import { evaluateTask } from '../../engine/tasks';
import type { Actor, CalendarData, CaseStatus, Deadline } from '../../engine/types';
import { workView } from '../../engine/work/view';
import { isTaskOperation } from '../../engine/work-types';
import type { PublishedDefinition } from '../../ports';
import { workColumns } from '../../adapters/postgres/work-columns';
import { CASE_TOKEN, sampleValue, userToken, type SampleScope } from './payloads';
import { cut, type Pieces } from './pieces';
import { Rng } from './rng';

/** One logged transition of a template, with the case as it stood after it. */
export interface TemplateStep {
  event: string;
  payload: Pieces;
  /** A placeholder user (or `system`) and the role it acted in. */
  actorUser: Pieces;
  actorRole: string;
  /** Sent by a person (through the API, with a request id), not by a timer or an automatic step. */
  human: boolean;
  fromState: string | null;
  toState: string;
  status: CaseStatus;
  /** Template time (ms). */
  at: number;
  /** The projection after this step. */
  context: Pieces;
  deadlines: Pieces;
  /** The earliest running deadline (template time), Infinity for none: an open case stopped here is seen before it. */
  nextDue: number;
  /** An escalation was raised since the case entered this state (as the workflow tracks it). */
  escalated: boolean;
  /** The roles that may act on the case now (engine/actionable-roles.ts), as the worker records them. */
  actionableRoles: string[];
  assignees: Pieces[];
  candidateRoles: string[];
  candidateUsers: Pieces[];
  ccUsers: Pieces[];
  initiator: Pieces | null;
  /** Notifications this step raised (the outbox's rows `<case>:<seq>:<i>`). */
  notifications: Array<{ kind: string; recipients: Pieces; template: string; subject: string; data: Pieces }>;
}

export interface CaseTemplate {
  processId: string;
  version: number;
  hash: string;
  steps: TemplateStep[];
  /** The last step completed the case. */
  closed: boolean;
  /** How many steps an open case cut from this template may keep (each such prefix ends open). */
  openPrefixes: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Template time: the walks start here; seeded cases shift it. */
export const TEMPLATE_EPOCH = Date.parse('2026-01-05T01:30:00.000Z');
const MAX_STEPS = 40;

/** Events that turn a case back: chosen less often than the ones that move it on. */
const SETBACK = /REJECT|REVISION|REVISE|UNSATISFIED|ABSENT|RESCHEDULE|LATE|POSTPONE|GRADE_CHANGED/;
/** Events that end a case early (withdrawn, cancelled, a plan ended or its owner gone): rare. */
const ABORT = /WITHDRAW|CANCEL|PLAN_ENDED|OWNER_CHANGED/;
/** How often a step is a task operation (a colleague cc'd, a reminder, a claim) rather than an event. */
const TASK_OPERATION_RATE = 0.04;

interface Candidate {
  event: MachineEvent;
  human: boolean;
  weight: number;
}

/** The roles whose people are named in a process's `owner` fields. */
const OWNER_ROLE: Record<string, string> = { improvement_measure: 'dept_owner' };

/** Walks `count` lives of a case on `published` (deterministic for a seed). */
export function walkTemplates(published: PublishedDefinition, calendar: CalendarData, count: number, seed: number): CaseTemplate[] {
  const compiled = compileDefinition(published.definition, calendar);
  const rng = new Rng(seed);
  const out: CaseTemplate[] = [];
  for (let attempt = 0; out.length < count && attempt < count * 5; attempt++) {
    const t = walkOne(compiled, published, rng);
    if (t) out.push(t);
  }
  if (out.length === 0) throw new Error(`no case of ${published.processId} v${published.version} could be walked`);
  return out;
}

function slotOf(rng: Rng): number {
  const x = rng.next();
  return x < 0.8 ? 0 : x < 0.95 ? 1 : 2;
}

function walkOne(compiled: CompiledDefinition, published: PublishedDefinition, rng: Rng): CaseTemplate | undefined {
  const definition = compiled.definition;
  let now = TEMPLATE_EPOCH + rng.int(7 * DAY);
  const scope = (): SampleScope => ({
    rng,
    now,
    ownerRole: OWNER_ROLE[definition.process] ?? 'sales_rep',
    ...(definition.customerField !== undefined && { customerField: definition.customerField }),
    slot: () => slotOf(rng),
  });
  const starterRoles = definition.startedBy.filter((r) => r !== 'system');
  const starterRole = starterRoles.length > 0 ? rng.pick(starterRoles) : 'system';
  const starter: Actor =
    starterRole === 'system' ? { userId: 'system', role: 'system' } : { userId: userToken(starterRole, 0), role: starterRole };

  let input: Record<string, unknown> | undefined;
  for (let i = 0; i < 20 && input === undefined; i++) {
    const value = sampleValue(definition.input, scope());
    if (value && typeof value === 'object' && checkStartInput(compiled, value, { actor: starter, now }) === null)
      input = value as Record<string, unknown>;
  }
  if (input === undefined) return undefined;

  let result: StepResult;
  try {
    result = startCase(compiled, input, now, starter.userId);
  } catch {
    return undefined;
  }
  const steps: TemplateStep[] = [];
  const timers = new Map<string, TimerSpec>();
  let pending: Invocation[] = [];
  let snapshot = result.snapshot;
  let state: string | null = null;
  const visits = new Map<string, number>();
  let escalated = false;

  const record = (r: StepResult, event: string, payload: unknown, actor: Actor, human: boolean) => {
    for (const id of r.cancelTimers) timers.delete(id);
    if (r.status === 'open') for (const spec of r.startTimers) timers.set(spec.id, spec);
    else timers.clear();
    pending = r.status === 'open' ? [...pending.filter((p) => !r.stopped.includes(p.id)), ...r.invocations] : [];
    snapshot = r.snapshot;
    if (!r.changed) return;
    const work = workColumns(workView(compiled, r.snapshot));
    const deadlines: Deadline[] = [...timers.values()].map(({ event: _event, ...d }) => d);
    // As workflows/case/transitions.ts keeps it: cleared on a change of state, set by an escalation.
    if (r.state !== state) escalated = false;
    if (r.notifications.some((n) => n.kind === 'escalation')) escalated = true;
    steps.push({
      event,
      payload: cut(canonicalJson(payload ?? {})),
      actorUser: cut(actor.userId),
      actorRole: actor.role,
      human,
      fromState: state,
      toState: r.state,
      status: r.status,
      at: now,
      context: cut(JSON.stringify(r.snapshot.context)),
      deadlines: cut(JSON.stringify(deadlines)),
      nextDue: Math.min(Infinity, ...deadlines.map((d) => Date.parse(d.dueAt))),
      escalated,
      actionableRoles: actionableRoles(compiled, r.snapshot),
      assignees: work.assignees.map(cut),
      candidateRoles: work.candidateRoles,
      candidateUsers: work.candidateUsers.map(cut),
      ccUsers: work.ccUsers.map(cut),
      initiator: work.initiator === null ? null : cut(work.initiator),
      notifications: r.notifications.map((n: NotificationDraft) => ({
        kind: n.kind,
        recipients: cut(JSON.stringify(n.to)),
        template: n.template,
        subject: JSON.stringify(n.subject),
        data: cut(JSON.stringify(n.data)),
      })),
    });
    state = r.state;
    visits.set(r.state, (visits.get(r.state) ?? 0) + 1);
  };
  record(result, 'xstate.init', input, starter, starter.role !== 'system');

  while (snapshot.status === 'active' && steps.length < MAX_STEPS) {
    // An automatic step or sub-processes the state started answer first.
    const invocation = pending.shift();
    if (invocation) {
      const fed = feedInvocation(compiled, invocation, now, rng);
      if (!fed) break;
      now += fed.after;
      try {
        record(
          step(compiled, snapshot, fed.event, now),
          `done:${invocation.id}`,
          fed.event.output,
          { userId: 'system', role: 'system' },
          false,
        );
      } catch {
        break;
      }
      continue;
    }
    const gap = rng.logUniform(10 * MINUTE, 4 * DAY);
    const due = [...timers.values()].sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))[0];
    if (due && Date.parse(due.dueAt) <= now + gap) {
      // The deadline passes before anyone acts: its timer fires.
      timers.delete(due.id);
      now = Math.max(now, Date.parse(due.dueAt));
      const kind = due.event.type.startsWith(TIMER_PREFIX) ? 'timer' : 'after';
      try {
        record(step(compiled, snapshot, due.event, now), `${kind}:${due.delay}`, {}, { userId: 'system', role: 'system' }, false);
      } catch {
        break;
      }
      continue;
    }
    now += gap;
    const candidates = candidatesAt(compiled, snapshot, now, rng, steps.length, visits);
    if (candidates.length === 0) {
      if (timers.size === 0) break; // nothing will ever happen: an open case waiting on something outside
      now = Math.max(now, Date.parse(due!.dueAt) - 1);
      continue;
    }
    const chosen = candidates[rng.weighted(candidates.map((c) => c.weight))]!;
    let r: StepResult;
    try {
      r = step(compiled, snapshot, chosen.event, now);
    } catch {
      break;
    }
    record(r, chosen.event.type, chosen.event.data ?? {}, chosen.event.actor!, chosen.human);
  }
  if (steps.length === 0) return undefined;
  const closed = steps[steps.length - 1]!.status === 'completed';
  return {
    processId: published.processId,
    version: published.version,
    hash: published.hash,
    steps,
    closed,
    openPrefixes: closed ? steps.length - 1 : steps.length,
  };
}

/** The done event of an automatic step (its rules evaluated) or of sub-processes (all completed), and when it comes. */
function feedInvocation(
  compiled: CompiledDefinition,
  invocation: Invocation,
  now: number,
  rng: Rng,
): { event: MachineEvent & { output: unknown }; after: number } | undefined {
  const { definition } = compiled;
  try {
    if (invocation.kind === 'task') {
      const task = definition.tasks[invocation.id]!;
      const output = evaluateTask({ task, context: invocation.context, params: compiled.params, guards: definition.guards, now });
      return { event: { type: `${DONE_PREFIX}${invocation.id}`, output }, after: 2000 + rng.int(5000) };
    }
    const items = subprocessItems(compiled, invocation.id, invocation.context, now).map((item) => ({
      key: item.key,
      caseId: subprocessCaseId(CASE_TOKEN, invocation.id, item.key),
      state: 'completed',
      context: {},
    }));
    return { event: { type: `${DONE_PREFIX}${invocation.id}`, output: { items } }, after: rng.logUniform(3 * DAY, 40 * DAY) };
  } catch {
    return undefined;
  }
}

/** The events someone may send now, each with data and a sender the engine accepts, weighted. */
function candidatesAt(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  now: number,
  rng: Rng,
  length: number,
  visits: ReadonlyMap<string, number>,
): Candidate[] {
  const definition = compiled.definition;
  const current = stateToString(snapshot.value);
  const work = workView(compiled, snapshot);
  const assignees = work.tasks.flatMap((t) => (t.assignee === null ? [] : [t.assignee]));
  const scope: SampleScope = {
    rng,
    now,
    ownerRole: OWNER_ROLE[definition.process] ?? 'sales_rep',
    context: snapshot.context as Record<string, unknown>,
    slot: () => slotOf(rng),
  };
  const out: Candidate[] = [];
  const operations = rng.chance(TASK_OPERATION_RATE);
  const accepts = (event: MachineEvent & { actor: Actor }) =>
    checkEvent(compiled, snapshot, { ...event, data: event.data ?? {} }, now) === null;
  for (const type of acceptedEvents(snapshot)) {
    if (type.startsWith('xstate.') || type.startsWith(TIMER_PREFIX)) continue;
    if (isTaskOperation(type)) {
      const op = operations ? taskOperation(type, work, rng) : undefined;
      if (op && accepts(op)) out.push({ event: op, human: true, weight: 1 });
      continue;
    }
    const spec = Object.hasOwn(definition.events, type) ? definition.events[type] : undefined;
    if (!spec) continue;
    let found: (MachineEvent & { actor: Actor }) | undefined;
    for (let attempt = 0; attempt < 6 && !found; attempt++) {
      const data = (sampleValue(spec.payload ?? { type: 'object', properties: {} }, { ...scope, dates: attempt % 2 ? 'past' : 'future' }) ??
        {}) as Record<string, unknown>;
      const role = rng.pick(spec.roles);
      const people =
        role === 'system'
          ? ['system']
          : [...assignees.filter((a) => a.includes(`.${role}.`)), userToken(role, slotOf(rng)), userToken(role, 0)];
      for (const userId of people) {
        const event = { type, data, actor: { userId, role } };
        if (accepts(event)) {
          found = event;
          break;
        }
      }
    }
    if (!found) continue;
    let target: string;
    try {
      target = step(compiled, snapshot, found, now).state;
    } catch {
      continue;
    }
    const kind = target === current ? 'stay' : ABORT.test(type) ? 'abort' : SETBACK.test(type) ? 'setback' : 'forward';
    // A state the case went through already comes round again less and less (a draft resubmitted, a plan revised).
    const weight = kind === 'forward' || kind === 'setback' ? (kind === 'setback' ? 0.15 : 1) * 0.3 ** (visits.get(target) ?? 0) : 1;
    out.push({ event: found, human: found.actor.role !== 'system', weight, kind } as Candidate & { kind: string });
  }
  // Staying in the state (a contact logged, progress reported) now and then, less as the case grows long; but
  // when nothing moves the case on, that is what people do, until the case is ended.
  const moves = out.some((c) => (c as { kind?: string }).kind === 'forward');
  for (const c of out as Array<Candidate & { kind?: string }>) {
    if (c.kind === 'stay') c.weight = moves ? (length > 10 ? 0.02 : 0.05) : 1;
    if (c.kind === 'abort') c.weight = moves ? 0.02 : 0.1;
  }
  // A task operation, when one is due now, is the step.
  const op = out.filter((c) => isTaskOperation(c.event.type));
  return op.length > 0 ? op : out;
}

/** A plausible task operation: a colleague cc'd, a task claimed, a reminder. */
function taskOperation(type: string, work: ReturnType<typeof workView>, rng: Rng): (MachineEvent & { actor: Actor }) | undefined {
  const task = work.tasks[0];
  const initiator = work.initiator;
  switch (type) {
    case 'task.cc':
      if (!initiator) return undefined;
      return {
        type,
        data: { users: [userToken(rng.pick(['sales_manager', 'service_manager']), 1 + rng.int(2))] },
        actor: { userId: initiator, role: initiator.split('.')[1] ?? 'sales_rep' },
      };
    case 'task.claim': {
      const role = task?.candidates.roles[0];
      if (!task || task.assignee !== null || !role) return undefined;
      return { type, data: {}, actor: { userId: userToken(role, slotOf(rng)), role } };
    }
    case 'task.remind':
      if (!initiator) return undefined;
      return { type, data: {}, actor: { userId: initiator, role: initiator.split('.')[1] ?? 'sales_rep' } };
    default:
      return undefined;
  }
}

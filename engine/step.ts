import {
  createActor,
  getNextTransitions,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ExecutableActionObject,
  type StateValue,
} from 'xstate';
import { eventScope, TIMER_PREFIX, type CompiledDefinition, type MachineEvent } from './compile';
import type { ValueRef } from './definition-schema';
import { readPath, resolveValue, type Scope } from './expressions';
import { MicrostepCounter, MicrostepLimitError } from './microstep-limit';
import type { Actor, CaseStatus, Deadline, Notification } from './types';
import { declaresWork, initialWork, WORK_KEY } from './work/model';
import { WORK_PREFIX } from './work/machine';
import { allowedTaskOperations, workEventRefusal, workNotification } from './work/view';

/** A durable timer the workflow must arm: at `dueAt` it feeds `event` back into the machine. */
export interface TimerSpec extends Deadline {
  event: { type: string };
}

/** A task or set of sub-processes a state invoked: the workflow runs it and feeds back `xstate.done.actor.<id>`. */
export interface Invocation {
  /** The invoke's id (it equals its `src`: the task's or sub-process's name). */
  id: string;
  kind: 'task' | 'subprocess';
  /** The context when it was invoked (what the task checks, what the sub-processes' items are read from). */
  context: Record<string, unknown>;
}

/** A notification to deliver, produced by a definition's `notify` action. */
export type NotificationDraft = Omit<Notification, 'id' | 'caseId' | 'processId' | 'createdAt'>;

export interface StepResult {
  snapshot: AnyMachineSnapshot;
  /** Dotted state path(s) of the active leaf states, comma-separated for parallel regions. */
  state: string;
  status: CaseStatus;
  notifications: NotificationDraft[];
  startTimers: TimerSpec[];
  cancelTimers: string[];
  /** Tasks and sub-processes to start, in order. */
  invocations: Invocation[];
  /** Ids of invocations stopped because their state was left. */
  stopped: string[];
  /** False when the event did nothing at all (no state, context or effect change). */
  changed: boolean;
}

const AFTER_PREFIX = 'xstate.after.';

/** `{ analysis: 'reporting' }` → `analysis.reporting`; parallel regions are joined with commas. */
export function stateToString(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) =>
      child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
        ? key
        : stateToString(child)
            .split(',')
            .map((c) => `${key}.${c}`)
            .join(','),
    )
    .join(',');
}

/** The delay name and state path encoded in XState's id for an `after` event. */
export function parseAfterEvent(type: string, machineId: string): { delay: string; state: string } | undefined {
  if (!type.startsWith(AFTER_PREFIX)) return undefined;
  const rest = type.slice(AFTER_PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot < 0) return undefined;
  const stateId = rest.slice(dot + 1);
  const state = stateId.startsWith(`${machineId}.`) ? stateId.slice(machineId.length + 1) : stateId;
  return { delay: rest.slice(0, dot), state };
}

function scopeOf(compiled: CompiledDefinition, context: Record<string, unknown>, event: unknown): Scope {
  return eventScope(compiled.definition, compiled.calendar, context, event, compiled.params, compiled.clock.now);
}

function childId(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (ref !== null && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string') return (ref as { id: string }).id;
  return undefined;
}

function collect(
  compiled: CompiledDefinition,
  before: AnyMachineSnapshot | undefined,
  after: AnyMachineSnapshot,
  actions: ExecutableActionObject[],
): StepResult {
  const now = compiled.clock.now;
  const result: StepResult = {
    snapshot: after,
    state: stateToString(after.value),
    status: after.status === 'done' ? 'completed' : 'open',
    notifications: [],
    startTimers: [],
    cancelTimers: [],
    invocations: [],
    stopped: [],
    changed: false,
  };
  if (after.status === 'error') {
    if (after.error instanceof MicrostepLimitError) throw after.error;
    throw new Error(`the machine failed: ${String(after.error)}`);
  }
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const params = action.params as { event: { type: string }; id?: string; delay?: number };
      if (params.delay === undefined || !Number.isFinite(params.delay)) continue; // not armed: its date is unknown
      const parsed = parseAfterEvent(params.event.type, compiled.definition.process);
      const timerDelay = params.event.type.startsWith(TIMER_PREFIX) ? params.event.type.slice(TIMER_PREFIX.length) : undefined;
      const delay = parsed?.delay ?? timerDelay ?? params.event.type;
      const base = compiled.countedFrom.get(delay);
      result.startTimers.push({
        id: params.id ?? params.event.type,
        delay,
        state: parsed?.state ?? result.state,
        dueAt: new Date(now + params.delay).toISOString(),
        ...(base !== undefined && { countedFrom: new Date(base).toISOString() }),
        event: { type: params.event.type },
      });
    } else if (action.type === 'xstate.cancel') {
      const id = (action.params as { sendId: string }).sendId;
      // A timer armed earlier in this same step (a state entered and left at once, e.g. through `always`) is never armed.
      const armedNow = result.startTimers.findIndex((t) => t.id === id);
      if (armedNow >= 0) result.startTimers.splice(armedNow, 1);
      result.cancelTimers.push(id);
    } else if (action.type === 'xstate.spawnChild') {
      const { id, src } = action.params as { id: string; src: unknown };
      const name = typeof src === 'string' ? src : id;
      const kind = Object.hasOwn(compiled.definition.tasks, name)
        ? 'task'
        : Object.hasOwn(compiled.definition.subprocesses, name)
          ? 'subprocess'
          : undefined;
      if (kind === undefined)
        throw new Error(`state "${result.state}" invokes "${name}", which is neither a task nor a sub-process of the definition`);
      result.invocations.push({ id, kind, context: action.info.context });
    } else if (action.type === 'xstate.stopChild') {
      const id = childId(action.params);
      if (id !== undefined) result.stopped.push(id);
    } else if (action.type === `${WORK_PREFIX}notify`) {
      const draft = workNotification(
        compiled,
        action.params as { what?: string; state?: string },
        action.info.context,
        action.info.event,
        result.state,
      );
      if (draft) result.notifications.push(draft);
    } else {
      const spec = Object.hasOwn(compiled.definition.actions, action.type) ? compiled.definition.actions[action.type] : undefined;
      if (spec?.type !== 'notify') continue;
      const scope = scopeOf(compiled, action.info.context, action.info.event);
      const data: Record<string, unknown> = { state: result.state };
      for (const [key, ref] of Object.entries(spec.data ?? {})) data[key] = resolveValue(scope, ref);
      result.notifications.push({
        kind: spec.kind,
        template: spec.template,
        subject: spec.subject,
        to: recipients(spec.to, scope),
        data,
      });
    }
  }
  result.changed =
    before === undefined ||
    result.notifications.length > 0 ||
    result.startTimers.length > 0 ||
    result.cancelTimers.length > 0 ||
    result.invocations.length > 0 ||
    (before.value !== after.value && JSON.stringify(before.value) !== JSON.stringify(after.value)) ||
    JSON.stringify(before.context) !== JSON.stringify(after.context);
  return result;
}

/**
 * The recipients of a notification. A recipient naming a user by a path is that user; when the case
 * names nobody there, its role stands in — unless another recipient of the same notification is a
 * user, so that an optional co-owner left empty does not address every holder of the role.
 */
function recipients(
  to: ReadonlyArray<{ role?: string; user?: string; roleFrom?: ValueRef }>,
  scope: Scope,
): Array<{ role?: string; userId?: string }> {
  const resolved = to.map((r) => {
    const userId = r.user === undefined ? undefined : readPath(scope, r.user);
    const dynamicRole = r.roleFrom === undefined ? undefined : resolveValue(scope, r.roleFrom);
    const role = typeof dynamicRole === 'string' && dynamicRole ? dynamicRole : r.role;
    const named = typeof userId === 'string' && userId !== '';
    return { entry: { ...(role ? { role } : {}), ...(named ? { userId } : {}) }, unnamedUser: r.user !== undefined && !named };
  });
  const someoneNamed = resolved.some((r) => r.entry.userId !== undefined);
  return resolved.filter((r) => !(someoneNamed && r.unnamedUser)).map((r) => r.entry);
}

interface InertScope {
  scope: AnyActorScope;
  /** Where the scope's action executor puts the actions of the transition under way. */
  actions: ExecutableActionObject[];
  /** Stops a transition that takes more than `MICROSTEP_LIMIT` microsteps (reset before each one). */
  microsteps: MicrostepCounter;
}

const inertScopes = new WeakMap<AnyStateMachine, InertScope>();

/**
 * An actor scope that executes nothing and only records actions, like the one
 * XState's `initialTransition` and `transition` use. They build a new one, with a
 * throwaway actor whose construction computes the machine's whole initial state, on
 * every call; the machines here have no child actors, so one per machine does the
 * same work once. Transitions are synchronous, so no two calls share it at once.
 */
function inertScope(machine: AnyStateMachine): InertScope {
  let inert = inertScopes.get(machine);
  if (inert === undefined) {
    // The counter watches this actor's system, which the scope shares; it also bounds the
    // initial state the actor's construction computes.
    const microsteps = new MicrostepCounter(stateToString);
    microsteps.reset('xstate.init');
    const self = createActor(machine, { inspect: microsteps.inspect });
    const actions: ExecutableActionObject[] = [];
    const scope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: (action: ExecutableActionObject) => {
        actions.push(action);
      },
    } as unknown as AnyActorScope;
    inert = { scope, actions, microsteps };
    inertScopes.set(machine, inert);
  }
  return inert;
}

function takeActions(inert: InertScope): ExecutableActionObject[] {
  const actions = inert.actions.splice(0, inert.actions.length);
  return actions;
}

/**
 * Starts a case: the initial state for `input`, at workflow time `now`, by the user `initiator` (kept
 * in `$work` where the definition declares people's work). Throws `MicrostepLimitError` when it does not come to rest.
 */
export function startCase(compiled: CompiledDefinition, input: Record<string, unknown>, now: number, initiator?: string): StepResult {
  if (declaresWork(compiled.definition)) input = { ...input, [WORK_KEY]: initialWork(initiator ?? null) };
  compiled.clock.now = now;
  compiled.countedFrom.clear();
  const inert = inertScope(compiled.machine);
  inert.actions.length = 0;
  inert.microsteps.reset('xstate.init');
  const snapshot = compiled.machine.getInitialSnapshot(inert.scope, input) as AnyMachineSnapshot;
  return collect(compiled, undefined, snapshot, takeActions(inert));
}

/**
 * Applies one event to a snapshot at workflow time `now`. Pure apart from the compiled definition's clock.
 * Throws `MicrostepLimitError` when the event does not come to rest (the snapshot is unchanged).
 */
export function step(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot, event: MachineEvent, now: number): StepResult {
  compiled.clock.now = now;
  compiled.countedFrom.clear();
  const inert = inertScope(compiled.machine);
  inert.actions.length = 0;
  inert.microsteps.reset(event.type);
  const next = compiled.machine.transition(snapshot, event, inert.scope) as AnyMachineSnapshot;
  return collect(compiled, snapshot, next, takeActions(inert));
}

/** A snapshot as plain JSON, for continue-as-new. */
export function persistSnapshot(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot): unknown {
  return compiled.machine.getPersistedSnapshot(snapshot);
}

/** Restores a snapshot saved with `persistSnapshot` (no actions run). */
export function restoreSnapshot(compiled: CompiledDefinition, persisted: unknown): AnyMachineSnapshot {
  return createActor(compiled.machine, { snapshot: persisted as never }).getSnapshot() as AnyMachineSnapshot;
}

/** Event types the current state has a transition for, whatever their guards. */
export function acceptedEvents(snapshot: AnyMachineSnapshot): Set<string> {
  if (snapshot.status !== 'active') return new Set();
  return new Set(getNextTransitions(snapshot).map((t) => t.eventType));
}

/**
 * The declared events a role may send in the current state, then the task operations it may perform
 * (given the user too — and whom a delegate acts for — those that user may perform; the events only an assignee or an approver whose turn it is may send are left out for others).
 * `now` is workflow time; without it, the time of the step or check that just ran.
 */
export function allowedEvents(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  role: string | undefined,
  userId?: string,
  onBehalfOf?: string,
  now?: number,
): string[] {
  if (now !== undefined) compiled.clock.now = now;
  const accepted = acceptedEvents(snapshot);
  const declared = Object.entries(compiled.definition.events)
    .filter(([type, spec]) => accepted.has(type) && (role === undefined || spec.roles.includes(role)))
    .map(([type]) => type);
  if (role === undefined || !declaresWork(compiled.definition)) return declared;
  const state = stateToString(snapshot.value);
  const actor: Actor = { userId: userId ?? '', role, ...(onBehalfOf !== undefined && { onBehalfOf }) };
  const events =
    userId === undefined ? declared : declared.filter((type) => workEventRefusal(compiled, snapshot, state, type, actor) === null);
  return [...events, ...allowedTaskOperations(compiled, snapshot, state, actor, declared.length > 0)];
}

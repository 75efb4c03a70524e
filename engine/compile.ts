import { assign, cancel, fromPromise, raise, setup, type AnyStateMachine, type AnyStateNode } from 'xstate';
import type { ActionSpec, Definition, DelaySpec } from './definition-schema';
import type { Actor, CalendarData } from './types';
// From their own modules rather than './calendar': its index also loads the calendar file
// validator, whose schemas would be built again for every workflow that loads this module.
import { addBusinessDays } from './calendar/business-days';
import { addBusinessHours } from './calendar/business-hours';
import { addCalendarDuration } from './calendar/calendar-duration';
import { evaluateGuard, readPath, resolveNumber, resolveValue, toInstant, type Scope } from './expressions';
import type { SchemaValidator } from './json-schema';
import { payloadValidator } from './payload-schema';
import { declaresWork } from './work/model';
import { workImplementations, workMachineConfig } from './work/machine';

/** The event object the machine sees for a human action. */
export interface MachineEvent {
  type: string;
  data?: Record<string, unknown>;
  actor?: Actor;
}

/**
 * A definition ready to run: the XState machine with the definition's named
 * guards, actions and delays, the payload validators, and the parameter values.
 * `clock.now` is set by the step function before every transition so that delays
 * and time guards read workflow time, never the wall clock.
 */
export interface CompiledDefinition {
  definition: Definition;
  calendar: CalendarData;
  machine: AnyStateMachine;
  params: Record<string, unknown>;
  clock: { now: number };
  /** The instant each named delay last counted from (set as the machine reads its delays): a timer's `countedFrom`. */
  countedFrom: Map<string, number>;
  payloadSchemas: PayloadValidators;
  inputSchema: SchemaValidator;
  /**
   * Whether a state moves on by itself (`always`, or a parent's `onDone`): only then can one event
   * take more than one microstep, and `checkEvent` tries it against `MICROSTEP_LIMIT`.
   */
  eventless: boolean;
}

/** The payload validator of each declared event (undefined for an undeclared one). */
export interface PayloadValidators {
  get(event: string): SchemaValidator | undefined;
}

/** A definition's parameter values. A changed value is a new definition version, never a per-case override. */
export function parameterValues(definition: Definition): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.parameters)) values[name] = spec.default;
  return values;
}

/** The event type XState raises when an invoked task or set of sub-processes is done. */
export const DONE_PREFIX = 'xstate.done.actor.';
/** The event type a `startTimer` action raises when its delay falls due. */
export const TIMER_PREFIX = 'timer.';

type DueAt = NonNullable<Scope['dueAt']>;
const dueAtFunctions = new WeakMap<Definition, DueAt>();

/** When a named delay of the definition would fall due, read in a scope (one function per definition, built once). */
function dueAtOf(definition: Definition, calendar: CalendarData, params: Record<string, unknown>): DueAt {
  let fn = dueAtFunctions.get(definition);
  if (fn === undefined) {
    fn = (name, scope) => {
      const spec = Object.hasOwn(definition.delays, name) ? definition.delays[name] : undefined;
      return spec === undefined ? undefined : delayDueAt(spec, scope, params, calendar);
    };
    dueAtFunctions.set(definition, fn);
  }
  return fn;
}

/** What a definition's paths read while an event is handled: `data.*` is the event's data, or the output of a finished task. */
export function eventScope(
  definition: Definition,
  calendar: CalendarData,
  context: Record<string, unknown>,
  event: unknown,
  params: Record<string, unknown>,
  now: number,
): Scope {
  const e = (event ?? {}) as MachineEvent & { output?: unknown };
  const output =
    e.output !== undefined && e.output !== null && typeof e.output === 'object' && e.type?.startsWith(DONE_PREFIX)
      ? (e.output as Record<string, unknown>)
      : undefined;
  return {
    data: e.data ?? output ?? {},
    context,
    param: params,
    actor: e.actor,
    now,
    guards: definition.guards,
    dueAt: dueAtOf(definition, calendar, params),
  };
}

/** The instant a named delay counts from: now, or its `from` date (undefined when that is not known). */
export function delayBase(spec: DelaySpec, scope: Scope): number | undefined {
  return spec.from === undefined || spec.from === 'now' ? scope.now : toInstant(readPath(scope, spec.from));
}

/** The instant a named delay falls due, or undefined when its `from` date (or a parameter the case chooses) is not known. */
export function delayDueAt(spec: DelaySpec, scope: Scope, params: Record<string, unknown>, calendar: CalendarData): number | undefined {
  return delayDueFrom(spec, delayBase(spec, scope), params, calendar, scope);
}

/**
 * The instant a named delay falls due when it counts from `base`. A number read from a parameter the
 * case chooses (`{ paramBy }`) is read in `scope`; when it chooses none, the delay is not armed (undefined).
 */
export function delayDueFrom(
  spec: DelaySpec,
  base: number | undefined,
  params: Record<string, unknown>,
  calendar: CalendarData,
  scope?: Scope,
): number | undefined {
  let t = base;
  if (t === undefined) return undefined;
  const sign = spec.before ? -1 : 1;
  const refs = [
    spec.businessDays,
    spec.businessHours,
    spec.duration?.months,
    spec.duration?.days,
    spec.duration?.hours,
    spec.duration?.minutes,
    spec.duration?.seconds,
  ];
  const [businessDays, businessHours, months, days, hours, minutes, seconds] = refs.map((ref) => resolveNumber(params, ref, scope));
  if ([businessDays, businessHours, months, days, hours, minutes, seconds].some((v) => v === undefined)) return undefined;
  const n = (v: number | undefined) => sign * v!;
  if (spec.businessDays !== undefined) t = addBusinessDays(calendar, t, n(businessDays));
  if (spec.businessHours !== undefined) t = addBusinessHours(calendar, t, n(businessHours));
  if (spec.duration) {
    t = addCalendarDuration(calendar, t, {
      months: n(months),
      days: n(days),
      hours: n(hours),
      minutes: n(minutes) + n(seconds) / 60,
    });
  }
  return t;
}

type ContextActionSpec = Extract<ActionSpec, { type: 'assign' | 'increment' | 'append' | 'shift' }>;

function contextAction(
  definition: Definition,
  calendar: CalendarData,
  spec: ContextActionSpec,
  params: Record<string, unknown>,
  clock: { now: number },
) {
  return assign(({ context, event }: { context: Record<string, unknown>; event: unknown }): Record<string, unknown> => {
    const scope = eventScope(definition, calendar, context, event, params, clock.now);
    switch (spec.type) {
      case 'assign': {
        const patch: Record<string, unknown> = {};
        for (const [key, ref] of Object.entries(spec.set)) patch[key] = resolveValue(scope, ref);
        return patch;
      }
      case 'increment': {
        const current = context[spec.path];
        return { [spec.path]: (typeof current === 'number' ? current : 0) + (spec.by ?? 1) };
      }
      case 'append': {
        const item: Record<string, unknown> = {};
        for (const [key, ref] of Object.entries(spec.value)) item[key] = resolveValue(scope, ref);
        const current = context[spec.path];
        return { [spec.path]: [...(Array.isArray(current) ? current : []), item] };
      }
      case 'shift': {
        const current = context[spec.path];
        return { [spec.path]: Array.isArray(current) ? current.slice(1) : [] };
      }
    }
  });
}

/** Whether a state of the machine (as XState read it) has an `always` transition or an `onDone` below the root. */
function movesOnByItself(root: AnyStateNode): boolean {
  const nodes: AnyStateNode[] = [root];
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    if (node.always?.length || (node !== root && node.config.onDone !== undefined)) return true;
    nodes.push(...Object.values(node.states));
  }
  return false;
}

/** How many compiled definitions `compileShared` keeps (definition versions × calendar versions in use). */
const SHARED_MAX = 64;
const shared = new Map<string, CompiledDefinition>();

/**
 * The compiled definition for these inputs, compiled once and shared by every case of a worker that
 * runs on the same definition and calendar (worker/workflow-preload.ts shares the engine's modules).
 * Sharing is safe because a compiled definition holds no case's state: the steps that use it set
 * its `clock` (and clear `countedFrom`) before the machine reads them, and a case's code runs to the
 * end of its activation before another case's does.
 */
export function compileShared(definition: Definition, calendar: CalendarData): CompiledDefinition {
  const key = `${JSON.stringify(definition)}\u0000${JSON.stringify(calendar)}`;
  let compiled = shared.get(key);
  if (compiled === undefined) {
    compiled = compileDefinition(definition, calendar);
    if (shared.size >= SHARED_MAX) shared.delete(shared.keys().next().value as string);
  } else shared.delete(key); // kept as the most recently used
  shared.set(key, compiled);
  return compiled;
}

/** How many JSON values `sharedCopy` keeps (pinned definitions, sub-process definitions and calendars in use). */
const SHARED_COPIES_MAX = 256;
const sharedCopies = new Map<string, unknown>();

/**
 * One copy per worker of a JSON value that many cases carry in their input (a pinned definition, a
 * calendar), equal by content: each case may then let its own copy go. Cases only read it, as they
 * read the compiled definition they share (the JSON Schema validator annotates the schemas it
 * compiles in place, the same way for every case).
 */
export function sharedCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  const key = JSON.stringify(value);
  let copy = sharedCopies.get(key) as T | undefined;
  if (copy === undefined) {
    copy = value;
    if (sharedCopies.size >= SHARED_COPIES_MAX) sharedCopies.delete(sharedCopies.keys().next().value as string);
  } else sharedCopies.delete(key); // kept as the most recently used
  sharedCopies.set(key, copy);
  return copy;
}

/** Builds the runnable machine of a definition. Pure: the same inputs give the same machine. */
export function compileDefinition(definition: Definition, calendar: CalendarData): CompiledDefinition {
  const params = parameterValues(definition);
  const clock = { now: 0 };
  const countedFrom = new Map<string, number>();

  const guards: Record<string, (args: { context: Record<string, unknown>; event: unknown }) => boolean> = {};
  for (const name of Object.keys(definition.guards)) {
    guards[name] = ({ context, event }) =>
      evaluateGuard({ guard: name }, eventScope(definition, calendar, context, event, params, clock.now), definition.guards);
  }

  const actions: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.actions)) {
    switch (spec.type) {
      case 'notify':
        // Effects (notify) are returned by the pure transition and carried out by the workflow.
        actions[name] = function effect() {};
        break;
      case 'startTimer':
        // A delayed raise outlives the state that started it (unlike `after`); the workflow arms it as a durable timer.
        actions[name] = raise({ type: `${TIMER_PREFIX}${spec.delay}` }, { id: `${TIMER_PREFIX}${spec.delay}`, delay: spec.delay as never });
        break;
      case 'cancelTimer':
        actions[name] = cancel(`${TIMER_PREFIX}${spec.delay}`);
        break;
      default:
        actions[name] = contextAction(definition, calendar, spec, params, clock);
    }
  }

  const delays: Record<string, (args: { context: Record<string, unknown>; event: unknown }) => number> = {};
  for (const [name, spec] of Object.entries(definition.delays)) {
    delays[name] = ({ context, event }) => {
      const scope = eventScope(definition, calendar, context, event, params, clock.now);
      const base = delayBase(spec, scope);
      if (base !== undefined) countedFrom.set(name, base);
      const due = delayDueFrom(spec, base, params, calendar, scope);
      // A deadline already past keeps its true due time (negative): timers due together fire in due order.
      return due === undefined ? Infinity : due - clock.now;
    };
  }

  // Invoked tasks and sub-processes are run by the workflow (an activity, child cases); in the pure
  // machine they are children that never finish by themselves: the workflow feeds their done event.
  const actors: Record<string, unknown> = {};
  for (const name of [...Object.keys(definition.tasks), ...Object.keys(definition.subprocesses)]) {
    actors[name] = fromPromise(() => new Promise<never>(() => {}));
  }

  // People's work (tasks, approvals, withdrawal) is compiled in only where a definition declares it: older ones run as they always ran.
  const work = declaresWork(definition) ? workImplementations({ definition, calendar, params, clock }) : undefined;
  if (work) {
    Object.assign(guards, work.guards);
    Object.assign(actions, work.actions);
  }
  const { context: initialContext, ...written } = definition.machine;
  const config = work ? workMachineConfig(definition, written) : written;
  // The implementations are built from data, so their names are only known at run time.
  const implementations = { guards, actions, delays, actors } as never;
  const machine = setup(implementations).createMachine({
    ...(config as object),
    id: definition.process,
    context: ({ input }: { input: Record<string, unknown> }) => ({ ...(initialContext ?? {}), ...input }),
  } as never);

  // Validators are built when first needed: a case sends only some of its events, and a
  // replayed one (Update validators do not run on replay) none. The linter has built each
  // of them once already, so a published definition cannot fail here later than before.
  const validators = new Map<string, SchemaValidator>();
  const payloadSchemas: PayloadValidators = {
    get(event) {
      let validator = validators.get(event);
      if (validator === undefined) {
        if (!Object.hasOwn(definition.events, event)) return undefined;
        validator = payloadValidator(definition.events[event]!.payload, true);
        validators.set(event, validator);
      }
      return validator;
    },
  };
  let inputSchema: SchemaValidator | undefined;

  const runnable = machine as unknown as AnyStateMachine;
  return {
    definition,
    calendar,
    machine: runnable,
    params,
    clock,
    countedFrom,
    payloadSchemas,
    eventless: movesOnByItself(runnable.root),
    get inputSchema() {
      return (inputSchema ??= payloadValidator(definition.input, false));
    },
  };
}

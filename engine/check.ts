/**
 * Checks without applying: whether a human action (an event or a task operation) or a case's start
 * input would be accepted — declared event, actor, role, what can be stored, the payload's schema,
 * the current state, people's work (assignee, turn) and the guards. The validator of the case
 * workflow's Update runs these, so a refusal never reaches the history.
 */
import { getNextTransitions, type AnyMachineSnapshot } from 'xstate';
import type { CompiledDefinition } from './compile';
import { MicrostepLimitError } from './microstep-limit';
import { describeIssues, refusal, toIssues, type Refusal } from './refusals';
import { acceptedEvents, allowedEvents, startCase, stateToString, step } from './step';
import { storableProblems } from './storable';
import type { Actor } from './types';
import { WORK_PREFIX } from './work/machine';
import { declaresWork } from './work/model';
import { checkTaskOperation, workEventRefusal } from './work/view';
import { isTaskOperation, type TaskOperation } from './work-types';

/** A refusal when the event names no actor (a user id and a role). */
function actorProblem(event: { type: string; actor: unknown }): Refusal | null {
  const actor = event.actor;
  if (
    actor !== null &&
    typeof actor === 'object' &&
    typeof (actor as Actor).userId === 'string' &&
    typeof (actor as Actor).role === 'string'
  )
    return null;
  return refusal('ValidationError', `${event.type} names no actor: send it as a user (userId) acting in a role`, [
    { path: 'actor', message: 'required: { userId, role }' },
  ]);
}

/** A name from a request as a refusal shows it: quoted, escaped and at most 100 characters. */
function shown(name: unknown): string {
  const text = typeof name === 'string' ? name : String(name);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/**
 * Checks a human action without applying it: declared event, the actor's role,
 * the payload's schema, the current state, and the transition's guards.
 * Returns null when the event would be applied.
 */
export function checkEvent(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  event: { type: string; data?: unknown; actor: Actor; requestId?: string | null },
  now: number,
): Refusal | null {
  const { definition } = compiled;
  if (isTaskOperation(event.type) && declaresWork(definition))
    return checkOperation(compiled, snapshot, { ...event, type: event.type }, now);
  const spec = Object.hasOwn(definition.events, event.type) ? definition.events[event.type] : undefined;
  if (!spec) {
    return refusal(
      'UnknownEvent',
      `${shown(event.type)} is not an event of process "${definition.process}"; its events are ${Object.keys(definition.events).join(', ')}`,
    );
  }
  const noActor = actorProblem(event);
  if (noActor) return noActor;
  if (!spec.roles.includes(event.actor.role)) {
    return refusal('Forbidden', `role ${shown(event.actor.role)} may not send ${event.type}; it is for ${spec.roles.join(', ')}`);
  }
  const unstorable = storableProblems({ data: event.data ?? {}, actor: { userId: event.actor.userId }, requestId: event.requestId });
  if (unstorable.length > 0) {
    return refusal('ValidationError', `${event.type} cannot be stored: ${describeIssues(unstorable)}`, unstorable);
  }
  const parsed = compiled.payloadSchemas.get(event.type)?.safeParse(event.data ?? {});
  if (parsed && !parsed.success) {
    const issues = toIssues(parsed.error.issues);
    return refusal('ValidationError', `the data of ${event.type} is invalid: ${describeIssues(issues)}`, issues);
  }
  const state = stateToString(snapshot.value);
  if (snapshot.status !== 'active') {
    return refusal('CaseClosed', `the case is finished (state "${state}") and accepts no more events`);
  }
  if (!acceptedEvents(snapshot).has(event.type)) {
    const allowed = allowedEvents(compiled, snapshot, undefined);
    return refusal('NotAllowedInState', `${event.type} is not allowed in state "${state}"; allowed now: ${allowed.join(', ') || 'none'}`);
  }
  compiled.clock.now = now;
  const turn = workEventRefusal(compiled, snapshot, state, event.type, event.actor);
  if (turn) return turn;
  if (!snapshot.can({ type: event.type, data: event.data ?? {}, actor: event.actor })) {
    const guards = getNextTransitions(snapshot)
      .filter((t) => t.eventType === event.type)
      .map((t) => (t.guard && typeof t.guard === 'object' && 'type' in t.guard ? String(t.guard.type) : String(t.guard ?? '')))
      .filter((g) => g !== '' && !g.startsWith(WORK_PREFIX));
    const words = guards
      .map((g) => (Object.hasOwn(definition.guardLabels, g) ? definition.guardLabels[g]?.en : undefined))
      .filter((w): w is string => w !== undefined);
    return refusal(
      'ConditionNotMet',
      words.length > 0
        ? `${event.type} cannot be applied in state "${state}": ${words.join('; ')} (condition ${guards.join(', ')})`
        : `${event.type} cannot be applied in state "${state}": its condition${guards.length > 1 ? 's' : ''} ${guards.join(', ')} ${guards.length > 1 ? 'do' : 'does'} not hold`,
    );
  }
  return compiled.eventless ? stepLimitRefusal(compiled, snapshot, event, now) : null;
}

/** Checks a task operation: the actor, that it can be stored, then its data and the work rules. */
function checkOperation(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  event: { type: TaskOperation; data?: unknown; actor: Actor; requestId?: string | null },
  now: number,
): Refusal | null {
  const actor = actorProblem(event);
  if (actor) return actor;
  const unstorable = storableProblems({ data: event.data ?? {}, actor: { userId: event.actor.userId }, requestId: event.requestId });
  if (unstorable.length > 0) return refusal('ValidationError', `${event.type} cannot be stored: ${describeIssues(unstorable)}`, unstorable);
  const actsNow = allowedEvents(compiled, snapshot, event.actor.role).some((t) => !isTaskOperation(t));
  return (
    checkTaskOperation(compiled, snapshot, stateToString(snapshot.value), event, actsNow, now) ??
    stepLimitRefusal(compiled, snapshot, event, now)
  );
}

/** Tries the event on a definition with eventless transitions: one that would not come to rest is refused. */
function stepLimitRefusal(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  event: { type: string; data?: unknown; actor: Actor },
  now: number,
): Refusal | null {
  try {
    step(compiled, snapshot, { type: event.type, data: (event.data ?? {}) as Record<string, unknown>, actor: event.actor }, now);
    return null;
  } catch (err) {
    // Any other failure is the step's own, and surfaces when the event is applied, as before.
    if (!(err instanceof MicrostepLimitError)) return null;
    return refusal('StepLimitExceeded', err.message);
  }
}

/**
 * Checks a case's start input without starting it: that it (and the starting actor's id and
 * request id, when given) can be stored, then the definition's `input` schema and, given `now`,
 * that the start comes to rest. Returns null when the case may start with it.
 */
export function checkStartInput(
  compiled: CompiledDefinition,
  input: unknown,
  start: { actor?: Actor; requestId?: string | null; now?: number } = {},
): Refusal | null {
  const { process } = compiled.definition;
  const unstorable = storableProblems({ input, startedBy: { userId: start.actor?.userId }, requestId: start.requestId });
  if (unstorable.length > 0) {
    return refusal('ValidationError', `the input of a ${process} case cannot be stored: ${describeIssues(unstorable)}`, unstorable);
  }
  const parsed = compiled.inputSchema.safeParse(input);
  if (!parsed.success) {
    const issues = toIssues(parsed.error.issues);
    return refusal('ValidationError', `the input of a ${process} case is invalid: ${describeIssues(issues)}`, issues);
  }
  if (compiled.eventless && start.now !== undefined) {
    // A definition published before the linter refused eventless loops may loop on its start.
    try {
      startCase(compiled, input as Record<string, unknown>, start.now);
    } catch (err) {
      if (err instanceof MicrostepLimitError) return refusal('StepLimitExceeded', err.message);
    }
  }
  return null;
}

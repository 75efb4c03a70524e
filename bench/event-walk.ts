/**
 * Deterministic event sequences for any process definition, derived from the
 * definition alone: sample payloads from each event's JSON Schema, and walks over
 * the machine's state graph (xstate/graph) that take every transition once, each
 * after the shortest path to its source state.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import type { CompiledDefinition, MachineEvent } from '../engine/compile';
import { acceptedEvents, stateToString } from '../engine/step';
import { checkEvent } from '../engine/check';
import { workView } from '../engine/work/view';

type Schema = Record<string, unknown>;
/**
 * `low` takes minimums and first choices, `high` maximums and last choices: numeric guards see both sides.
 * Both put times in the future (an appointment, a due date); `past` is `low` with times in the past (when
 * something already happened, e.g. when a customer asked).
 */
type Variant = 'low' | 'high' | 'past';

/** Days from now of the times a variant samples. */
const DAYS_AHEAD: Record<Variant, number> = { low: 2, high: 20, past: -2 };

const DAY = 86_400_000;

/** A value that satisfies `schema` (for the schemas definitions use), or undefined when it cannot tell. */
export function sampleValue(schema: Schema | undefined, variant: Variant, now: number, required = true): unknown {
  if (!schema) return undefined;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return variant !== 'high' ? schema.enum[0] : schema.enum[schema.enum.length - 1];
  if (schema.default !== undefined) return schema.default;
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleValue(options[0] as Schema, variant, now, required);
  }
  const type = Array.isArray(schema.type)
    ? (schema.type.find((t) => t !== 'null') as string | undefined)
    : (schema.type as string | undefined);
  switch (type) {
    case 'object':
    case undefined: {
      if (type === undefined && !schema.properties) return undefined;
      const out: Record<string, unknown> = {};
      const req = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
      for (const [key, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
        const value = sampleValue(sub, variant, now, req.has(key));
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    case 'string': {
      switch (schema.format) {
        case 'date-time':
          return new Date(now + DAYS_AHEAD[variant] * DAY).toISOString();
        case 'date':
          return new Date(now + DAYS_AHEAD[variant] * DAY).toISOString().slice(0, 10);
        case 'email':
          return 'someone@example.com';
        case 'uri':
        case 'url':
          return 'https://example.com/x';
        default:
          break;
      }
      if (typeof schema.pattern === 'string') {
        // A pattern: the first of the usual shapes (a date, a time, an e-mail address, …) it accepts.
        const date = new Date(now + DAYS_AHEAD[variant] * DAY).toISOString();
        const candidates = [date.slice(0, 10), date, 'someone@example.com', 'https://example.com/x', 'Sample text', 'ABC-123', '12345'];
        const pattern = new RegExp(schema.pattern, 'u');
        return candidates.find((c) => pattern.test(c));
      }
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : 200;
      const text = 'Sample text for a benchmark event';
      return text.padEnd(min, 'x').slice(0, Math.max(min, Math.min(max, text.length)));
    }
    case 'integer':
    case 'number': {
      const min =
        typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : 0;
      const max =
        typeof schema.maximum === 'number'
          ? schema.maximum
          : typeof schema.exclusiveMaximum === 'number'
            ? schema.exclusiveMaximum - 1
            : min + 1_000_000;
      const value = variant !== 'high' ? min : Math.min(max, Math.max(min, 1_000_000));
      return type === 'integer' ? Math.ceil(value) : value;
    }
    case 'boolean':
      return variant === 'high';
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const n = Math.max(minItems, variant === 'high' && required ? 1 : 0);
      const item = sampleValue(schema.items as Schema | undefined, variant, now);
      return item === undefined ? [] : Array.from({ length: n }, () => item);
    }
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** Payloads for an event that pass its validator: up to three distinct ones (low, high, and low with past times). */
export function samplePayloads(compiled: CompiledDefinition, type: string, now: number): Array<Record<string, unknown>> {
  const spec = compiled.definition.events[type];
  const validator = compiled.payloadSchemas.get(type);
  const out: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const variant of ['low', 'high', 'past'] as const) {
    const value = sampleValue(spec?.payload ?? { type: 'object', properties: {} }, variant, now);
    const payload = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    const key = JSON.stringify(payload);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!validator || validator.safeParse(payload).success) out.push(payload);
  }
  return out;
}

/** A start input for a definition's cases. */
export function sampleInput(compiled: CompiledDefinition, now: number): Record<string, unknown> {
  for (const variant of ['low', 'high'] as const) {
    const value = sampleValue(compiled.definition.input, variant, now);
    if (value && typeof value === 'object' && compiled.inputSchema.safeParse(value).success) return value as Record<string, unknown>;
  }
  throw new Error(`cannot derive a valid start input for ${compiled.definition.process} from its input schema`);
}

/**
 * The users who may send a task's events in person: the assignees of the tasks open now (a
 * definition with people's work may take a task's events from its assignee alone).
 */
function assignees(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot): string[] {
  return [...new Set(workView(compiled, snapshot).tasks.flatMap((t) => (t.assignee === null ? [] : [t.assignee])))];
}

/**
 * The events that may be applied to `snapshot`: each accepted declared event with
 * each sample payload, sent by its first role — by a user of that role, or else by the
 * assignee of an open task acting in it — kept only when the event check passes; and
 * the state's `after` events (as the workflow's timers raise them).
 */
export function candidateEvents(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot): MachineEvent[] {
  const now = compiled.clock.now;
  const out: MachineEvent[] = [];
  const users = assignees(compiled, snapshot);
  for (const type of acceptedEvents(snapshot)) {
    const spec = compiled.definition.events[type];
    if (!spec) {
      if (type.startsWith('xstate.after.')) out.push({ type });
      continue;
    }
    const role = spec.roles[0] ?? 'system';
    for (const data of samplePayloads(compiled, type, now)) {
      for (const userId of [`bench-${role}`, ...users]) {
        const event = { type, data, actor: { userId, role } };
        if (checkEvent(compiled, snapshot, event, now) !== null) continue;
        out.push(event);
        break;
      }
    }
  }
  return out;
}

export interface Walk {
  /** The events applied after the start, in order. */
  events: MachineEvent[];
}

export interface WalkPlan {
  input: Record<string, unknown>;
  walks: Walk[];
  /** Distinct states and transitions the walks cover. */
  states: number;
  transitions: number;
}

/**
 * Walks that together take every transition of the definition's state graph (states
 * told apart by their value): for each transition, the shortest path from the start
 * to its source state, then the transition itself.
 */
export function planWalks(compiled: CompiledDefinition, now: number): WalkPlan {
  compiled.clock.now = now;
  const input = sampleInput(compiled, now);
  const options = {
    input,
    events: (snapshot: AnyMachineSnapshot) => candidateEvents(compiled, snapshot),
    serializeState: (snapshot: AnyMachineSnapshot) => `${snapshot.status}:${stateToString(snapshot.value)}`,
    serializeEvent: (event: MachineEvent) => JSON.stringify(event),
  };
  const adjacency = getAdjacencyMap(compiled.machine, options as never) as unknown as Record<
    string,
    { transitions: Record<string, { event: MachineEvent }> }
  >;
  const shortest = new Map<string, MachineEvent[]>();
  for (const path of getShortestPaths(compiled.machine, options as never)) {
    const key = options.serializeState(path.state as AnyMachineSnapshot);
    shortest.set(
      key,
      path.steps.map((s) => s.event as MachineEvent).filter((e) => e.type !== 'xstate.init'),
    );
  }
  const walks: Walk[] = [];
  let transitions = 0;
  for (const [key, vertex] of Object.entries(adjacency)) {
    const prefix = shortest.get(key);
    if (prefix === undefined) continue;
    for (const { event } of Object.values(vertex.transitions)) {
      transitions += 1;
      walks.push({ events: [...prefix, event] });
    }
  }
  if (walks.length === 0) throw new Error(`no transition of ${compiled.definition.process} can be reached with sample events`);
  return { input, walks, states: Object.keys(adjacency).length, transitions };
}

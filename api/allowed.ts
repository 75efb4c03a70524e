/**
 * Events a role may send in a state, read from a definition's machine config:
 * the `on` keys of every state node from the root down to each active leaf.
 * Used for inboxes, where asking every case's workflow would be too slow; guards
 * are not evaluated (the workflow decides those when the event is sent).
 */
import type { Definition } from '../engine/definition-schema';
import { ownValue } from '../engine/own';

type Node = { on?: Record<string, unknown>; states?: Record<string, Node> };

export function eventsInState(definition: Definition, state: string): Set<string> {
  const events = new Set<string>();
  const root = definition.machine as unknown as Node;
  for (const leaf of state.split(',')) {
    let node: Node | undefined = root;
    const nodes: Node[] = [root];
    for (const part of leaf.split('.')) {
      node = ownValue(node?.states, part);
      if (!node) break;
      nodes.push(node);
    }
    for (const n of nodes) for (const key of Object.keys(n.on ?? {})) if (Object.hasOwn(definition.events, key)) events.add(key);
  }
  return events;
}

/** The declared events `role` may send in `state`, in the definition's order. */
export function allowedEventsFor(definition: Definition, state: string, role: string): string[] {
  const inState = eventsInState(definition, state);
  return Object.entries(definition.events)
    .filter(([type, spec]) => inState.has(type) && spec.roles.includes(role))
    .map(([type]) => type);
}

/** Fields every event may carry besides its own (as engine/compile.ts adds them). */
const COMMON_EVENT_FIELDS = {
  comment: { type: 'string', maxLength: 4000 },
  attachments: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 500 } },
};

/** The JSON Schema of an event's payload as the workflow checks it: a client can render a form from it. */
export function payloadJsonSchema(definition: Definition, type: string): Record<string, unknown> {
  const schema = ownValue(definition.events, type)?.payload;
  const base: Record<string, unknown> = schema ? { ...schema } : { type: 'object', properties: {} };
  if (base.type === undefined) base.type = 'object';
  if (base.additionalProperties === undefined) base.additionalProperties = false;
  const properties = { ...((base.properties as Record<string, unknown>) ?? {}) };
  for (const [k, v] of Object.entries(COMMON_EVENT_FIELDS)) if (!Object.hasOwn(properties, k)) properties[k] = v;
  base.properties = properties;
  return base;
}

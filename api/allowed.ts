/**
 * Events a role may send in a state, read from a definition's machine config:
 * the `on` keys of every state node from the root down to each active leaf.
 * Used for inboxes, where asking every case's workflow would be too slow; guards
 * are not evaluated (the workflow decides those when the event is sent).
 */
import type { Definition } from '../engine/definition-schema';
import { isObject } from '../engine/json-data';
import { configsAlong } from '../engine/machine-walker';

/** The form schema of an event is the one the workflow checks its payload with. */
export { eventPayloadJsonSchema as payloadJsonSchema } from '../engine/payload-schema';

export function eventsInState(definition: Definition, state: string): Set<string> {
  const events = new Set<string>();
  for (const leaf of state.split(','))
    for (const node of configsAlong(definition.machine, leaf))
      if (isObject(node) && isObject(node.on))
        for (const key of Object.keys(node.on)) if (Object.hasOwn(definition.events, key)) events.add(key);
  return events;
}

/** The declared events `role` may send in `state`, in the definition's order. */
export function allowedEventsFor(definition: Definition, state: string, role: string): string[] {
  const inState = eventsInState(definition, state);
  return Object.entries(definition.events)
    .filter(([type, spec]) => inState.has(type) && spec.roles.includes(role))
    .map(([type]) => type);
}

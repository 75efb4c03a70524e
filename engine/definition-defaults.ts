import type { Definition } from './definition-schema';

/**
 * A pinned definition in its parsed shape, without running the definition schema:
 * definitions are linted when they are published and checked again by the client
 * before a case starts, and building the zod schema in every workflow would cost
 * each case several milliseconds. Only the optional sections get their defaults.
 */
export function withDefaults(raw: unknown): Definition {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('the definition is not an object');
  const d = raw as Partial<Definition> & Record<string, unknown>;
  for (const key of ['process', 'machine', 'events', 'stateLabels', 'input', 'customerField'] as const) {
    if (d[key] === undefined) throw new Error(`the definition has no "${key}"`);
  }
  return {
    ...d,
    parameters: d.parameters ?? {},
    delays: d.delays ?? {},
    guards: d.guards ?? {},
    actions: d.actions ?? {},
    guardLabels: d.guardLabels ?? {},
    tasks: d.tasks ?? {},
    subprocesses: d.subprocesses ?? {},
  } as Definition;
}

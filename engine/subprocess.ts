import type { CompiledDefinition } from './compile';
import { eventScope } from './compile';
import { resolveValue } from './expressions';
import { ownValue } from './own';

/** One sub-process case to start: its key in the list and its start input. */
export interface SubprocessItem {
  key: string;
  input: Record<string, unknown>;
}

const KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** The id of the sub-process case for `key`: derived from the parent's, so it carries no personal data either. */
export function subprocessCaseId(parentCaseId: string, invokeId: string, key: string): string {
  return `${parentCaseId}.${invokeId}.${key}`;
}

/**
 * The sub-process cases an invoke starts, from the context at the time it was invoked.
 * Items with the same key are started once; a key that is not a short name is refused.
 */
export function subprocessItems(
  compiled: CompiledDefinition,
  name: string,
  context: Record<string, unknown>,
  now: number,
): SubprocessItem[] {
  const spec = ownValue(compiled.definition.subprocesses, name);
  if (!spec) throw new Error(`no sub-process "${name}" in process "${compiled.definition.process}"`);
  const scope = eventScope(compiled.definition, compiled.calendar, context, undefined, compiled.params, now);
  const list = resolveValue(scope, spec.forEach);
  const items: SubprocessItem[] = [];
  for (const item of Array.isArray(list) ? list : []) {
    const itemScope = { ...scope, item };
    const rawKey = resolveValue(itemScope, spec.key);
    const key = typeof rawKey === 'number' ? String(rawKey) : rawKey;
    if (typeof key !== 'string' || !KEY.test(key))
      throw new Error(`sub-process "${name}": key ${JSON.stringify(rawKey)} is not a short name (letters, digits, _ and -)`);
    if (items.some((i) => i.key === key)) continue;
    const input: Record<string, unknown> = {};
    for (const [field, ref] of Object.entries(spec.input)) {
      const value = resolveValue(itemScope, ref);
      if (value !== undefined) input[field] = value;
    }
    items.push({ key, input });
  }
  return items;
}

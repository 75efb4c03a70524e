/**
 * Lookups by a name that comes from outside (an event type, a state, a role, a field of a
 * payload) into plain objects. `record[name]` would also find what every object inherits
 * (`constructor`, `toString`, `__proto__`, …); these find only the object's own entries.
 */

/** `record[key]` if `record` has its own entry `key`, else undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record != null && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether `record` has its own entry `key` (not one it inherits). */
export function hasOwnKey(record: object | null | undefined, key: string): boolean {
  return record != null && Object.hasOwn(record, key);
}

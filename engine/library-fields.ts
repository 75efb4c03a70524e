/**
 * Fields that name entries of the case library (形成案例): a payload field marked `"x-case-library": true`
 * holds a list of library entry ids (e.g. the cases a lost deal's lessons were shared with). The engine
 * cannot read the library (a workflow is deterministic), so the API checks each named entry exists and
 * is not unmarked before the event is sent; the case page links them.
 */
import type { Definition } from './definition-schema';
import { ownValue } from './own';

export const LIBRARY_FIELD_KEY = 'x-case-library';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The top-level fields of a payload schema marked `x-case-library`. */
export function libraryFields(payload: unknown): string[] {
  const properties = isRecord(payload) && isRecord(payload.properties) ? payload.properties : {};
  return Object.entries(properties)
    .filter(([, schema]) => isRecord(schema) && schema[LIBRARY_FIELD_KEY] === true)
    .map(([field]) => field);
}

/** Whether a field's schema is what `x-case-library` needs: a list of strings. */
export function isLibraryList(schema: unknown): boolean {
  return isRecord(schema) && schema.type === 'array' && isRecord(schema.items) && schema.items.type === 'string';
}

/** The library entry ids an event's data names, by field (strings only; the schema checks the rest). */
export function namedLibraryEntries(
  definition: Definition,
  eventType: string,
  data: Record<string, unknown>,
): Array<{ field: string; entryId: string }> {
  const out: Array<{ field: string; entryId: string }> = [];
  for (const field of libraryFields(ownValue(definition.events, eventType)?.payload)) {
    const value = ownValue(data, field);
    for (const id of Array.isArray(value) ? value : []) if (typeof id === 'string') out.push({ field, entryId: id });
  }
  return out;
}

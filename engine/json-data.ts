/**
 * Reading JSON whose shape is not known yet: a definition file before (or beside) its schema, a
 * machine config, a JSON Schema. Small helpers every reader of such data shares.
 */

/** Whether `v` is a plain JSON object (not null, not a list). */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value written either alone or as a list, as a list. */
export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A dotted path one key deeper (`''` is the top). */
export const joinPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

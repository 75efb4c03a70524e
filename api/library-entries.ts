/**
 * An event whose payload names case library entries (fields marked `x-case-library`,
 * engine/library-fields.ts) is sent only when each named entry is in the library; otherwise 422
 * `UnknownLibraryEntry` and nothing is sent. The workflow cannot read the library, so the API checks.
 */
import { PostgresLibraryStore } from '../adapters/postgres/library-store';
import { namedLibraryEntries } from '../engine/library-fields';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import type { Definition } from '../engine/definition-schema';

/** Refuses (422 UnknownLibraryEntry) an event whose payload names library entries that are not in the library. */
export async function refuseUnknownLibraryEntries(
  deps: ApiDeps,
  definition: Definition | undefined,
  type: string,
  data: Record<string, unknown> | undefined,
): Promise<void> {
  if (data === undefined || !definition) return;
  const named = namedLibraryEntries(definition, type, data);
  if (named.length === 0) return;
  const live = await new PostgresLibraryStore(deps.pool).live(named.map((n) => n.entryId));
  const issues = named
    .filter((n) => !live.has(n.entryId))
    .map((n) => ({ path: n.field, message: `no entry "${n.entryId}" in the case library` }));
  if (issues.length > 0)
    throw new ApiError(
      422,
      'UnknownLibraryEntry',
      `${type} names what is not in the case library: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
}

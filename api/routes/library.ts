/**
 * The case library (形成案例): completed cases of processes whose definition says `"caseLibrary": true`
 * (the shipped complaint and lost_deal) marked as typical cases with a title, a summary and tags, for
 * lessons and training. Process owners, managers (sales, service, management) and auditors mark and
 * unmark (managers the cases of the processes their role may see); every role but the administrator's searches and reads. An event's payload may name entries (fields marked
 * `x-case-library`, e.g. a lost deal's LESSONS_SHARED): the API sends it only when each is in the library.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PostgresLibraryStore, type LibraryEntry } from '../../adapters/postgres/library-store';
import { ConflictError } from '../../adapters/postgres/errors';
import { ROLE_NAMES } from '../../engine/roles';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';
import { caseIdSchema, processIdSchema } from '../schemas';
import { visibleCase } from './cases';

/** Who marks and unmarks typical cases. */
export const LIBRARY_EDITORS = ['process_owner', 'sales_manager', 'service_manager', 'management', 'auditor'] as const;
/** Editors who mark the cases of any process (the others: of the processes their role may see). */
const MARK_ANY = new Set(['process_owner', 'auditor']);
/** Who searches and reads the library: every role but the administrator's. */
export const LIBRARY_READERS = ROLE_NAMES.filter((r) => r !== 'admin');

const ENTRY_ID = /^lib-[a-z0-9]{8,40}$/;
const entryIdSchema = z.string().regex(ENTRY_ID, 'a library entry id looks like lib-3f9c2a1b');
const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[^,\s][^,]*$/, 'a tag has no commas');

const entryOut = z
  .object({
    entryId: z.string(),
    caseId: z.string(),
    processId: z.string(),
    title: z.string(),
    summary: z.string(),
    tags: z.array(z.string()),
    markedBy: z.string(),
    markedAs: z.string(),
    markedAt: z.string(),
    unmarked: z
      .object({ by: z.string(), as: z.string(), at: z.string(), reason: z.string().nullable() })
      .nullable()
      .describe('set once the entry left the library (it is kept)'),
  })
  .meta({ id: 'LibraryEntry' });

const markBody = z
  .object({
    caseId: caseIdSchema,
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().min(1).max(4000).describe('what makes the case typical: what happened, what was learnt'),
    tags: z.array(tagSchema).max(20).default([]),
  })
  .strict();

const searchQuery = z
  .object({
    q: z.string().max(200).optional().describe('words in the title, summary or tags (every word must appear)'),
    tag: z.string().max(400).optional().describe('tags the entry must carry, comma-separated'),
    process: processIdSchema.optional(),
    caseId: caseIdSchema.optional(),
    unmarked: z.enum(['true', 'false']).optional().describe('`true`: also entries that left the library'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const entryParams = z.object({ entryId: entryIdSchema }).strict();

export function libraryRoutes(deps: ApiDeps): AnyRoute[] {
  const library = new PostgresLibraryStore(deps.pool);
  const entryOf = async (entryId: string): Promise<LibraryEntry> => {
    const entry = await library.get(entryId);
    if (!entry) throw new ApiError(404, 'EntryNotFound', `no entry "${entryId}" in the case library`);
    return entry;
  };
  return [
    route({
      method: 'POST',
      url: '/library',
      summary: 'Mark a completed case as a typical case',
      tag: 'library',
      access: LIBRARY_EDITORS,
      body: markBody,
      responses: {
        201: { description: 'the library entry', schema: z.object({ entry: entryOut }) },
        409: { description: 'AlreadyInLibrary: the case is in the library already' },
        422: { description: 'NotForLibrary: the case is not completed, or its process does not take typical cases' },
      },
      async handler(ctx) {
        const { caseId, title, summary, tags } = ctx.body;
        const projection = await deps.caseStore.getCase(caseId);
        if (!projection) throw new ApiError(404, 'CaseNotFound', `no case "${caseId}"`);
        // Process owners and auditors mark any process's cases; managers those of the processes their role sees.
        if (!MARK_ANY.has(ctx.caller.role)) await visibleCase(deps, ctx, caseId);
        const processId = projection.processId;
        const own = (await deps.catalog.byHash(projection.definitionHash, caseId))?.definition;
        const latest = (await deps.catalog.latest()).find((d) => d.processId === processId)?.definition;
        if (own?.caseLibrary !== true && latest?.caseLibrary !== true)
          throw new ApiError(
            422,
            'NotForLibrary',
            `${processId} cases do not go to the case library (its definition does not say "caseLibrary": true)`,
          );
        if (projection.status !== 'completed')
          throw new ApiError(422, 'NotForLibrary', `case "${caseId}" is still open (state ${projection.state}): mark it once it is closed`);
        try {
          const entry = await library.mark(
            { entryId: `lib-${randomUUID().replace(/-/g, '').slice(0, 12)}`, caseId, processId, title, summary, tags: [...new Set(tags)] },
            ctx.caller.actor,
          );
          return { status: 201, body: { entry } };
        } catch (err) {
          if (err instanceof ConflictError) throw new ApiError(409, 'AlreadyInLibrary', `case "${caseId}" is in the case library already`);
          throw err;
        }
      },
    }),
    route({
      method: 'GET',
      url: '/library',
      summary: 'Search the case library',
      tag: 'library',
      access: LIBRARY_READERS,
      query: searchQuery,
      responses: { 200: { description: 'the entries, newest first', schema: z.object({ entries: z.array(entryOut) }) } },
      async handler(ctx) {
        const q = ctx.query;
        const tags = (q.tag ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const entries = await library.search({
          ...(q.q !== undefined && { text: q.q }),
          ...(tags.length > 0 && { tags }),
          ...(q.process !== undefined && { processId: q.process }),
          ...(q.caseId !== undefined && { caseId: q.caseId }),
          includeUnmarked: q.unmarked === 'true',
          limit: q.limit,
        });
        return { status: 200, body: { entries } };
      },
    }),
    route({
      method: 'GET',
      url: '/library/:entryId',
      summary: 'Read a library entry',
      tag: 'library',
      access: LIBRARY_READERS,
      params: entryParams,
      responses: {
        200: { description: 'the entry (also one that left the library)', schema: z.object({ entry: entryOut }) },
        404: { description: 'EntryNotFound' },
      },
      async handler(ctx) {
        return { status: 200, body: { entry: await entryOf(ctx.params.entryId) } };
      },
    }),
    route({
      method: 'POST',
      url: '/library/:entryId/unmark',
      summary: 'Take an entry out of the case library',
      tag: 'library',
      access: LIBRARY_EDITORS,
      params: entryParams,
      body: z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict(),
      responses: {
        200: { description: 'the entry, with who took it out, when and why (the row is kept)', schema: z.object({ entry: entryOut }) },
        404: { description: 'EntryNotFound' },
        409: { description: 'EntryNotFound: the entry is out of the library already' },
      },
      async handler(ctx) {
        await entryOf(ctx.params.entryId);
        try {
          return { status: 200, body: { entry: await library.unmark(ctx.params.entryId, ctx.caller.actor, ctx.body?.reason ?? null) } };
        } catch (err) {
          if (err instanceof ConflictError)
            throw new ApiError(409, 'EntryNotFound', `entry "${ctx.params.entryId}" is out of the library already`);
          throw err;
        }
      },
    }),
  ];
}

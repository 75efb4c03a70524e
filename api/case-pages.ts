/**
 * Paged lists: what each definition version says for a role's inbox, and the opaque cursors that
 * carry a page's position in every list the API pages (cases, a case's history, a customer's
 * timeline, customers, incidents, the security log).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CaseKey, VersionFacts } from '../adapters/postgres/case-query';
import { walkMachine } from '../engine/machine-walker';
import { allowedEventsFor } from './allowed';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';

const factsCache = new Map<string, VersionFacts>();

/** The definition declares tasks (`humanTasks`), so its cases' rows say who they wait on. */
function hasHumanTasks(definition: object): boolean {
  const tasks = (definition as { humanTasks?: unknown }).humanTasks;
  return typeof tasks === 'object' && tasks !== null && Object.keys(tasks).length > 0;
}

/**
 * The facts of every definition version that cases of `processIds` run on, for `role`. Versions
 * never change, so each is worked out once per version and role; a version the API cannot read is
 * left out (its cases then appear in no role-based view).
 */
export async function versionFacts(deps: ApiDeps, processIds: string[], role: string): Promise<VersionFacts[]> {
  if (processIds.length === 0) return [];
  const out: VersionFacts[] = [];
  for (const { hash, caseId } of await deps.queries.versionsInUse(processIds)) {
    const key = `${hash}\u0000${role}`;
    let facts = factsCache.get(key);
    if (!facts) {
      const known = await deps.catalog.byHash(hash, caseId);
      if (!known) continue;
      const { definition } = known;
      const walk = walkMachine(definition.machine, definition.process);
      facts = {
        hash,
        actionableStates: walk.nodes
          .filter((n) => n.kind === 'atomic' && allowedEventsFor(definition, n.path, role).length > 0)
          .map((n) => n.path),
        parallel: walk.nodes.some((n) => n.kind === 'parallel'),
        ...(definition.assigneeField !== undefined && { assigneeField: definition.assigneeField }),
        humanTasks: hasHumanTasks(definition),
      };
      factsCache.set(key, facts);
    }
    out.push(facts);
  }
  return out;
}

const cursorBody = z
  .object({
    at: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
      .optional(),
    id: z.string().min(1).max(500),
    q: z.string().length(16),
  })
  .strict();

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/**
 * The fingerprint of a list request: everything that decides which rows it lists, in a fixed order.
 * A cursor made for one list is refused by another (another view, filter, role or user).
 */
export function listFingerprint(parts: Record<string, unknown>): string {
  return digest(
    JSON.stringify(
      Object.keys(parts)
        .sort()
        .map((k) => [k, parts[k] ?? null]),
    ),
  );
}

const badCursor = (why: string) =>
  new ApiError(
    400,
    'InvalidRequest',
    `cursor: ${why}; pass the nextCursor of the previous page unchanged, or leave cursor out to start over`,
  );

/** A cursor's body (the last row's key and the list's fingerprint), sealed with a checksum. */
function seal(body: z.infer<typeof cursorBody>): string {
  const text = JSON.stringify(body);
  return `${Buffer.from(text).toString('base64url')}.${digest(`cursor\u0000${text}`)}`;
}

/** The key a cursor made by `seal` for the list with this fingerprint carries; a 400 otherwise. */
function unseal(cursor: string, fingerprint: string): { at?: string; id: string } {
  const [payload, check, ...rest] = cursor.split('.');
  if (payload === undefined || check === undefined || rest.length) throw badCursor('not a cursor Docket made');
  const body = Buffer.from(payload, 'base64url').toString('utf8');
  if (digest(`cursor\u0000${body}`) !== check) throw badCursor('damaged (its checksum does not match)');
  let parsed: z.infer<typeof cursorBody>;
  try {
    parsed = cursorBody.parse(JSON.parse(body));
  } catch {
    throw badCursor('not a cursor Docket made');
  }
  if (parsed.q !== fingerprint) throw badCursor('made for another list (another view, filter, role or user)');
  return { ...(parsed.at !== undefined && { at: parsed.at }), id: parsed.id };
}

/**
 * An opaque cursor: the last row's key and the list's fingerprint, sealed with a checksum. It only
 * says where to go on; who may see what is decided again on every request, so a forged cursor
 * shows nothing the caller could not list anyway.
 */
export function encodeCursor(key: CaseKey, fingerprint: string): string {
  return seal({ at: key.openedAt, id: key.caseId, q: fingerprint });
}

/** The key of a cursor made by `encodeCursor` for the list with this fingerprint; a 400 otherwise. */
export function decodeCursor(cursor: string, fingerprint: string): CaseKey {
  const { at, id } = unseal(cursor, fingerprint);
  if (at === undefined) throw badCursor('not a cursor of this list');
  return { openedAt: at, caseId: id };
}

/** An opaque cursor of a list ordered by a sequence number (a case's history): the last row's number. */
export function encodeSeqCursor(seq: number, fingerprint: string): string {
  return seal({ id: String(seq), q: fingerprint });
}

/** The sequence number of a cursor made by `encodeSeqCursor` for the list with this fingerprint; a 400 otherwise. */
export function decodeSeqCursor(cursor: string, fingerprint: string): number {
  const { at, id } = unseal(cursor, fingerprint);
  if (at !== undefined || !/^(0|[1-9]\d{0,14})$/.test(id)) throw badCursor('not a cursor of this list');
  return Number(id);
}

/** Audit: export one case or a search result (JSON, CSV), and verify hash chains and their signatures. */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { verifyAnnotations } from '../../audit/annotations';
import { verifyChain, withAnnotations, type ChainVerification } from '../../audit/chain';
import { PostgresAnnotationStore } from '../../adapters/postgres/annotation-store';
import { crossCheck, type CaseVerification } from '../../audit/deep';
import { buildExport, exportToCsv, type ExportedCase } from '../../audit/export';
import { publicKeyEntry, readPublicKeys, type PublicKeyEntry } from '../../audit/keys';
import { KeySet } from '../../audit/signature';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute, type Caller } from '../route';
import type { CasePage } from '../../adapters/postgres/case-query';
import { decodeCursor, encodeCursor, listFingerprint } from '../case-pages';
import { caseParams, exportQuery, formatQuery, toCaseSearch, verificationOut, verifyAllOut, verifyQuery } from '../schemas';
import { refused, seenCase } from './cases';

const exportSchema = z
  .object({
    format: z.literal('docket-audit-export'),
    version: z.literal(2),
    algorithm: z.string(),
    signatureAlgorithm: z.string(),
    annotationAlgorithm: z.string().optional(),
    exportedAt: z.string(),
    exportedBy: z.object({ userId: z.string(), role: z.string() }),
    keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('ed25519'), publicKey: z.string(), createdAt: z.string() })),
    cases: z.array(z.looseObject({ caseId: z.string(), transitions: z.array(z.unknown()) })),
  })
  .meta({ id: 'AuditExport' });

type AuditDeps = Pick<ApiDeps, 'caseStore' | 'auditPublicKeysFile' | 'pool'>;

/**
 * The keys a verification trusts: the public keyring file when there is one (an
 * insider who adds a key to the database gains nothing), else the keys recorded in
 * docket.audit_keys, else none (signatures unchecked).
 */
export async function trustedKeys(deps: AuditDeps): Promise<{ keys?: KeySet; keysFrom: 'pinned' | 'database' | 'none' }> {
  const file = deps.auditPublicKeysFile;
  if (file !== undefined && existsSync(file)) return { keys: new KeySet(readPublicKeys(file)), keysFrom: 'pinned' };
  const recorded = await deps.caseStore.listAuditKeys();
  if (recorded.length === 0) return { keysFrom: 'none' };
  // Ids are recomputed from the keys, never taken from the table.
  return {
    keys: new KeySet(recorded.map((k) => publicKeyEntry(k.publicKey, `docket.audit_keys ${k.keyId}`, k.createdAt))),
    keysFrom: 'database',
  };
}

async function exportedCase(deps: ApiDeps, caseId: string): Promise<ExportedCase> {
  const notes = new PostgresAnnotationStore(deps.pool);
  const [projection, transitions, checkpoints, annotations, annotationCount] = await Promise.all([
    deps.caseStore.getCase(caseId),
    deps.caseStore.listChainedTransitions(caseId),
    deps.caseStore.listCheckpoints(caseId),
    notes.list(caseId),
    notes.count(caseId),
  ]);
  const first = transitions[0];
  const definitionHash = projection?.definitionHash ?? first?.definitionHash ?? '';
  const known = definitionHash ? await deps.catalog.byHash(definitionHash, caseId) : undefined;
  return {
    caseId,
    processId: projection?.processId ?? first?.processId ?? '',
    definitionVersion: projection?.definitionVersion ?? first?.definitionVersion ?? 0,
    definitionHash,
    ...(known && { definition: known.raw }),
    customerId: projection?.customerId ?? '',
    state: projection?.state ?? '',
    status: projection?.status ?? '',
    lastSeq: projection?.lastSeq ?? -1,
    transitions,
    checkpoints,
    annotations,
    annotationCount: Math.max(annotationCount, 0),
  };
}

/**
 * Verifies one case's chain and signatures as stored, against the last seq its
 * projection records; with `history` (the workflow's runs), also against what
 * Temporal applied.
 */
export async function verifyCase(
  deps: AuditDeps,
  caseId: string,
  trust?: Awaited<ReturnType<typeof trustedKeys>>,
  history?: Parameters<typeof crossCheck>[1],
): Promise<CaseVerification> {
  const notes = new PostgresAnnotationStore(deps.pool);
  const [projection, rows, checkpoints, t, annotations, annotationCount] = await Promise.all([
    deps.caseStore.getCase(caseId),
    deps.caseStore.listChainedTransitions(caseId),
    deps.caseStore.listCheckpoints(caseId),
    trust ?? trustedKeys(deps),
    notes.list(caseId),
    notes.count(caseId),
  ]);
  // The annotations' own chain, anchored on the transitions and counted on the case.
  const chain = withAnnotations(
    verifyChain(caseId, rows, { lastSeq: projection?.lastSeq ?? -1, ...(t.keys && { keys: t.keys, checkpoints }) }),
    verifyAnnotations(caseId, annotations, rows, { count: Math.max(annotationCount, 0), ...(t.keys && { keys: t.keys }) }),
  );
  if (history === undefined) return { ...chain, keysFrom: t.keysFrom };
  const deep = crossCheck(rows, history);
  const first = deep.problems[0];
  return {
    ...chain,
    ok: chain.ok && deep.ok,
    keysFrom: t.keysFrom,
    ...(chain.problem === undefined && first && { problem: first }),
    deep,
  };
}

async function publicKeysFor(deps: ApiDeps, cases: ExportedCase[]): Promise<PublicKeyEntry[]> {
  const { keys } = await trustedKeys(deps);
  return keys?.entries ?? (cases.length > 0 ? await deps.caseStore.listAuditKeys() : []);
}

function exportResponse(
  cases: ExportedCase[],
  keys: PublicKeyEntry[],
  caller: Caller,
  format: 'json' | 'csv',
  name: string,
  headers: Record<string, string> = {},
) {
  const exp = buildExport(cases, caller.actor, keys);
  if (format === 'csv') {
    return {
      status: 200,
      body: exportToCsv(exp),
      contentType: 'text/csv; charset=utf-8',
      headers: { ...headers, 'content-disposition': `attachment; filename="${name}.csv"` },
    };
  }
  return { status: 200, body: exp, headers: { ...headers, 'content-disposition': `attachment; filename="${name}.json"` } };
}

/** The headers of one export of a search a page at a time: the next page's cursor (absent on the last) and the total. */
function pageHeaders(page: CasePage, fingerprint: string): Record<string, string> {
  return {
    'docket-total': `${page.total}${page.totalCapped ? '+' : ''}`,
    ...(page.next && { 'docket-next-cursor': encodeCursor(page.next, fingerprint) }),
  };
}

export function auditRoutes(deps: ApiDeps): AnyRoute[] {
  const exportResponses = {
    200: {
      description: 'the audit export: JSON (verifiable offline with `docket audit verify --file`), or CSV with ?format=csv',
      schema: exportSchema,
      alsoAs: 'text/csv',
    },
  };
  return [
    route({
      method: 'GET',
      url: '/cases/:caseId/audit/export',
      summary: "Export a case's audit trail",
      tag: 'audit',
      access: 'any',
      params: caseParams,
      query: formatQuery,
      responses: exportResponses,
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        const cases = [await exportedCase(deps, caseId)];
        return exportResponse(cases, await publicKeysFor(deps, cases), ctx.caller, ctx.query.format, `audit-${caseId}`);
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/audit/verify',
      summary: "Verify a case's hash chain and signatures (?deep=true: also against its Temporal history)",
      tag: 'audit',
      access: 'any',
      params: caseParams,
      query: verifyQuery,
      responses: {
        200: {
          description:
            'whether the chain and its signatures hold; if not, the first broken seq and why (forged, unsigned, unknown key, changed…)',
          schema: verificationOut,
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        if (ctx.query.deep !== true) return { status: 200, body: await verifyCase(deps, caseId) };
        if (ctx.caller.role !== 'auditor') {
          await refused(
            deps,
            ctx,
            new ApiError(403, 'Forbidden', `a deep verification reads the Temporal history: role "auditor" only, not "${ctx.caller.role}"`),
            caseId,
          );
        }
        const history = await deps.docket.workflowHistory(caseId).catch((e: unknown) => refused(deps, ctx, e, caseId));
        return { status: 200, body: await verifyCase(deps, caseId, undefined, history) };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/export',
      summary: 'Export the audit trail of a search result',
      tag: 'audit',
      access: ['auditor'],
      query: exportQuery,
      responses: {
        200: {
          ...exportResponses[200],
          description:
            'the audit export of a page of the matching cases, newest first (limit cases): the Docket-Next-Cursor header, when present, is the cursor of the next page; Docket-Total says how many match (counted up to 1000: "1000+")',
        },
      },
      async handler(ctx) {
        const { cursor, format, limit, offset, ...filters } = ctx.query;
        if (cursor !== undefined && offset > 0) throw new ApiError(400, 'InvalidRequest', 'give a cursor or an offset, not both');
        const fingerprint = listFingerprint({ list: 'audit-export', ...filters });
        const after = cursor === undefined ? undefined : decodeCursor(cursor, fingerprint);
        const page = await deps.queries.page(toCaseSearch({ ...filters, limit, offset }), undefined, {
          limit,
          ...(after && { after }),
          offset,
        });
        const cases: ExportedCase[] = [];
        for (const c of page.cases) cases.push(await exportedCase(deps, c.caseId));
        return exportResponse(cases, await publicKeysFor(deps, cases), ctx.caller, format, 'audit-export', pageHeaders(page, fingerprint));
      },
    }),
    route({
      method: 'GET',
      url: '/audit/verify',
      summary: 'Verify every case’s hash chain and signatures',
      tag: 'audit',
      access: ['auditor'],
      responses: { 200: { description: 'the number of cases checked and every broken one', schema: verifyAllOut } },
      async handler() {
        const ids = await deps.queries.allCaseIds();
        const trust = await trustedKeys(deps);
        const broken: ChainVerification[] = [];
        for (const id of ids) {
          const v = await verifyCase(deps, id, trust);
          if (!v.ok) broken.push(v);
        }
        return { status: 200, body: { ok: broken.length === 0, checked: ids.length, broken } };
      },
    }),
  ];
}

/** Audit: export one case or a search result (JSON, CSV), and verify hash chains. */
import { z } from 'zod';
import { buildExport, exportToCsv, type ExportedCase } from '../../audit/export';
import { verifyChain, type ChainVerification } from '../../audit/chain';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute, type Caller } from '../route';
import { caseParams, exportQuery, formatQuery, toCaseSearch, verificationOut, verifyAllOut } from '../schemas';
import { visibleCase } from './cases';

const exportSchema = z
  .object({
    format: z.literal('docket-audit-export'),
    version: z.literal(1),
    algorithm: z.string(),
    exportedAt: z.string(),
    exportedBy: z.object({ userId: z.string(), role: z.string() }),
    cases: z.array(z.looseObject({ caseId: z.string(), transitions: z.array(z.unknown()) })),
  })
  .meta({ id: 'AuditExport' });

async function exportedCase(deps: ApiDeps, caseId: string): Promise<ExportedCase> {
  const [projection, transitions] = await Promise.all([deps.caseStore.getCase(caseId), deps.caseStore.listChainedTransitions(caseId)]);
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
  };
}

/** Verifies one case's chain as stored, against the last seq its projection records. */
export async function verifyCase(deps: Pick<ApiDeps, 'caseStore'>, caseId: string): Promise<ChainVerification> {
  const [projection, rows] = await Promise.all([deps.caseStore.getCase(caseId), deps.caseStore.listChainedTransitions(caseId)]);
  return verifyChain(caseId, rows, { lastSeq: projection?.lastSeq ?? -1 });
}

function exportResponse(cases: ExportedCase[], caller: Caller, format: 'json' | 'csv', name: string) {
  const exp = buildExport(cases, caller.actor);
  if (format === 'csv') {
    return {
      status: 200,
      body: exportToCsv(exp),
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="${name}.csv"` },
    };
  }
  return { status: 200, body: exp, headers: { 'content-disposition': `attachment; filename="${name}.json"` } };
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
        const { caseId } = ctx.params;
        await visibleCase(deps, ctx, caseId);
        const res = exportResponse([await exportedCase(deps, caseId)], ctx.caller, ctx.query.format, `audit-${caseId}`);
        return res;
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/audit/verify',
      summary: "Verify a case's hash chain",
      tag: 'audit',
      access: 'any',
      params: caseParams,
      responses: { 200: { description: 'whether the chain holds; if not, the first broken seq and why', schema: verificationOut } },
      async handler(ctx) {
        const { caseId } = ctx.params;
        await visibleCase(deps, ctx, caseId);
        return { status: 200, body: await verifyCase(deps, caseId) };
      },
    }),
    route({
      method: 'GET',
      url: '/audit/export',
      summary: 'Export the audit trail of a search result',
      tag: 'audit',
      access: ['auditor'],
      query: exportQuery,
      responses: exportResponses,
      async handler(ctx) {
        const q = ctx.query;
        const found = await deps.queries.search({
          ...toCaseSearch(q),
        });
        const cases: ExportedCase[] = [];
        for (const c of found) cases.push(await exportedCase(deps, c.caseId));
        return exportResponse(cases, ctx.caller, q.format, 'audit-export');
      },
    }),
    route({
      method: 'GET',
      url: '/audit/verify',
      summary: 'Verify every case’s hash chain',
      tag: 'audit',
      access: ['auditor'],
      responses: { 200: { description: 'the number of cases checked and every broken one', schema: verifyAllOut } },
      async handler() {
        const ids = await deps.queries.allCaseIds();
        const broken: ChainVerification[] = [];
        for (const id of ids) {
          const v = await verifyCase(deps, id);
          if (!v.ok) broken.push(v);
        }
        return { status: 200, body: { ok: broken.length === 0, checked: ids.length, broken } };
      },
    }),
  ];
}

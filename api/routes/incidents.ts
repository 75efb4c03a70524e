/** Incidents: effects of cases that failed for good, listed and retried by operators (admin). */
import { z } from 'zod';
import { decodeCursor, encodeCursor, listFingerprint } from '../case-pages';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute } from '../route';
import { caseParams, incidentOut, incidentsQuery, nextCursor, retryBody, retryOut } from '../schemas';
import { acting } from './cases';

const OPERATORS = ['admin'] as const;

/** An ISO instant to the millisecond (`…:00.123Z`) written to the microsecond (`…:00.123000Z`). */
const microseconds = (iso: string) => new Date(iso).toISOString().replace(/Z$/, '000Z');

export function incidentRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'GET',
      url: '/incidents',
      summary: 'List open incidents',
      tag: 'incidents',
      access: OPERATORS,
      query: incidentsQuery,
      responses: {
        200: {
          description: 'open incidents of every case, oldest first, a page at a time',
          schema: z.object({ incidents: z.array(incidentOut), nextCursor }),
        },
      },
      async handler(ctx) {
        const { cursor, limit, process, case: caseId } = ctx.query;
        const fingerprint = listFingerprint({ list: 'incidents', process, case: caseId });
        const after = cursor === undefined ? undefined : decodeCursor(cursor, fingerprint);
        const rows = await deps.docket.listIncidents({
          ...(process !== undefined && { processId: process }),
          ...(caseId !== undefined && { caseId }),
          ...(after && { after: { openedAt: after.openedAt, id: after.caseId } }),
          limit: limit + 1,
        });
        const incidents = rows.slice(0, limit);
        const last = incidents[incidents.length - 1];
        // Incidents are opened at workflow time, to the millisecond: the cursor keeps it as the case lists' keys do, to the microsecond.
        const next =
          rows.length > limit && last ? encodeCursor({ openedAt: microseconds(last.openedAt), caseId: last.id }, fingerprint) : null;
        return { status: 200, body: { incidents, nextCursor: next } };
      },
    }),
    route({
      method: 'POST',
      url: '/cases/:caseId/incidents/retry',
      summary: 'Retry incidents',
      tag: 'incidents',
      access: OPERATORS,
      params: caseParams,
      body: retryBody,
      responses: {
        200: {
          description:
            'the retried effects that succeeded, and the incidents still open (a retry that failed again counts one more attempt)',
          schema: retryOut,
        },
      },
      async handler(ctx) {
        const { caseId } = ctx.params;
        return acting(deps, ctx, { caseId, event: 'retryIncidents', status: 200 }, () =>
          deps.docket.retryIncidents(caseId, ctx.caller.actor, ctx.body.incidentId),
        );
      },
    }),
  ];
}

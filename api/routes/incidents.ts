/** Incidents: effects of cases that failed for good, listed and retried by operators (admin). */
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute } from '../route';
import { caseParams, incidentOut, incidentsQuery, retryBody, retryOut } from '../schemas';
import { acting } from './cases';

const OPERATORS = ['admin'] as const;

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
        200: { description: 'open incidents of every case, oldest first', schema: z.object({ incidents: z.array(incidentOut) }) },
      },
      async handler(ctx) {
        const incidents = await deps.docket.listIncidents({
          ...(ctx.query.process !== undefined && { processId: ctx.query.process }),
          ...(ctx.query.case !== undefined && { caseId: ctx.query.case }),
          limit: ctx.query.limit,
        });
        return { status: 200, body: { incidents } };
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

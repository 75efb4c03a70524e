import type { Incident } from '../workflows/messages';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK, invalidArgument } from './errors';
import { table } from './format';

export interface IncidentListOptions {
  process?: string;
  limit?: string;
}

function incidentRows(incidents: Incident[]): string {
  if (incidents.length === 0) return 'No open incidents.\n';
  return table(
    ['CASE', 'INCIDENT', 'EFFECT', 'ATTEMPTS', 'OPENED', 'ERROR'],
    incidents.map((i) => [
      i.caseId,
      i.id.slice(i.caseId.length + 1),
      i.description,
      String(i.attempts),
      i.openedAt,
      `${i.error.type}: ${i.error.message}`,
    ]),
    '',
  );
}

/** `docket incidents list`: effects of cases that failed for good and wait for a retry (operators). */
export async function listIncidentsCommand(ctx: CliContext, opts: IncidentListOptions): Promise<number> {
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
    throw invalidArgument(`--limit must be a whole number from 1 to 1000, got "${opts.limit}"`);
  const incidents = await ctx.withCases((docket) =>
    docket.listIncidents({
      ...(opts.process !== undefined && { processId: opts.process }),
      ...(limit !== undefined && { limit }),
    }),
  );
  ctx.print({ incidents }, () => incidentRows(incidents));
  return EXIT_OK;
}

/** `docket incidents retry <caseId>`: runs a case's failed effects again once their cause is fixed. */
export async function retryIncidentsCommand(ctx: CliContext, caseId: string, opts: { as: string; incident?: string }): Promise<number> {
  const actor = ctx.actor(opts.as);
  const result = await ctx.withCases((docket) => docket.retryIncidents(caseId, actor, opts.incident));
  ctx.print(result, () => {
    let out = result.resolved.length > 0 ? `Retried: ${result.resolved.join(', ')} succeeded; the case goes on.\n` : '';
    if (result.open.length > 0) out += `Still failing:\n${incidentRows(result.open)}`;
    return out;
  });
  return result.open.length > 0 ? EXIT_FAILED : EXIT_OK;
}

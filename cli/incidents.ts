import type { Incident } from '../workflows/messages';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
import { table } from './format';

export interface IncidentListOptions {
  process?: string;
  limit?: string;
  cursor?: string;
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

/**
 * `docket incidents list`: effects of cases that failed for good and wait for a retry (operators), a
 * page at a time: over the API the command line of the next page follows; with --direct, a note when
 * more are open than --limit shows.
 */
export async function listIncidentsCommand(ctx: CliContext, opts: IncidentListOptions): Promise<number> {
  const limit = opts.limit === undefined ? 100 : Number(opts.limit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
    throw invalidArgument(`--limit must be a whole number from 1 to 1000, got "${opts.limit}"`);
  const filter = { ...(opts.process !== undefined && { processId: opts.process }), limit };
  let incidents: Incident[];
  let more: string;
  let nextCursor: string | null = null;
  if (ctx.mode() === 'api') {
    const page = await ctx
      .api()
      .listIncidentsPage({ ...filter, ...(opts.cursor !== undefined && { cursor: opts.cursor }) })
      .catch(rethrowBadRequest);
    incidents = page.incidents;
    nextCursor = page.nextCursor;
    const again = ['docket incidents list', ...(opts.process !== undefined ? [`--process ${opts.process}`] : []), `--limit ${limit}`];
    more = nextCursor === null ? '' : `next page: ${again.join(' ')} --cursor ${nextCursor}\n`;
  } else {
    if (opts.cursor !== undefined) throw invalidArgument('--cursor pages the list over the API; with --direct, raise --limit instead');
    const rows = await ctx.withCases((docket) => docket.listIncidents({ ...filter, limit: limit + 1 }));
    incidents = rows.slice(0, limit);
    more = rows.length > limit ? `more incidents are open than these ${limit}: raise --limit (at most 1000)\n` : '';
  }
  ctx.print({ incidents, nextCursor }, () => incidentRows(incidents) + more);
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

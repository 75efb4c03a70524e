/** The operators' list of incidents (`docket.incidents`), written by the `recordIncident` activity. */
import type { Pool } from 'pg';
import type { IncidentFilter, IncidentStore } from '../../ports';
import type { EffectKind, Incident } from '../../workflows/messages';
import { mapPgError } from './errors';

type IncidentRow = {
  id: string;
  case_id: string;
  process_id: string;
  effect: string;
  seq: number | null;
  description: string;
  error_type: string;
  error_message: string;
  attempts: number;
  opened_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
};

/**
 * Error texts may quote the very value that could not be stored: they are kept
 * storable (no NUL, no lone surrogate) and of a sane length.
 */
function storableText(text: string, max = 2000): string {
  return text
    .replace(/\u0000/g, '\\u0000')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .slice(0, max);
}

function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    caseId: row.case_id,
    processId: row.process_id,
    effect: row.effect as EffectKind,
    seq: row.seq,
    description: row.description,
    error: { type: row.error_type, message: row.error_message },
    attempts: row.attempts,
    openedAt: row.opened_at.toISOString(),
    ...(row.resolved_at && { resolvedAt: row.resolved_at.toISOString() }),
    ...(row.resolved_by && { resolvedBy: row.resolved_by }),
  };
}

export class PostgresIncidentStore implements IncidentStore {
  constructor(private readonly pool: Pool) {}

  async record(incident: Incident): Promise<void> {
    try {
      // A retried activity writes the same row again; an older attempt never overwrites a newer one.
      await this.pool.query(
        `INSERT INTO docket.incidents (id, case_id, process_id, effect, seq, description, error_type, error_message,
           attempts, opened_at, resolved_at, resolved_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET
           error_type = EXCLUDED.error_type, error_message = EXCLUDED.error_message, attempts = EXCLUDED.attempts,
           resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by
         WHERE docket.incidents.attempts < EXCLUDED.attempts
            OR (docket.incidents.attempts = EXCLUDED.attempts AND docket.incidents.resolved_at IS NULL)`,
        [
          incident.id,
          incident.caseId,
          incident.processId,
          incident.effect,
          incident.seq,
          storableText(incident.description, 500),
          storableText(incident.error.type, 200),
          storableText(incident.error.message),
          incident.attempts,
          incident.openedAt,
          incident.resolvedAt ?? null,
          incident.resolvedBy ?? null,
        ],
      );
    } catch (err) {
      throw mapPgError(err, 'recordIncident');
    }
  }

  async listOpen(filter: IncidentFilter = {}): Promise<Incident[]> {
    try {
      const { rows } = await this.pool.query<IncidentRow>(
        `SELECT * FROM docket.incidents
         WHERE resolved_at IS NULL AND ($1::text IS NULL OR process_id = $1) AND ($2::text IS NULL OR case_id = $2)
           AND ($4::timestamptz IS NULL OR (opened_at, id) > ($4::timestamptz, $5::text))
         ORDER BY opened_at, id LIMIT $3`,
        [
          filter.processId ?? null,
          filter.caseId ?? null,
          // One more than a page of 1000: the caller's test for a next page.
          Math.min(Math.max(filter.limit ?? 100, 1), 1001),
          filter.after?.openedAt ?? null,
          filter.after?.id ?? null,
        ],
      );
      return rows.map(toIncident);
    } catch (err) {
      throw mapPgError(err, 'listOpenIncidents');
    }
  }
}

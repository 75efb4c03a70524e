/**
 * Business calendars on PostgreSQL (`docket.calendar_versions`): published versions,
 * immutable, numbered per calendar. The newest version is the one new cases pin; the
 * configured file is imported as version 1 of a calendar that has none.
 */
import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import { validatePublishedCalendar } from '../../engine/calendar/validate-calendar';
import { canonicalJson } from '../../engine/canonical-json';
import type { CalendarData } from '../../engine/types';
import { mapPgError } from './errors';
import { inTransaction } from './transaction';

/** One published version of a calendar. */
export interface CalendarVersion {
  calendarId: string;
  version: number;
  /** SHA-256 of the canonical JSON of the calendar as published (without its version). */
  hash: string;
  /** The calendar as cases pin it, its `version` set. */
  calendar: CalendarData;
  coversFrom: string;
  coversUntil: string;
  publishedBy: string;
  publishedAt: string;
}

export interface PublishedCalendar {
  version: CalendarVersion;
  /** False when the same calendar was published already: the earlier version is returned and nothing is stored. */
  created: boolean;
}

interface Row extends QueryResultRow {
  calendar_id: string;
  version: number;
  hash: string;
  calendar: CalendarData;
  covers_from: string;
  covers_until: string;
  published_by: string;
  published_at: Date;
}

const COLUMNS = `calendar_id, version, hash, calendar, to_char(covers_from, 'YYYY-MM-DD') AS covers_from,
  to_char(covers_until, 'YYYY-MM-DD') AS covers_until, published_by, published_at`;

/** Calendar versions are numbered under this advisory lock, so that concurrent publishers take turns. */
const LOCK_KEY = [0x646b74, 8];

const toVersion = (r: Row): CalendarVersion => ({
  calendarId: r.calendar_id,
  version: r.version,
  hash: r.hash,
  calendar: { ...r.calendar, version: r.version },
  coversFrom: r.covers_from,
  coversUntil: r.covers_until,
  publishedBy: r.published_by,
  publishedAt: r.published_at.toISOString(),
});

/** SHA-256 of a calendar's canonical JSON: what a publication is known by. */
export function calendarHash(cal: CalendarData): string {
  const { version: _version, ...data } = cal;
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

export class PostgresCalendarStore {
  constructor(private readonly pool: Pool) {}

  /** The newest version of a calendar, or undefined when none is published. */
  async latest(calendarId: string): Promise<CalendarVersion | undefined> {
    const { rows } = await this.query(
      'latest calendar',
      `SELECT ${COLUMNS} FROM docket.calendar_versions WHERE calendar_id = $1 ORDER BY version DESC LIMIT 1`,
      [calendarId],
    );
    return rows[0] && toVersion(rows[0]);
  }

  /** Every version of a calendar, newest first. */
  async versions(calendarId: string): Promise<CalendarVersion[]> {
    const { rows } = await this.query(
      'calendar versions',
      `SELECT ${COLUMNS} FROM docket.calendar_versions WHERE calendar_id = $1 ORDER BY version DESC`,
      [calendarId],
    );
    return rows.map(toVersion);
  }

  /**
   * Publishes a calendar as the next version of its id, after checking it (a
   * `CalendarValidationError` stores nothing). The same calendar published again returns the
   * version it was published as, so that a publication may be retried.
   */
  async publish(raw: unknown, by: string): Promise<PublishedCalendar> {
    const cal = validatePublishedCalendar(raw);
    const hash = calendarHash(cal);
    return inTransaction(this.pool, 'publish calendar', async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', LOCK_KEY);
      const same = await client.query<Row>(`SELECT ${COLUMNS} FROM docket.calendar_versions WHERE calendar_id = $1 AND hash = $2`, [
        cal.id,
        hash,
      ]);
      if (same.rows[0]) return { version: toVersion(same.rows[0]), created: false };
      const { rows } = await client.query<Row>(
        `INSERT INTO docket.calendar_versions (calendar_id, version, hash, calendar, covers_from, covers_until, published_by)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6 FROM docket.calendar_versions WHERE calendar_id = $1
         RETURNING ${COLUMNS}`,
        [cal.id, hash, JSON.stringify(cal), cal.coversFrom, cal.coversUntil, by],
      );
      return { version: toVersion(rows[0]!), created: true };
    });
  }

  /** Imports the configured calendar file as version 1 when its calendar has no version yet; returns the newest version. */
  async seed(raw: unknown): Promise<CalendarVersion> {
    const cal = validatePublishedCalendar(raw);
    return (await this.latest(cal.id)) ?? (await this.publish(cal, 'system')).version;
  }

  private async query(what: string, sql: string, params: unknown[]): Promise<{ rows: Row[] }> {
    try {
      return await this.pool.query<Row>(sql, params);
    } catch (err) {
      throw mapPgError(err, what);
    }
  }
}

/**
 * The case library (形成案例) in `docket.case_library`: completed cases marked as typical, with a title,
 * a summary and tags. Entries are never removed: unmarking keeps who, when and why.
 */
import type { Pool } from 'pg';
import { ConflictError, mapPgError } from './errors';

export interface LibraryEntry {
  entryId: string;
  caseId: string;
  processId: string;
  title: string;
  summary: string;
  tags: string[];
  markedBy: string;
  markedAs: string;
  markedAt: string;
  /** Set once the entry left the library. */
  unmarked: { by: string; as: string; at: string; reason: string | null } | null;
}

export interface LibrarySearch {
  /** Words in the title or summary (case-insensitive). */
  text?: string;
  /** Entries carrying every one of these tags. */
  tags?: string[];
  processId?: string;
  caseId?: string;
  /** Also entries that were unmarked. */
  includeUnmarked?: boolean;
  limit?: number;
}

type Row = {
  entry_id: string;
  case_id: string;
  process_id: string;
  title: string;
  summary: string;
  tags: string[];
  marked_by: string;
  marked_as: string;
  marked_at: Date;
  unmarked_by: string | null;
  unmarked_as: string | null;
  unmarked_at: Date | null;
  unmark_reason: string | null;
};

const COLUMNS =
  'entry_id, case_id, process_id, title, summary, tags, marked_by, marked_as, marked_at, unmarked_by, unmarked_as, unmarked_at, unmark_reason';

function toEntry(r: Row): LibraryEntry {
  return {
    entryId: r.entry_id,
    caseId: r.case_id,
    processId: r.process_id,
    title: r.title,
    summary: r.summary,
    tags: r.tags,
    markedBy: r.marked_by,
    markedAs: r.marked_as,
    markedAt: r.marked_at.toISOString(),
    unmarked:
      r.unmarked_at === null
        ? null
        : { by: r.unmarked_by!, as: r.unmarked_as ?? '', at: r.unmarked_at.toISOString(), reason: r.unmark_reason },
  };
}

export class PostgresLibraryStore {
  constructor(private readonly pool: Pool) {}

  /** Marks a case as typical; ConflictError when it is in the library already. */
  async mark(
    entry: Pick<LibraryEntry, 'entryId' | 'caseId' | 'processId' | 'title' | 'summary' | 'tags'>,
    by: { userId: string; role: string },
  ): Promise<LibraryEntry> {
    try {
      const { rows } = await this.pool.query<Row>(
        `INSERT INTO docket.case_library (entry_id, case_id, process_id, title, summary, tags, marked_by, marked_as)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [entry.entryId, entry.caseId, entry.processId, entry.title, entry.summary, entry.tags, by.userId, by.role],
      );
      return toEntry(rows[0]!);
    } catch (err) {
      throw mapPgError(err, 'markCase');
    }
  }

  async get(entryId: string): Promise<LibraryEntry | undefined> {
    try {
      const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM docket.case_library WHERE entry_id = $1`, [entryId]);
      return rows[0] && toEntry(rows[0]);
    } catch (err) {
      throw mapPgError(err, 'getEntry');
    }
  }

  /** Entries, newest first. */
  async search(q: LibrarySearch = {}): Promise<LibraryEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (q.includeUnmarked !== true) where.push('unmarked_at IS NULL');
    if (q.processId !== undefined) add((n) => `process_id = $${n}`, q.processId);
    if (q.caseId !== undefined) add((n) => `case_id = $${n}`, q.caseId);
    if (q.tags !== undefined && q.tags.length > 0) add((n) => `tags @> $${n}::text[]`, q.tags);
    for (const word of (q.text ?? '').split(/\s+/).filter(Boolean)) {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add((n) => `(title ILIKE $${n} OR summary ILIKE $${n} OR array_to_string(tags, ' ') ILIKE $${n})`, like);
    }
    params.push(q.limit ?? 100);
    try {
      const { rows } = await this.pool.query<Row>(
        `SELECT ${COLUMNS} FROM docket.case_library ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY marked_at DESC, entry_id DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(toEntry);
    } catch (err) {
      throw mapPgError(err, 'searchLibrary');
    }
  }

  /** Takes an entry out of the library; ConflictError when it is out already. */
  async unmark(entryId: string, by: { userId: string; role: string }, reason: string | null): Promise<LibraryEntry> {
    try {
      const { rows } = await this.pool.query<Row>(
        `UPDATE docket.case_library SET unmarked_by = $2, unmarked_as = $3, unmarked_at = now(), unmark_reason = $4
          WHERE entry_id = $1 AND unmarked_at IS NULL RETURNING ${COLUMNS}`,
        [entryId, by.userId, by.role, reason],
      );
      if (rows[0] === undefined) throw new ConflictError(`entry ${entryId} is not in the library`);
      return toEntry(rows[0]);
    } catch (err) {
      throw mapPgError(err, 'unmarkEntry');
    }
  }

  /** Of `entryIds`, those in the library now. */
  async live(entryIds: string[]): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    try {
      const { rows } = await this.pool.query<{ entry_id: string }>(
        'SELECT entry_id FROM docket.case_library WHERE entry_id = ANY($1::text[]) AND unmarked_at IS NULL',
        [entryIds],
      );
      return new Set(rows.map((r) => r.entry_id));
    } catch (err) {
      throw mapPgError(err, 'liveEntries');
    }
  }
}

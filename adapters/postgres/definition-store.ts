import { inTransaction } from './transaction';
/**
 * Process definitions on PostgreSQL (`docket.definition_versions`): published
 * versions, immutable, and at most one draft per process. The store's version
 * number is authoritative: it is written into the stored definition's `version`
 * field, so the hash covers it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { definitionHash } from '../../audit/definition-hash';
import { toPublished, type DefinitionSource, type PublishedDefinition } from '../../ports';
import { definitionSchema, type Definition } from '../../engine/definition-schema';
import { StoreError, mapPgError } from './errors';

/** SQLSTATE raised by the trigger that keeps published versions unchanged. */
export const IMMUTABLE_DEFINITION_SQLSTATE = 'DKT02';

/** Advisory lock (two int4 halves) held while importing or writing definitions: "dock", "defn". */
const LOCK_KEY: [number, number] = [0x646f636b, 0x6465666e];

export interface DefinitionVersionRow {
  processId: string;
  version: number;
  hash: string;
  status: 'draft' | 'published';
  /** The definition as stored (any JSON for a draft; a valid definition once published). */
  raw: unknown;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
}

/** An attempt to change a published version (refused by the database). */
export class ImmutableDefinitionError extends StoreError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(message, { retryable: false, ...opts });
  }
}

type Row = {
  process_id: string;
  version: number;
  hash: string;
  status: 'draft' | 'published';
  definition: unknown;
  created_by: string;
  created_at: Date;
  published_by: string | null;
  published_at: Date | null;
};

const COLUMNS = 'process_id, version, hash, status, definition, created_by, created_at, published_by, published_at';

/**
 * Published definitions as parsed, by hash. A hash names its content (audit/definition-hash.ts), so
 * an entry is never stale, whichever store or database it was read through.
 */
const parsedByHash = new Map<string, { definition: Definition; raw: unknown }>();

function toRow(row: Row): DefinitionVersionRow {
  const { process_id: processId, version, hash, status, definition: raw, created_by: createdBy, published_by: publishedBy } = row;
  const publishedAt = row.published_at?.toISOString() ?? null;
  return { processId, version, hash, status, raw, createdBy, createdAt: row.created_at.toISOString(), publishedBy, publishedAt };
}

/** Where the earlier shipped versions of a process lie: `<dir>/shipped/<process>.v<k>.json`. */
export const SHIPPED_DIR = 'shipped';

/**
 * The versions Docket ships of each process in `dir`, oldest first, numbered 1…N: the earlier
 * ones from `shipped/<process>.v<k>.json`, the newest from `<process>.json` (its `version` field
 * says N). A missing or misnumbered link is an error: version numbers are what cases pin.
 */
export async function shippedVersions(dir: string): Promise<Map<string, PublishedDefinition[]>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();
  const older = await readdir(path.join(dir, SHIPPED_DIR)).catch(() => [] as string[]);
  const out = new Map<string, PublishedDefinition[]>();
  for (const file of files) {
    const full = path.join(dir, file);
    const raw = JSON.parse(await readFile(full, 'utf8')) as Record<string, unknown>;
    const processId = String(raw.process);
    const newest = typeof raw.version === 'number' && Number.isInteger(raw.version) && raw.version >= 1 ? raw.version : 1;
    const chain: PublishedDefinition[] = [];
    for (let v = 1; v < newest; v++) {
      const name = `${processId}.v${v}.json`;
      if (!older.includes(name)) throw new Error(`${full} is version ${newest}, but ${path.join(dir, SHIPPED_DIR, name)} is missing`);
      const olderFull = path.join(dir, SHIPPED_DIR, name);
      chain.push(toPublished(withVersion(JSON.parse(await readFile(olderFull, 'utf8')), v), olderFull));
    }
    chain.push(toPublished(withVersion(raw, newest), full));
    out.set(processId, chain);
  }
  return out;
}

/** `raw` with its `version` field set to `version` (objects only). */
export function withVersion(raw: unknown, version: number): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return { ...(raw as Record<string, unknown>), version };
}

export interface PostgresDefinitionStoreOptions {
  /** The shipped definitions, imported on first use (see `importFiles`). */
  importDir?: string;
  /** Told when a shipped version is not imported (the store went its own way). */
  onNote?: (note: string) => void;
}

/** Definitions stored as versions; new cases start on the latest published version of their process. */
export class PostgresDefinitionStore implements DefinitionSource {
  private imported?: Promise<string[]>;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresDefinitionStoreOptions = {},
  ) {}

  /**
   * Imports the shipped versions of each process in `dir` (see `shippedVersions`): all of them,
   * as versions 1…N, into a store that has none of the process; the newer ones into a store whose
   * versions are exactly the earlier shipped ones. A store where someone published versions of
   * their own, or holds a draft, is left as it is (and told in `notes`): a process owner merges the
   * shipped version by hand. Returns the processes that gained versions. Idempotent, and safe
   * with several processes starting at once.
   */
  async importFiles(dir: string): Promise<string[]> {
    const shipped = await shippedVersions(dir);
    return this.inTransaction('importFiles', async (client) => {
      const imported: string[] = [];
      for (const [processId, chain] of shipped) {
        const { rows } = await client.query<{ version: number; hash: string; status: string }>(
          'SELECT version, hash, status FROM docket.definition_versions WHERE process_id = $1 ORDER BY version',
          [processId],
        );
        const diverged = rows.some((r) => r.status !== 'published' || chain[r.version - 1]?.hash !== r.hash);
        if (diverged) {
          if (!rows.some((r) => r.hash === chain.at(-1)!.hash))
            this.options.onNote?.(
              `the shipped version ${chain.length} of "${processId}" was not added: the store holds versions or a draft of its own ` +
                `(compare with \`docket definitions diff\` and publish it as a draft if wanted)`,
            );
          continue;
        }
        for (const d of chain.slice(rows.length)) {
          await client.query(
            `INSERT INTO docket.definition_versions (process_id, version, hash, definition, status, created_by, published_by, published_at)
             VALUES ($1, $2, $3, $4::jsonb, 'published', 'system', 'system', now())`,
            [d.processId, d.version, d.hash, JSON.stringify(d.raw)],
          );
        }
        if (rows.length < chain.length) imported.push(processId);
      }
      return imported;
    });
  }

  /** Imports the configured folder once per store (no-op without one). */
  ensureImported(): Promise<string[]> {
    const dir = this.options.importDir;
    if (!dir) return Promise.resolve([]);
    this.imported ??= this.importFiles(dir).catch((err: unknown) => {
      this.imported = undefined;
      throw err;
    });
    return this.imported;
  }

  /** The latest published version of each process. Only versions not parsed before are read whole. */
  async list(): Promise<PublishedDefinition[]> {
    await this.ensureImported();
    const { rows: heads } = await this.query<{ process_id: string; version: number; hash: string }>(
      'list',
      `SELECT DISTINCT ON (process_id) process_id, version, hash FROM docket.definition_versions
       WHERE status = 'published' ORDER BY process_id, version DESC`,
      [],
    );
    const unread = heads.filter((h) => !parsedByHash.has(h.hash));
    if (unread.length > 0) {
      const { rows } = await this.query<Row>(
        'list',
        `SELECT ${COLUMNS} FROM docket.definition_versions
          WHERE status = 'published' AND (process_id, version) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
        [unread.map((h) => h.process_id), unread.map((h) => h.version)],
      );
      for (const r of rows) this.published(toRow(r));
    }
    return heads.flatMap((h) => {
      const parsed = parsedByHash.get(h.hash);
      return parsed ? [{ processId: h.process_id, version: h.version, hash: h.hash, ...parsed }] : [];
    });
  }

  async latest(processId: string): Promise<PublishedDefinition | undefined> {
    await this.ensureImported();
    const { rows } = await this.query<Row>(
      'latest',
      `SELECT ${COLUMNS} FROM docket.definition_versions WHERE process_id = $1 AND status = 'published' ORDER BY version DESC LIMIT 1`,
      [processId],
    );
    return rows[0] && this.published(toRow(rows[0]));
  }

  /** A published version, or undefined. */
  async publishedVersion(processId: string, version: number): Promise<PublishedDefinition | undefined> {
    const row = await this.getVersion(processId, version);
    return row?.status === 'published' ? this.published(row) : undefined;
  }

  private published(row: DefinitionVersionRow): PublishedDefinition {
    let parsed = parsedByHash.get(row.hash);
    if (parsed === undefined) {
      // Stored rows passed the linter when published; parsing fills the schema's defaults.
      parsed = { definition: definitionSchema.parse(row.raw), raw: row.raw };
      parsedByHash.set(row.hash, parsed);
    }
    return { processId: row.processId, version: row.version, hash: row.hash, ...parsed };
  }

  /** One version (published or draft) of a process. */
  async getVersion(processId: string, version: number): Promise<DefinitionVersionRow | undefined> {
    await this.ensureImported();
    const { rows } = await this.query<Row>(
      'getVersion',
      `SELECT ${COLUMNS} FROM docket.definition_versions WHERE process_id = $1 AND version = $2`,
      [processId, version],
    );
    return rows[0] && toRow(rows[0]);
  }

  /** The draft of a process, if it has one. */
  async draft(processId: string): Promise<DefinitionVersionRow | undefined> {
    await this.ensureImported();
    const { rows } = await this.query<Row>(
      'draft',
      `SELECT ${COLUMNS} FROM docket.definition_versions WHERE process_id = $1 AND status = 'draft'`,
      [processId],
    );
    return rows[0] && toRow(rows[0]);
  }

  /** Every version of a process, oldest first (the draft last). */
  async versions(processId: string): Promise<DefinitionVersionRow[]> {
    await this.ensureImported();
    const { rows } = await this.query<Row>(
      'versions',
      `SELECT ${COLUMNS} FROM docket.definition_versions WHERE process_id = $1 ORDER BY version`,
      [processId],
    );
    return rows.map(toRow);
  }

  /** Stores `raw` as the draft of a process (replacing an earlier draft), numbered after the latest version. */
  async saveDraft(processId: string, raw: unknown, by: string): Promise<DefinitionVersionRow> {
    await this.ensureImported();
    return this.inTransaction('saveDraft', async (client) => {
      const existing = await client.query<{ version: number; status: string }>(
        `SELECT version, status FROM docket.definition_versions WHERE process_id = $1 ORDER BY version DESC LIMIT 1`,
        [processId],
      );
      const last = existing.rows[0];
      const version = last === undefined ? 1 : last.status === 'draft' ? last.version : last.version + 1;
      const stored = withVersion(raw, version);
      const hash = definitionHash(stored);
      const { rows } = await client.query<Row>(
        `INSERT INTO docket.definition_versions (process_id, version, hash, definition, status, created_by)
         VALUES ($1, $2, $3, $4::jsonb, 'draft', $5)
         ON CONFLICT (process_id, version) DO UPDATE SET hash = EXCLUDED.hash, definition = EXCLUDED.definition,
           created_by = EXCLUDED.created_by, created_at = now()
         RETURNING ${COLUMNS}`,
        [processId, version, hash, JSON.stringify(stored), by],
      );
      return toRow(rows[0]!);
    });
  }

  /** Publishes the draft whose hash is `hash` (so that what was checked is what is published). */
  async publishDraft(processId: string, hash: string, by: string): Promise<DefinitionVersionRow | undefined> {
    return this.inTransaction('publishDraft', async (client) => {
      const { rows } = await client.query<Row>(
        `UPDATE docket.definition_versions SET status = 'published', published_by = $3, published_at = now()
         WHERE process_id = $1 AND status = 'draft' AND hash = $2 RETURNING ${COLUMNS}`,
        [processId, hash, by],
      );
      return rows[0] && toRow(rows[0]);
    });
  }

  /** Removes the draft of a process; returns whether there was one. */
  async discardDraft(processId: string): Promise<boolean> {
    return this.inTransaction('discardDraft', async (client) => {
      const r = await client.query(`DELETE FROM docket.definition_versions WHERE process_id = $1 AND status = 'draft'`, [processId]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw mapDefinitionError(err, what);
    }
  }

  /** A transaction holding the definitions' advisory lock, so concurrent writers (and imports) take turns. */
  private inTransaction<T>(what: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(
      this.pool,
      what,
      async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', LOCK_KEY);
        return fn(client);
      },
      mapDefinitionError,
    );
  }
}

function mapDefinitionError(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === IMMUTABLE_DEFINITION_SQLSTATE) {
    return new ImmutableDefinitionError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { code, cause: err });
  }
  return mapPgError(err, what);
}

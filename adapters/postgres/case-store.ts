import { canonicalJson } from '../../engine/canonical-json';
import { inTransaction } from './transaction';
/**
 * `CaseStore` on PostgreSQL: the append-only `docket.transitions` log and the
 * `docket.cases` projection (schema from ./migrations).
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { AppendedTransition, AppendOptions, CaseFilter, CaseStore } from '../../ports';
import { rowHash, type ChainedTransition } from '../../audit/chain';
import type { AuditSigner, PublicKeyEntry } from '../../audit/keys';
import { signCheckpoint, signRow, type AuditCheckpoint } from '../../audit/signature';
import type { CaseProjection, CaseStatus, Deadline, TransitionRecord } from '../../engine/types';
import { ConflictError, InvalidDataError, mapPgError } from './errors';
import { workColumns } from './work-columns';

/** A row of docket.transitions as pg returns it. */
export type TransitionRow = {
  case_id: string;
  seq: number;
  process_id: string;
  definition_version: number;
  definition_hash: string;
  event: string;
  payload: Record<string, unknown>;
  actor_user: string;
  actor_role: string;
  actor_on_behalf_of: string | null;
  request_id: string | null;
  from_state: string | null;
  to_state: string;
  status: string;
  at: Date;
};

type ChainedRow = TransitionRow & { prev_hash: string | null; hash: string | null; key_id: string | null; signature: string | null };

/** A row of docket.cases as pg returns it. */
export type CaseRow = {
  case_id: string;
  process_id: string;
  definition_version: number;
  definition_hash: string;
  customer_id: string;
  state: string;
  status: string;
  context: Record<string, unknown>;
  deadlines: Deadline[];
  last_seq: number;
  opened_at: Date;
  updated_at: Date;
  closed_at: Date | null;
};

const TRANSITION_COLUMNS = `case_id, seq, process_id, definition_version, definition_hash, event, payload,
  actor_user, actor_role, actor_on_behalf_of, request_id, from_state, to_state, status, at`;

/**
 * The columns of what the case waits on (./work-columns.ts), of the roles that may act on it
 * (migration 018) and of what makes it overdue (migration 020), in the order `appendTransition` binds them.
 */
const WORK_COLUMNS = 'assignees, candidate_roles, candidate_users, cc_users, initiator, actionable_roles, next_due_at, escalated';

const CASE_COLUMNS = `case_id, process_id, definition_version, definition_hash, customer_id, state, status,
  context, deadlines, last_seq, opened_at, updated_at, closed_at`;

export class PostgresCaseStore implements CaseStore {
  /** `signer`: the writer's audit key (the worker's); without it rows are appended unsigned, and a verification reports them. */
  constructor(
    private readonly pool: Pool,
    private readonly signer?: AuditSigner,
  ) {}

  async appendTransition(record: TransitionRecord, projection: CaseProjection, options: AppendOptions = {}): Promise<AppendedTransition> {
    if (projection.caseId !== record.caseId) {
      throw new InvalidDataError(
        `appendTransition: projection is for case ${projection.caseId} but the transition for case ${record.caseId}`,
      );
    }
    const at = toTimestamp(record.at, 'at');
    const openedAt = toTimestamp(projection.openedAt, 'openedAt');
    const updatedAt = toTimestamp(projection.updatedAt, 'updatedAt');
    const closedAt = projection.closedAt === null ? null : toTimestamp(projection.closedAt, 'closedAt');

    return this.inTransaction('appendTransition', async (client): Promise<AppendedTransition> => {
      let replacing = false;
      let storedAt = at.toISOString();
      const prevHash = await this.previousHash(client, record);
      const hash = prevHash === null ? null : rowHash(record, prevHash);
      const signed = hash !== null && this.signer ? signRow(this.signer, hash) : undefined;
      const inserted = await client.query(
        `INSERT INTO docket.transitions (${TRANSITION_COLUMNS}, prev_hash, hash, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         ON CONFLICT (case_id, seq) DO NOTHING`,
        [
          record.caseId,
          record.seq,
          record.processId,
          record.definitionVersion,
          record.definitionHash,
          record.event,
          JSON.stringify(record.payload),
          record.actor.userId,
          record.actor.role,
          record.actor.onBehalfOf ?? null,
          record.requestId,
          record.fromState,
          record.toState,
          record.status,
          at,
          prevHash,
          hash,
          signed?.keyId ?? null,
          signed?.signature ?? null,
        ],
      );

      if (inserted.rowCount === 0) {
        // Already there: the same append retried (no-op), or a different transition.
        const existing = await client.query<TransitionRow>(
          `SELECT ${TRANSITION_COLUMNS} FROM docket.transitions WHERE case_id = $1 AND seq = $2`,
          [record.caseId, record.seq],
        );
        const row = existing.rows[0];
        if (row === undefined) {
          throw new ConflictError(`Transition ${record.caseId}#${record.seq} conflicted but cannot be read back`, {
            caseId: record.caseId,
            seq: record.seq,
          });
        }
        const fields = differingFields(rowToTransition(row), record);
        // The same step computed again by a workflow task run after one that stored it did not complete.
        const restamped = options.restamped === true && fields.length === 1 && fields[0] === 'at';
        if (fields.length > 0 && !restamped) {
          throw new ConflictError(`Transition ${record.caseId}#${record.seq} already exists with different ${fields.join(', ')}`, {
            caseId: record.caseId,
            seq: record.seq,
            fields,
          });
        }
        // Identical: it and its projection were written by the earlier attempt. Restamped: the row
        // stays as stored, and the projection below is the case as the workflow goes on from the repeat.
        if (!restamped) return { at: storedAt };
        replacing = true;
        storedAt = new Date(row.at).toISOString();
      }

      const work = workColumns(record.work);
      await client.query(
        `INSERT INTO docket.cases (${CASE_COLUMNS}, ${WORK_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         ON CONFLICT (case_id) DO UPDATE SET
           process_id = EXCLUDED.process_id,
           definition_version = EXCLUDED.definition_version,
           definition_hash = EXCLUDED.definition_hash,
           customer_id = EXCLUDED.customer_id,
           state = EXCLUDED.state,
           status = EXCLUDED.status,
           context = EXCLUDED.context,
           deadlines = EXCLUDED.deadlines,
           last_seq = EXCLUDED.last_seq,
           opened_at = EXCLUDED.opened_at,
           updated_at = EXCLUDED.updated_at,
           closed_at = EXCLUDED.closed_at,
           assignees = EXCLUDED.assignees,
           candidate_roles = EXCLUDED.candidate_roles,
           candidate_users = EXCLUDED.candidate_users,
           cc_users = EXCLUDED.cc_users,
           initiator = EXCLUDED.initiator,
           actionable_roles = EXCLUDED.actionable_roles,
           next_due_at = EXCLUDED.next_due_at,
           escalated = EXCLUDED.escalated
         WHERE docket.cases.last_seq ${replacing ? '<=' : '<'} EXCLUDED.last_seq`,
        [
          projection.caseId,
          projection.processId,
          projection.definitionVersion,
          projection.definitionHash,
          projection.customerId,
          projection.state,
          projection.status,
          JSON.stringify(projection.context),
          JSON.stringify(projection.deadlines),
          projection.lastSeq,
          openedAt,
          updatedAt,
          closedAt,
          work.assignees,
          work.candidateRoles,
          work.candidateUsers,
          work.ccUsers,
          work.initiator,
          projection.actionableRoles ?? null,
          nextDueAt(projection.deadlines),
          projection.escalated === true,
        ],
      );
      return { at: storedAt };
    });
  }

  /** The hash the row `record` follows: the previous row's, or the definition hash for seq 0. */
  private async previousHash(client: PoolClient, record: TransitionRecord): Promise<string | null> {
    if (record.seq === 0) return record.definitionHash;
    const { rows } = await client.query<{ hash: string | null }>('SELECT hash FROM docket.transitions WHERE case_id = $1 AND seq = $2', [
      record.caseId,
      record.seq - 1,
    ]);
    const prev = rows[0];
    // Not the workflow's order (it stores rows strictly one after another): the row is kept, unsealed,
    // and a verification reports it.
    if (prev === undefined) return null;
    if (prev.hash !== null) return prev.hash;
    // Rows written before the log was chained: chain them in memory, from the definition hash.
    const earlier = await client.query<TransitionRow>(
      `SELECT ${TRANSITION_COLUMNS} FROM docket.transitions WHERE case_id = $1 AND seq < $2 ORDER BY seq`,
      [record.caseId, record.seq],
    );
    let hash = record.definitionHash;
    for (const row of earlier.rows) hash = rowHash(rowToTransition(row), hash);
    return hash;
  }

  /** The transition log of a case with its hash chain and signatures, in sequence order (for audits). */
  async listChainedTransitions(caseId: string): Promise<ChainedTransition[]> {
    const result = await this.query<ChainedRow>('listChainedTransitions', chainedPageSql(false, false), [caseId]);
    return result.rows.map(toChained);
  }

  /**
   * One page of a case's log with its hash chain, in sequence order: the rows after seq `afterSeq`
   * (from the first without it), at most `limit`; `more` when rows follow. The primary key answers it.
   */
  async pageChainedTransitions(
    caseId: string,
    limit: number,
    afterSeq?: number,
  ): Promise<{ transitions: ChainedTransition[]; more: boolean }> {
    const after = afterSeq !== undefined;
    const params: unknown[] = after ? [caseId, afterSeq, limit + 1] : [caseId, limit + 1];
    const result = await this.query<ChainedRow>('pageChainedTransitions', chainedPageSql(after, true), params);
    return { transitions: result.rows.slice(0, limit).map(toChained), more: result.rows.length > limit };
  }

  /** The signed checkpoints of a case, in sequence order. */
  async listCheckpoints(caseId: string): Promise<AuditCheckpoint[]> {
    const result = await this.query<{ case_id: string; seq: number; hash: string; key_id: string; signature: string; signed_at: Date }>(
      'listCheckpoints',
      'SELECT case_id, seq, hash, key_id, signature, signed_at FROM docket.audit_checkpoints WHERE case_id = $1 ORDER BY seq',
      [caseId],
    );
    return result.rows.map((r) => ({
      caseId: r.case_id,
      seq: r.seq,
      hash: r.hash,
      keyId: r.key_id,
      signature: r.signature,
      signedAt: r.signed_at.toISOString(),
    }));
  }

  /** The public keys recorded in the database (not trusted by a verifier unless pinned: see audit/keys.ts). */
  async listAuditKeys(): Promise<PublicKeyEntry[]> {
    const result = await this.query<{ key_id: string; public_key: string; created_at: Date }>(
      'listAuditKeys',
      'SELECT key_id, public_key, created_at FROM docket.audit_keys ORDER BY created_at, key_id',
      [],
    );
    return result.rows.map((r) => ({
      keyId: r.key_id,
      algorithm: 'ed25519',
      publicKey: r.public_key,
      createdAt: r.created_at.toISOString(),
    }));
  }

  /** Records the signer's public key (once). */
  async registerAuditKey(key: PublicKeyEntry): Promise<void> {
    await this.query(
      'registerAuditKey',
      `INSERT INTO docket.audit_keys (key_id, algorithm, public_key, created_at) VALUES ($1, 'ed25519', $2, $3)
       ON CONFLICT (key_id) DO NOTHING`,
      [key.keyId, key.publicKey, key.createdAt ? new Date(key.createdAt) : new Date()],
    );
  }

  /**
   * Signs a checkpoint over the last unsigned row of every case that has one and no
   * checkpoint yet: done once, when keyed audit begins, so the rows written before
   * stay verifiable. Returns the number of cases adopted.
   */
  async adoptUnsigned(signer: AuditSigner): Promise<number> {
    const heads = await this.query<{ case_id: string; seq: number; hash: string }>(
      'adoptUnsigned',
      `SELECT DISTINCT ON (t.case_id) t.case_id, t.seq, t.hash FROM docket.transitions t
       WHERE t.signature IS NULL AND t.hash IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM docket.audit_checkpoints c WHERE c.case_id = t.case_id)
       ORDER BY t.case_id, t.seq DESC`,
      [],
    );
    for (const h of heads.rows) {
      const c = signCheckpoint(signer, h.case_id, h.seq, h.hash);
      await this.query(
        'adoptUnsigned',
        `INSERT INTO docket.audit_checkpoints (case_id, seq, hash, key_id, signature, signed_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING`,
        [c.caseId, c.seq, c.hash, c.keyId, c.signature, new Date(c.signedAt)],
      );
    }
    return heads.rows.length;
  }

  async getCase(caseId: string): Promise<CaseProjection | null> {
    const result = await this.query<CaseRow>('getCase', `SELECT ${CASE_COLUMNS} FROM docket.cases WHERE case_id = $1`, [caseId]);
    const row = result.rows[0];
    return row === undefined ? null : rowToProjection(row);
  }

  async listTransitions(caseId: string): Promise<TransitionRecord[]> {
    const result = await this.query<TransitionRow>(
      'listTransitions',
      `SELECT ${TRANSITION_COLUMNS} FROM docket.transitions WHERE case_id = $1 ORDER BY seq`,
      [caseId],
    );
    return result.rows.map(rowToTransition);
  }

  async listCases(filter: CaseFilter = {}): Promise<CaseProjection[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, value: unknown): void => {
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    if (filter.processId !== undefined) add('process_id', filter.processId);
    if (filter.state !== undefined) add('state', filter.state);
    if (filter.status !== undefined) add('status', filter.status);
    if (filter.customerId !== undefined) add('customer_id', filter.customerId);
    let sql = `SELECT ${CASE_COLUMNS} FROM docket.cases`;
    if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
    sql += ' ORDER BY updated_at DESC, case_id';
    if (filter.limit !== undefined) {
      if (!Number.isInteger(filter.limit) || filter.limit < 0) {
        throw new InvalidDataError(`listCases: limit must be a non-negative integer, got ${String(filter.limit)}`);
      }
      params.push(filter.limit);
      sql += ` LIMIT $${params.length}`;
    }
    const result = await this.query<CaseRow>('listCases', sql, params);
    return result.rows.map(rowToProjection);
  }

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  private inTransaction<T>(what: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, what, fn);
  }
}

/** The earliest due time of the running deadlines (the `next_due_at` column), null for none. */
export function nextDueAt(deadlines: readonly Deadline[]): Date | null {
  const times = deadlines.map((d) => Date.parse(d.dueAt)).filter((t) => !Number.isNaN(t));
  return times.length === 0 ? null : new Date(Math.min(...times));
}

/** Validates an ISO timestamp and returns it as a Date (stored as timestamptz). */
function toTimestamp(iso: string, field: string): Date {
  const date = new Date(iso);
  if (typeof iso !== 'string' || Number.isNaN(date.getTime())) {
    throw new InvalidDataError(`${field} is not an ISO timestamp: ${JSON.stringify(iso)}`);
  }
  return date;
}

/**
 * The statement of a case's chained log: all of it, or (`paged`) a page after a seq (`after`).
 * Parameters: the case id, then the seq after which (with `after`), then the limit (with `paged`).
 * Exported so that a test can EXPLAIN it.
 */
export function chainedPageSql(after: boolean, paged: boolean): string {
  const keyset = after ? ' AND seq > $2' : '';
  const limit = paged ? ` LIMIT $${after ? 3 : 2}` : '';
  return `SELECT ${TRANSITION_COLUMNS}, prev_hash, hash, key_id, signature FROM docket.transitions
           WHERE case_id = $1${keyset} ORDER BY seq${limit}`;
}

function toChained(row: ChainedRow): ChainedTransition {
  return { ...rowToTransition(row), prevHash: row.prev_hash, hash: row.hash, keyId: row.key_id, signature: row.signature };
}

export function rowToTransition(row: TransitionRow): TransitionRecord {
  return {
    caseId: row.case_id,
    seq: row.seq,
    processId: row.process_id,
    definitionVersion: row.definition_version,
    definitionHash: row.definition_hash,
    event: row.event,
    payload: row.payload,
    actor: {
      userId: row.actor_user,
      role: row.actor_role,
      ...(row.actor_on_behalf_of !== null && { onBehalfOf: row.actor_on_behalf_of }),
    },
    requestId: row.request_id,
    fromState: row.from_state,
    toState: row.to_state,
    status: row.status as CaseStatus,
    at: row.at.toISOString(),
  };
}

export function rowToProjection(row: CaseRow): CaseProjection {
  return {
    caseId: row.case_id,
    processId: row.process_id,
    definitionVersion: row.definition_version,
    definitionHash: row.definition_hash,
    customerId: row.customer_id,
    state: row.state,
    status: row.status as CaseStatus,
    context: row.context,
    deadlines: row.deadlines,
    lastSeq: row.last_seq,
    openedAt: row.opened_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at === null ? null : row.closed_at.toISOString(),
  };
}

/** Names of the fields in which a stored transition differs in substance from `record`. */
function differingFields(stored: TransitionRecord, record: TransitionRecord): string[] {
  const fields: string[] = [];
  const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);
  if (stored.processId !== record.processId) fields.push('processId');
  if (stored.definitionVersion !== record.definitionVersion) fields.push('definitionVersion');
  if (stored.definitionHash !== record.definitionHash) fields.push('definitionHash');
  if (stored.event !== record.event) fields.push('event');
  if (!same(stored.payload, record.payload)) fields.push('payload');
  if (
    stored.actor.userId !== record.actor.userId ||
    stored.actor.role !== record.actor.role ||
    (stored.actor.onBehalfOf ?? null) !== (record.actor.onBehalfOf ?? null)
  )
    fields.push('actor');
  if ((stored.requestId ?? null) !== (record.requestId ?? null)) fields.push('requestId');
  if ((stored.fromState ?? null) !== (record.fromState ?? null)) fields.push('fromState');
  if (stored.toState !== record.toState) fields.push('toState');
  if (stored.status !== record.status) fields.push('status');
  if (new Date(stored.at).getTime() !== new Date(record.at).getTime()) fields.push('at');
  return fields;
}

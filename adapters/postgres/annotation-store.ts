/**
 * Annotations on cases (audit/annotations.ts) in `docket.case_annotations`: appended by the worker,
 * which holds the audit signing key, in one transaction with the case's count of annotations and the
 * notification to the case's rep; read by the API.
 */
import type { Pool, PoolClient } from 'pg';
import { annotationHash, type AnnotationKind, type AnnotationRecord, type ChainedAnnotation } from '../../audit/annotations';
import type { AuditSigner } from '../../audit/keys';
import { signAnnotation } from '../../audit/signature';
import type { NewAnnotation } from '../../ports/annotation-writer';
import { recordInOutbox } from '../notify/outbox-notifier';
import { InvalidDataError, mapPgError } from './errors';
import { inTransaction } from './transaction';

type AnnotationRow = {
  case_id: string;
  seq: number;
  kind: AnnotationKind;
  sample_id: string | null;
  body: Record<string, unknown>;
  author_user: string;
  author_role: string;
  rep: string | null;
  case_seq: number;
  case_hash: string;
  at: Date;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  key_id: string | null;
  signature: string | null;
};

const COLUMNS = `case_id, seq, kind, sample_id, body, author_user, author_role, rep, case_seq, case_hash, at, request_id,
  prev_hash, hash, key_id, signature`;

function fromRow(r: AnnotationRow): ChainedAnnotation {
  return {
    caseId: r.case_id,
    seq: r.seq,
    kind: r.kind,
    sampleId: r.sample_id,
    body: r.body,
    author: { userId: r.author_user, role: r.author_role },
    rep: r.rep,
    caseSeq: r.case_seq,
    caseHash: r.case_hash,
    at: r.at.toISOString(),
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
    keyId: r.key_id,
    signature: r.signature,
  };
}

export class PostgresAnnotationStore {
  /** `signer`: the worker's audit key; without it annotations are appended unsigned, and a verification reports them. */
  constructor(
    private readonly pool: Pool,
    private readonly signer?: AuditSigner,
  ) {}

  /**
   * Appends an annotation after the case's last one (the first after the case's last transition), counts
   * it on the case and records the notification to the rep. The same request id on the same case
   * returns the annotation it made (a retried activity appends once).
   */
  async append(input: NewAnnotation, now = new Date()): Promise<ChainedAnnotation> {
    return inTransaction(this.pool, 'appendAnnotation', async (client) => {
      // One writer at a time per case: the case row is the lock.
      const kase = await client.query<{ process_id: string; last_seq: number; annotations: number }>(
        'SELECT process_id, last_seq, annotations FROM docket.cases WHERE case_id = $1 FOR UPDATE',
        [input.caseId],
      );
      const c = kase.rows[0];
      if (c === undefined) throw new InvalidDataError(`appendAnnotation: no case "${input.caseId}"`);
      if (input.requestId !== null) {
        const again = await client.query<AnnotationRow>(
          `SELECT ${COLUMNS} FROM docket.case_annotations WHERE case_id = $1 AND request_id = $2`,
          [input.caseId, input.requestId],
        );
        if (again.rows[0]) return fromRow(again.rows[0]);
      }
      const head = await client.query<{ hash: string | null }>('SELECT hash FROM docket.transitions WHERE case_id = $1 AND seq = $2', [
        input.caseId,
        c.last_seq,
      ]);
      const caseHash = head.rows[0]?.hash;
      if (!caseHash)
        throw new InvalidDataError(`appendAnnotation: transition ${c.last_seq} of case "${input.caseId}" has no hash to follow`);
      const last = await client.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM docket.case_annotations WHERE case_id = $1 ORDER BY seq DESC LIMIT 1',
        [input.caseId],
      );
      const seq = last.rows[0] ? last.rows[0].seq + 1 : 0;
      const prevHash = last.rows[0]?.hash ?? caseHash;
      const record: AnnotationRecord = {
        caseId: input.caseId,
        seq,
        kind: input.kind,
        sampleId: input.sampleId,
        body: input.body,
        author: input.author,
        rep: input.rep,
        caseSeq: c.last_seq,
        caseHash,
        at: now.toISOString(),
        requestId: input.requestId,
      };
      const hash = annotationHash(record, prevHash);
      const signed = this.signer ? signAnnotation(this.signer, hash) : undefined;
      await client.query(
        `INSERT INTO docket.case_annotations (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          record.caseId,
          seq,
          record.kind,
          record.sampleId,
          JSON.stringify(record.body),
          record.author.userId,
          record.author.role,
          record.rep,
          record.caseSeq,
          caseHash,
          now,
          record.requestId,
          prevHash,
          hash,
          signed?.keyId ?? null,
          signed?.signature ?? null,
        ],
      );
      await client.query('UPDATE docket.cases SET annotations = $2 WHERE case_id = $1', [input.caseId, seq + 1]);
      if (input.rep !== null && input.notice !== undefined) await this.notify(client, record, c.process_id, input.notice);
      return { ...record, prevHash, hash, keyId: signed?.keyId ?? null, signature: signed?.signature ?? null };
    });
  }

  private async notify(
    client: PoolClient,
    a: AnnotationRecord,
    processId: string,
    subject: { en: string; 'zh-CN': string },
  ): Promise<void> {
    await recordInOutbox(client, {
      id: `${a.caseId}:annotation:${a.seq}`,
      caseId: a.caseId,
      processId,
      kind: 'info',
      to: [{ userId: a.rep! }],
      template: a.kind === 'review' ? 'auditReview' : 'auditNote',
      subject,
      data: { annotation: a.seq, kind: a.kind, ...(a.sampleId !== null && { sampleId: a.sampleId }) },
      createdAt: a.at,
    });
  }

  /** A case's annotations with their chain and signatures, oldest first. */
  async list(caseId: string): Promise<ChainedAnnotation[]> {
    try {
      const { rows } = await this.pool.query<AnnotationRow>(
        `SELECT ${COLUMNS} FROM docket.case_annotations WHERE case_id = $1 ORDER BY seq`,
        [caseId],
      );
      return rows.map(fromRow);
    } catch (err) {
      throw mapPgError(err, 'listAnnotations');
    }
  }

  /** How many annotations the case records (its projection's count; -1 when there is no case). */
  async count(caseId: string): Promise<number> {
    try {
      const { rows } = await this.pool.query<{ annotations: number }>('SELECT annotations FROM docket.cases WHERE case_id = $1', [caseId]);
      return rows[0]?.annotations ?? -1;
    } catch (err) {
      throw mapPgError(err, 'countAnnotations');
    }
  }
}

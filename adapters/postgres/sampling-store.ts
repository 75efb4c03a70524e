/**
 * Auditors' samples (不定期抽样复核) in `docket.audit_samples` and `docket.audit_sample_cases`: the
 * completed cases a draw picks from, the draws with their parameters, and what the reviews of each
 * sampled case (annotations of kind `review`) found.
 */
import type { Pool } from 'pg';
import type { ChainedAnnotation, ReviewBody } from '../../audit/annotations';
import type { DrawnCase, SampleCandidate } from '../../audit/sampling';
import { mapPgError } from './errors';
import { inTransaction } from './transaction';

export interface SampleParameters {
  processId: string;
  from: Date;
  to: Date;
  /** Empty: every rep with completed cases in the period. */
  reps: string[];
  size?: number;
  percent?: number;
  seed: string;
}

export interface Sample {
  sampleId: string;
  processId: string;
  from: string;
  to: string;
  reps: string[];
  size: number | null;
  percent: number | null;
  seed: string;
  algorithm: string;
  /** Completed cases in the period per rep: what the draw picked from. */
  population: Record<string, number>;
  drawnBy: string;
  drawnAs: string;
  drawnAt: string;
}

export interface SampledCase {
  caseId: string;
  rep: string;
  rank: number;
  drawKey: string;
  /** The latest review of the case in this sample (null: not reviewed yet). */
  review: { seq: number; passed: boolean; at: string; by: string; failed: string[] } | null;
  reviews: number;
}

type SampleRow = {
  sample_id: string;
  process_id: string;
  period_from: Date;
  period_to: Date;
  reps: string[];
  size: number | null;
  percent: string | null;
  seed: string;
  algorithm: string;
  population: Record<string, number>;
  drawn_by: string;
  drawn_as: string;
  drawn_at: Date;
};

const SAMPLE_COLUMNS =
  'sample_id, process_id, period_from, period_to, reps, size, percent, seed, algorithm, population, drawn_by, drawn_as, drawn_at';

function toSample(r: SampleRow): Sample {
  return {
    sampleId: r.sample_id,
    processId: r.process_id,
    from: r.period_from.toISOString(),
    to: r.period_to.toISOString(),
    reps: r.reps,
    size: r.size,
    percent: r.percent === null ? null : Number(r.percent),
    seed: r.seed,
    algorithm: r.algorithm,
    population: r.population,
    drawnBy: r.drawn_by,
    drawnAs: r.drawn_as,
    drawnAt: r.drawn_at.toISOString(),
  };
}

/** A case's rep as a draw sees it: the context field named, else the user who started the case. */
export const NO_REP = '(none)';

export class PostgresSamplingStore {
  constructor(private readonly pool: Pool) {}

  /** The completed cases of a process closed in [from, to), each with its rep (`repField` of its context, else its initiator). */
  async candidates(processId: string, from: Date, to: Date, repField: string | undefined): Promise<SampleCandidate[]> {
    try {
      const { rows } = await this.pool.query<{ case_id: string; rep: string | null }>(
        `SELECT case_id, COALESCE(NULLIF(context ->> $4::text, ''), initiator) AS rep
           FROM docket.cases
          WHERE process_id = $1 AND status = 'completed' AND closed_at >= $2 AND closed_at < $3
          ORDER BY case_id`,
        [processId, from, to, repField ?? ''],
      );
      return rows.map((r) => ({ caseId: r.case_id, rep: r.rep ?? NO_REP }));
    } catch (err) {
      throw mapPgError(err, 'sampleCandidates');
    }
  }

  /** A case's rep (`repField` of its context, else its initiator), null when it names none. */
  async repOf(caseId: string, repField: string | undefined): Promise<string | null> {
    try {
      const { rows } = await this.pool.query<{ rep: string | null }>(
        `SELECT COALESCE(NULLIF(context ->> $2::text, ''), initiator) AS rep FROM docket.cases WHERE case_id = $1`,
        [caseId, repField ?? ''],
      );
      return rows[0]?.rep ?? null;
    } catch (err) {
      throw mapPgError(err, 'repOf');
    }
  }

  /** Stores a draw and the cases it picked. */
  async record(
    sampleId: string,
    params: SampleParameters,
    algorithm: string,
    population: Record<string, number>,
    drawn: DrawnCase[],
    by: { userId: string; role: string },
  ): Promise<Sample> {
    return inTransaction(this.pool, 'recordSample', async (client) => {
      const { rows } = await client.query<SampleRow>(
        `INSERT INTO docket.audit_samples (sample_id, process_id, period_from, period_to, reps, size, percent, seed, algorithm, population, drawn_by, drawn_as)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12) RETURNING ${SAMPLE_COLUMNS}`,
        [
          sampleId,
          params.processId,
          params.from,
          params.to,
          params.reps,
          params.size ?? null,
          params.percent ?? null,
          params.seed,
          algorithm,
          JSON.stringify(population),
          by.userId,
          by.role,
        ],
      );
      for (const d of drawn) {
        await client.query('INSERT INTO docket.audit_sample_cases (sample_id, case_id, rep, rank, draw_key) VALUES ($1, $2, $3, $4, $5)', [
          sampleId,
          d.caseId,
          d.rep,
          d.rank,
          d.drawKey,
        ]);
      }
      return toSample(rows[0]!);
    });
  }

  /** Draws, newest first, with how many cases each drew and how many of them are reviewed. */
  async list(limit = 100): Promise<Array<Sample & { sampled: number; reviewed: number }>> {
    try {
      const { rows } = await this.pool.query<SampleRow & { sampled: number; reviewed: number }>(
        `SELECT ${SAMPLE_COLUMNS.split(', ')
          .map((c) => `s.${c}`)
          .join(', ')},
                (SELECT count(*)::int FROM docket.audit_sample_cases c WHERE c.sample_id = s.sample_id) AS sampled,
                (SELECT count(DISTINCT a.case_id)::int FROM docket.case_annotations a WHERE a.sample_id = s.sample_id) AS reviewed
           FROM docket.audit_samples s ORDER BY s.drawn_at DESC, s.sample_id DESC LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({ ...toSample(r), sampled: r.sampled, reviewed: r.reviewed }));
    } catch (err) {
      throw mapPgError(err, 'listSamples');
    }
  }

  async get(sampleId: string): Promise<Sample | undefined> {
    try {
      const { rows } = await this.pool.query<SampleRow>(`SELECT ${SAMPLE_COLUMNS} FROM docket.audit_samples WHERE sample_id = $1`, [
        sampleId,
      ]);
      return rows[0] && toSample(rows[0]);
    } catch (err) {
      throw mapPgError(err, 'getSample');
    }
  }

  /** The cases a draw picked (by rep, then rank), each with its latest review in this sample. */
  async cases(sampleId: string): Promise<SampledCase[]> {
    try {
      const [picked, reviews] = await Promise.all([
        this.pool.query<{ case_id: string; rep: string; rank: number; draw_key: string }>(
          'SELECT case_id, rep, rank, draw_key FROM docket.audit_sample_cases WHERE sample_id = $1 ORDER BY rep, rank',
          [sampleId],
        ),
        this.pool.query<{ case_id: string; seq: number; body: ReviewBody; at: Date; author_user: string }>(
          `SELECT case_id, seq, body, at, author_user FROM docket.case_annotations WHERE sample_id = $1 ORDER BY case_id, seq`,
          [sampleId],
        ),
      ]);
      const latest = new Map<string, { seq: number; passed: boolean; at: string; by: string; failed: string[] }>();
      const count = new Map<string, number>();
      for (const r of reviews.rows) {
        count.set(r.case_id, (count.get(r.case_id) ?? 0) + 1);
        latest.set(r.case_id, {
          seq: r.seq,
          passed: r.body.passed === true,
          at: r.at.toISOString(),
          by: r.author_user,
          failed: (r.body.items ?? []).filter((i) => i.result === 'fail').map((i) => i.id),
        });
      }
      return picked.rows.map((r) => ({
        caseId: r.case_id,
        rep: r.rep,
        rank: r.rank,
        drawKey: r.draw_key,
        review: latest.get(r.case_id) ?? null,
        reviews: count.get(r.case_id) ?? 0,
      }));
    } catch (err) {
      throw mapPgError(err, 'sampleCases');
    }
  }
}

/** The reviews of a sampled case in its sample (annotations of kind review), oldest first. */
export function reviewsOf(annotations: ChainedAnnotation[], sampleId: string): ChainedAnnotation[] {
  return annotations.filter((a) => a.kind === 'review' && a.sampleId === sampleId);
}

/**
 * Data at scale: seeds (or reuses) the large data set, then times the API's reads on it through
 * the real routes — p50 and p95 of several samples per query, warm — against the goal of 50 ms at
 * the 95th percentile.
 */
import { Pool } from 'pg';
import type { CalendarData } from '../../engine/types';
import { percentiles, round, type Percentiles } from '../stats';
import { startScaleApi } from './api';
import { buildQueries, type Query } from './queries';
import { seedScale, type Log, type SeedInfo } from './seed';

export const SCALE_GOAL_P95_MS = 50;
/** A query whose first request takes longer is timed on `SLOW_SAMPLES` samples only. */
const SLOW_MS = 1000;
const SLOW_SAMPLES = 8;

export interface ScaleOptions {
  /** 1: 100,000 open cases, 1,000,000 closed, 10,000,000 transitions, 50,000 customers. */
  scale: number;
  reseed: boolean;
  /** Timed samples per query (each also run once before, untimed, to warm up). */
  samples: number;
  /** The database the data set lives in. */
  database: string;
  /** One case in this many is signed throughout (the audit verification samples those). */
  signEvery?: number;
}

export const DEFAULT_SCALE_OPTIONS: ScaleOptions = { scale: 1, reseed: false, samples: 30, database: 'docket_bench_scale' };

export interface ScaleQueryResult {
  name: string;
  group: Query['group'];
  selective: boolean;
  /** Round trip of `app.inject` in ms: routing, authentication, the handler and its queries, the JSON. */
  ms: Percentiles;
  /** The median number of rows a response listed (cases, items, entries, transitions, report rows). */
  rows: number;
  /** For paged lists: the median total the response reported. */
  total?: number;
  met: boolean;
}

export interface ScaleResult {
  seed: Omit<SeedInfo, 'databaseUrl'>;
  database: string;
  samplesPerQuery: number;
  goalP95Ms: number;
  queries: ScaleQueryResult[];
  /** How the measurement departs from production, in words (for the report). */
  notes: string[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
}

/** How many rows a response body lists. */
function rowsOf(body: any): { rows: number; total?: number } {
  if (body === null || typeof body !== 'object') return { rows: 0 };
  const list = body.items ?? body.cases ?? body.entries ?? body.transitions ?? body.rows;
  return {
    rows: Array.isArray(list) ? list.length : typeof body.rows === 'number' ? body.rows : 0,
    ...(typeof body.total === 'number' && { total: body.total }),
  };
}

/** Seeds as asked (or reuses the data set) on the server of `serverUrl`, then measures every query. */
export async function runScale(
  opts: ScaleOptions,
  env: { serverUrl: string; definitionsDir: string; calendar: CalendarData },
  log: Log,
): Promise<ScaleResult> {
  const seed = await seedScale({
    serverUrl: env.serverUrl,
    database: opts.database,
    scale: opts.scale,
    reseed: opts.reseed,
    definitionsDir: env.definitionsDir,
    calendar: env.calendar,
    ...(opts.signEvery !== undefined && { signEvery: opts.signEvery }),
    log,
  });
  const owner = new Pool({ connectionString: seed.databaseUrl, max: 2 });
  const api = await startScaleApi(seed.databaseUrl, env.calendar);
  try {
    const queries = await buildQueries(owner, new Date(seed.seededAt), opts.samples);
    log(`Timing ${queries.length} queries through the HTTP API (${opts.samples} samples each, after an untimed pass)…`);
    const results: ScaleQueryResult[] = [];
    for (const q of queries) {
      // A query that takes seconds is timed on fewer samples: its figure is far from the goal either way.
      const first = await api.get(q.samples[0]!.url, q.samples[0]!.userId, q.samples[0]!.role);
      const samples = first.ms > SLOW_MS ? q.samples.slice(0, SLOW_SAMPLES) : q.samples;
      for (const s of samples.slice(1)) await api.get(s.url, s.userId, s.role);
      const times: number[] = [];
      const rows: number[] = [];
      const totals: number[] = [];
      for (const s of samples) {
        const res = await api.get(s.url, s.userId, s.role);
        if (res.status !== 200)
          throw new Error(`${q.name}: GET ${s.url} as ${s.userId} (${s.role}) answered ${res.status}: ${JSON.stringify(res.body)}`);
        // A verification that fails measures nothing: the seeded chains and signatures must hold.
        if (q.group === 'audit' && res.body?.ok !== true)
          throw new Error(`${q.name}: ${s.url} did not verify: ${JSON.stringify(res.body)}`);
        times.push(res.ms);
        const r = rowsOf(res.body);
        rows.push(r.rows);
        if (r.total !== undefined) totals.push(r.total);
      }
      const p = percentiles(times);
      const ms = { count: p.count, p50: round(p.p50), p95: round(p.p95), p99: round(p.p99), max: round(p.max) };
      results.push({
        name: q.name,
        group: q.group,
        selective: q.selective,
        ms,
        rows: median(rows),
        ...(totals.length > 0 && { total: median(totals) }),
        met: ms.p95 <= SCALE_GOAL_P95_MS,
      });
      log(`  ${q.name.padEnd(44)} p50 ${ms.p50.toFixed(1).padStart(7)} ms  p95 ${ms.p95.toFixed(1).padStart(7)} ms`);
    }
    const { databaseUrl: _url, ...kept } = seed;
    return {
      seed: kept,
      database: opts.database,
      samplesPerQuery: opts.samples,
      goalP95Ms: SCALE_GOAL_P95_MS,
      queries: results,
      notes: [
        'Requests go through the real API in-process (fastify inject: authentication, validation, handlers, queries, JSON), as docket_app; no network.',
        "Without Temporal: a case's pinned definition, which the API asks its workflow for once per definition version, is read from the version the case names.",
        `Hash chains are real for every case; rows are signed for one case in ${seed.signEvery} (the audit verification samples those).`,
      ],
    };
  } finally {
    await api.close();
    await owner.end();
  }
}

/**
 * Docket's business counters, read from PostgreSQL when Prometheus scrapes: cases opened and
 * closed, deadlines missed and incidents opened and resolved, per process. The database is the
 * record of what happened, once: a retried activity, a worker killed mid-flight or a second API
 * process can neither double nor lose a count, and the counts survive restarts. Every API process
 * reports the same totals (aggregate them with `max`, not `sum`). The counts are kept for
 * `cacheMs` so that several scrapers cost one set of queries.
 */
import type { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface ProcessCounts {
  processId: string;
  casesOpened: number;
  casesClosed: number;
  incidentsOpened: number;
  incidentsResolved: number;
}

export interface BusinessCounts {
  processes: ProcessCounts[];
  /** Deadlines that came due and fired (a timer's transition), by process and delay name. */
  deadlinesMissed: Array<{ processId: string; delay: string; count: number }>;
}

export interface BusinessCountsSource {
  read(): Promise<BusinessCounts>;
}

const CASES = `SELECT process_id, count(*)::int AS opened, count(*) FILTER (WHERE status = 'completed')::int AS closed
                 FROM docket.cases GROUP BY process_id`;
const INCIDENTS = `SELECT process_id, count(*)::int AS opened, count(resolved_at)::int AS resolved
                     FROM docket.incidents GROUP BY process_id`;
// A timer's transition is recorded by the system as `after:<delay>` (a state's deadline) or `timer:<delay>`.
const DEADLINES = `SELECT process_id, split_part(event, ':', 2) AS delay, count(*)::int AS n
                     FROM docket.transitions
                    WHERE actor_user = 'system' AND (event LIKE 'after:%' OR event LIKE 'timer:%')
                    GROUP BY process_id, split_part(event, ':', 2)`;

/** Reads the counts from the database with `pool` (the API's role may read these tables), at most once per `cacheMs`. */
export function postgresBusinessCounts(pool: Pool, cacheMs = 5_000): BusinessCountsSource {
  let cached: { at: number; counts: Promise<BusinessCounts> } | undefined;
  const query = async (): Promise<BusinessCounts> => {
    const [cases, incidents, deadlines] = await Promise.all([
      pool.query<{ process_id: string; opened: number; closed: number }>(CASES),
      pool.query<{ process_id: string; opened: number; resolved: number }>(INCIDENTS),
      pool.query<{ process_id: string; delay: string; n: number }>(DEADLINES),
    ]);
    const byProcess = new Map<string, ProcessCounts>();
    const of = (processId: string) => {
      let counts = byProcess.get(processId);
      if (!counts) {
        counts = { processId, casesOpened: 0, casesClosed: 0, incidentsOpened: 0, incidentsResolved: 0 };
        byProcess.set(processId, counts);
      }
      return counts;
    };
    for (const r of cases.rows) Object.assign(of(r.process_id), { casesOpened: r.opened, casesClosed: r.closed });
    for (const r of incidents.rows) Object.assign(of(r.process_id), { incidentsOpened: r.opened, incidentsResolved: r.resolved });
    return {
      processes: [...byProcess.values()].sort((a, b) => a.processId.localeCompare(b.processId)),
      deadlinesMissed: deadlines.rows.map((r) => ({ processId: r.process_id, delay: r.delay, count: r.n })),
    };
  };
  return {
    read() {
      const now = Date.now();
      if (!cached || now - cached.at >= cacheMs) {
        const counts = query();
        cached = { at: now, counts };
        // A failed read is not kept: the next scrape tries again.
        counts.catch(() => (cached = undefined));
      }
      return cached.counts;
    },
  };
}

/** Registers the business counters on `registry`; a scrape during a database outage reports `docket_business_metrics_up 0` instead. */
export function registerBusinessMetrics(registry: Registry, source: BusinessCountsSource): void {
  // Within one scrape every metric below gets the same counts: the source keeps them for a while.
  const counts = (): Promise<BusinessCounts | undefined> => source.read().catch(() => undefined);
  const perProcess = (name: string, help: string, pick: (c: ProcessCounts) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['process'] as const,
      registers: [registry],
      async collect() {
        const c = await counts();
        this.reset();
        for (const p of c?.processes ?? []) this.inc({ process: p.processId }, pick(p));
      },
    });
  new Gauge({
    name: 'docket_business_metrics_up',
    help: 'Whether the business counters below could be read from PostgreSQL at this scrape (1) or not (0)',
    registers: [registry],
    async collect() {
      this.set((await counts()) ? 1 : 0);
    },
  });
  perProcess('docket_cases_opened_total', 'Cases started, by process', (p) => p.casesOpened);
  perProcess('docket_cases_closed_total', 'Cases that reached a final state, by process', (p) => p.casesClosed);
  perProcess('docket_incidents_opened_total', 'Incidents opened (an effect that failed for good), by process', (p) => p.incidentsOpened);
  perProcess('docket_incidents_resolved_total', 'Incidents resolved by a retry, by process', (p) => p.incidentsResolved);
  new Counter({
    name: 'docket_deadlines_missed_total',
    help: 'Deadlines that came due before anyone acted (a timer fired), by process and delay',
    labelNames: ['process', 'delay'] as const,
    registers: [registry],
    async collect() {
      const c = await counts();
      this.reset();
      for (const d of c?.deadlinesMissed ?? []) this.inc({ process: d.processId, delay: d.delay }, d.count);
    },
  });
}

/**
 * The visit procedure's targets per rep (the `target…` parameters of the visit definition) against
 * what the data shows for the period; how each figure is counted is in README ("Reports").
 */
import { bucketsOf } from './buckets';
import { binder, type ReportFilter, type ReportTable } from './period';

/** The target parameters of the visit definition this report reads, by metric. */
export const TARGET_METRICS = {
  newCustomerVisits: { unit: 'day', min: 'targetNewCustomerVisitsPerDay', max: undefined },
  newLeads: { unit: 'week', min: 'targetNewLeadsPerWeekMin', max: 'targetNewLeadsPerWeekMax' },
  intentionCustomers: { unit: 'week', min: 'targetIntentionCustomersPerWeek', max: undefined },
  newCustomersWon: { unit: 'month', min: 'targetNewCustomersPerMonth', max: undefined },
} as const;
export type TargetMetric = keyof typeof TARGET_METRICS;
type Unit = (typeof TARGET_METRICS)[TargetMetric]['unit'];

export const TARGET_COLUMNS = ['rep', 'metric', 'unit', 'actual', 'units', 'perUnit', 'target', 'targetMax', 'met'];

const DAY = 86_400_000;

/** How many days (Monday to Friday), weeks (from Monday) or months the period [from, to) touches, in UTC. */
export function unitsIn(unit: Unit, from: Date, to: Date): number {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  if (unit === 'month') {
    const last = new Date(to.getTime() - 1);
    return (last.getUTCFullYear() - from.getUTCFullYear()) * 12 + last.getUTCMonth() - from.getUTCMonth() + 1;
  }
  if (unit === 'week') {
    const monday = (t: number) => t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
    return Math.round((monday(to.getTime() - 1) - monday(start)) / (7 * DAY)) + 1;
  }
  let days = 0;
  for (let t = start; t < to.getTime(); t += DAY) {
    const weekday = new Date(t).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days += 1;
  }
  return days;
}

/**
 * One query, four counts per rep, each read from rows kept for it (migrations 021, 023 and 030), so that
 * a period reads about as many rows as it has counts, not events:
 * - newCustomerVisits: VISIT_DONE of a visit whose visitType is new_customer, credited to its owner,
 *   summed from the counts per month and per day (`docket.report_visit_counts`) and, for the
 *   part-days at the period's ends, counted from the events with their case's owner and visitType
 *   (`docket.report_events`);
 * - newLeads: customers whose first new-customer visit case opened in the period, credited to its
 *   owner (each customer's first ones: `docket.report_first_leads`);
 * - intentionCustomers: customers whose intention grade became A in the period, credited to their owner
 *   (each grade change to A with the customer's current owner: `docket.report_intention_a`, migration
 *   030; a customer has one owner, so distinct (owner, customer) pairs are distinct customers);
 * - newCustomersWon: customers whose first contract was archived (counted in performance) in the
 *   period, credited to the contract's performanceRep (each customer's first ARCHIVED rows:
 *   `docket.report_first_wins`).
 * Distinct (rep, customer) pairs are taken by hashing, then counted per rep: counting them distinct
 * within each group sorted every row of the period by rep and customer (text, in the collation).
 */
function countsSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const b = bucketsOf(f.from, f.to);
  const [dayFrom, monthFrom, monthTo, dayTo] = [p(b.dayFrom), p(b.monthFrom), p(b.monthTo), p(b.dayTo)];
  const rep = f.rep === undefined ? undefined : p(f.rep);
  const only = (column: string) => (rep === undefined ? '' : `AND ${column} = ${rep}`);
  const counted = (unit: 'day' | 'month', lo: string, hi: string) => `
        SELECT v.owner AS rep, v.n FROM docket.report_visit_counts v
         WHERE v.unit = '${unit}' AND v.start >= ${lo} AND v.start < ${hi} ${only('v.owner')}`;
  const visits = (lo: string, hi: string) => `
        SELECT e.facts->>'owner', 1 FROM docket.report_events e
         WHERE e.process_id = 'visit' AND e.event = 'VISIT_DONE' AND e.at >= ${lo} AND e.at < ${hi}
           AND e.facts->>'visitType' = 'new_customer' ${only(`e.facts->>'owner'`)}`;
  const sql = `
    SELECT v.rep, 'newCustomerVisits' AS metric, sum(v.n)::int AS n
      FROM (${counted('month', monthFrom, monthTo)}
        UNION ALL ${counted('day', dayFrom, monthFrom)}
        UNION ALL ${counted('day', monthTo, dayTo)}
        UNION ALL ${visits(from, dayFrom)}
        UNION ALL ${visits(dayTo, to)}) v
     GROUP BY 1
    HAVING sum(v.n) > 0
    UNION ALL
    SELECT l.owner, 'newLeads', count(*)::int
      FROM (SELECT DISTINCT l.owner, l.customer_id FROM docket.report_first_leads l
             WHERE l.opened_at >= ${from} AND l.opened_at < ${to} ${only('l.owner')}) l
     GROUP BY 1
    UNION ALL
    SELECT i.owner, 'intentionCustomers', count(*)::int
      FROM (SELECT DISTINCT i.owner, i.customer_id FROM docket.report_intention_a i
             WHERE i.at >= ${from} AND i.at < ${to} AND i.owner IS NOT NULL ${only('i.owner')}) i
     GROUP BY 1
    UNION ALL
    SELECT w.rep, 'newCustomersWon', count(*)::int
      FROM (SELECT DISTINCT w.rep, w.customer_id FROM docket.report_first_wins w
             WHERE w.at >= ${from} AND w.at < ${to} ${only('w.rep')}) w
     GROUP BY 1`;
  return { sql, params };
}

export const targetsQuery = countsSql;

/** Rows per rep and metric: the count, the units of the period, the count per unit and the target. */
export function targetsTable(
  f: ReportFilter,
  counts: Array<{ rep: string | null; metric: string; n: number }>,
  targets: Record<string, number>,
): ReportTable {
  const reps = [...new Set(counts.map((c) => c.rep).filter((r): r is string => r !== null))];
  if (f.rep !== undefined && !reps.includes(f.rep)) reps.push(f.rep);
  reps.sort();
  // Each count by rep and metric (the first one, as a search would find it): one lookup per row.
  const byRepMetric = new Map<string | null, Map<string, number>>();
  for (const c of counts) {
    let ofRep = byRepMetric.get(c.rep);
    if (ofRep === undefined) byRepMetric.set(c.rep, (ofRep = new Map()));
    if (!ofRep.has(c.metric)) ofRep.set(c.metric, c.n);
  }
  const unitsOf = { day: unitsIn('day', f.from, f.to), week: unitsIn('week', f.from, f.to), month: unitsIn('month', f.from, f.to) };
  const rows = reps.flatMap((rep) =>
    Object.entries(TARGET_METRICS).map(([metric, spec]) => {
      const actual = byRepMetric.get(rep)?.get(metric) ?? 0;
      const units = unitsOf[spec.unit];
      const perUnit = units === 0 ? 0 : Math.round((actual / units) * 100) / 100;
      const target = targets[spec.min] ?? null;
      const targetMax = spec.max === undefined ? null : (targets[spec.max] ?? null);
      return { rep, metric, unit: spec.unit, actual, units, perUnit, target, targetMax, met: target === null ? null : perUnit >= target };
    }),
  );
  return { columns: TARGET_COLUMNS, rows };
}

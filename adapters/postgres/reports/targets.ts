/**
 * The visit procedure's targets per rep (the `target…` parameters of the visit definition) against
 * what the data shows for the period; how each figure is counted is in README ("Reports").
 */
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
 * One query, four counts per rep:
 * - newCustomerVisits: VISIT_DONE of a visit whose visitType is new_customer, credited to its owner
 *   (the events with their case's owner and visitType: `docket.report_events`, migration 021);
 * - newLeads: customers whose first new-customer visit case opened in the period, credited to its owner;
 * - intentionCustomers: customers whose intention grade became A in the period, credited to their owner;
 * - newCustomersWon: customers whose first contract was archived (counted in performance) in the period,
 *   credited to the contract's performanceRep.
 */
function countsSql(f: ReportFilter): { sql: string; params: unknown[] } {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? undefined : p(f.rep);
  const only = (column: string) => (rep === undefined ? '' : `AND ${column} = ${rep}`);
  const sql = `
    SELECT e.facts->>'owner' AS rep, 'newCustomerVisits' AS metric, count(*)::int AS n
      FROM docket.report_events e
     WHERE e.process_id = 'visit' AND e.event = 'VISIT_DONE' AND e.at >= ${from} AND e.at < ${to}
       AND e.facts->>'visitType' = 'new_customer' ${only(`e.facts->>'owner'`)}
     GROUP BY 1
    UNION ALL
    SELECT c.context->>'owner', 'newLeads', count(DISTINCT c.customer_id)::int
      FROM docket.cases c
     WHERE c.process_id = 'visit' AND c.opened_at >= ${from} AND c.opened_at < ${to}
       AND c.context->>'visitType' = 'new_customer' ${only(`c.context->>'owner'`)}
       AND NOT EXISTS (SELECT 1 FROM docket.cases e
                        WHERE e.customer_id = c.customer_id AND e.process_id = 'visit'
                          AND e.context->>'visitType' = 'new_customer' AND e.opened_at < c.opened_at)
     GROUP BY 1
    UNION ALL
    SELECT cu.owner_id, 'intentionCustomers', count(DISTINCT g.customer_id)::int
      FROM docket.customer_grade_changes g JOIN docket.customers cu ON cu.customer_id = g.customer_id
     WHERE g.grade = 'intention' AND g.to_grade = 'A' AND g.at >= ${from} AND g.at < ${to}
       AND g.from_grade IS DISTINCT FROM 'A' AND cu.owner_id IS NOT NULL ${only('cu.owner_id')}
     GROUP BY 1
    UNION ALL
    SELECT c.context->>'performanceRep', 'newCustomersWon', count(DISTINCT c.customer_id)::int
      FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
     WHERE t.process_id = 'contract' AND t.event = 'ARCHIVED' AND t.at >= ${from} AND t.at < ${to}
       ${only(`c.context->>'performanceRep'`)}
       AND NOT EXISTS (SELECT 1 FROM docket.cases e JOIN docket.transitions et ON et.case_id = e.case_id
                        WHERE e.customer_id = c.customer_id AND e.process_id = 'contract'
                          AND et.event = 'ARCHIVED' AND et.at < t.at)
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
  const rows = reps.flatMap((rep) =>
    Object.entries(TARGET_METRICS).map(([metric, spec]) => {
      const actual = counts.find((c) => c.rep === rep && c.metric === metric)?.n ?? 0;
      const units = unitsIn(spec.unit, f.from, f.to);
      const perUnit = units === 0 ? 0 : Math.round((actual / units) * 100) / 100;
      const target = targets[spec.min] ?? null;
      const targetMax = spec.max === undefined ? null : (targets[spec.max] ?? null);
      return { rep, metric, unit: spec.unit, actual, units, perUnit, target, targetMax, met: target === null ? null : perUnit >= target };
    }),
  );
  return { columns: TARGET_COLUMNS, rows };
}

/** Sales reports: lost-deal causes (Pareto), improvement measures by department, contracts per rep, approval times per level. */
import { bucketsOf } from './buckets';
import { countSpans, type ReportQuery } from './complaints';
import { binder, percentilesSql, periodSql, periodStart, wholeDays, withPeriod, type ReportFilter } from './period';
import { percentilesQuery } from './percentiles';

/**
 * The causes of lost deals whose causes were identified in the period, per dimension, most frequent
 * first (ties by name), with each dimension's share and the cumulative share: a Pareto per period.
 * The whole UTC days of the period are summed from the causes counted per day and dimension
 * (`docket.report_cause_days`, migration 023; a period label covers whole days); the part-days at
 * its ends, and a rep's own causes, are read from the events with their case's causes and rep
 * (`docket.report_events`, migration 021).
 */
export function lostDealCausesQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const events = (lo: string, hi: string, rep = '') => `
      SELECT ${periodSql('e.at', f.groupBy)} AS period, x->>'dimension' AS dimension, 1 AS causes,
             (x->>'weight' = 'primary')::int AS "primary"
        FROM docket.report_events e
        CROSS JOIN LATERAL jsonb_array_elements(e.facts->'causes') x
       WHERE e.process_id = 'lost_deal' AND e.event = 'CAUSES_IDENTIFIED' AND e.at >= ${lo} AND e.at < ${hi} ${rep}`;
  let causes: string;
  if (f.rep !== undefined) {
    causes = events(from, to, `AND e.facts->>'salesRep' = ${p(f.rep)}`);
  } else {
    const b = bucketsOf(f.from, f.to);
    const dayFrom = p(b.dayFrom);
    const dayTo = p(b.dayTo);
    causes = `
      SELECT ${periodSql('d.day', f.groupBy)} AS period, d.dimension, d.causes, d."primary"
        FROM docket.report_cause_days d
       WHERE d.day >= ${dayFrom} AND d.day < ${dayTo}
      UNION ALL ${events(from, dayFrom)}
      UNION ALL ${events(dayTo, to)}`;
  }
  const sql = `
    WITH causes AS (${causes}
    ), counted AS (
      SELECT period, dimension, sum(causes)::int AS causes, coalesce(sum("primary"), 0)::int AS "primary"
        FROM causes GROUP BY 1, 2 HAVING sum(causes) > 0
    )
    SELECT period, dimension, causes, "primary",
           round(100.0 * causes / sum(causes) OVER w, 2)::float8 AS "sharePercent",
           round(100.0 * sum(causes) OVER (w ORDER BY causes DESC, dimension ROWS UNBOUNDED PRECEDING) / sum(causes) OVER w, 2)::float8
             AS "cumulativePercent"
      FROM counted
    WINDOW w AS (PARTITION BY period)
     ORDER BY period, causes DESC, dimension`;
  return { sql, params, columns: withPeriod(f.groupBy, ['dimension', 'causes', 'primary', 'sharePercent', 'cumulativePercent']) };
}

/**
 * Improvement measures opened in the period, per department: how many, open, overdue now (open past
 * their due date), completed. Each measure's fields are kept as its case changes
 * (`docket.report_cases`, migration 022); "now" is read here, from the due date kept.
 */
export function measuresQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const department = f.department === undefined ? '' : `AND r.department = ${p(f.department)}`;
  const sql = `
    SELECT ${periodSql('r.opened_at', f.groupBy)} AS period, r.department, count(*)::int AS measures,
           count(*) FILTER (WHERE r.status = 'open')::int AS open,
           count(*) FILTER (WHERE r.status = 'open' AND (r.due_escalated::boolean IS TRUE OR r.due_date::timestamptz < now()))::int AS overdue,
           count(*) FILTER (WHERE r.status = 'completed')::int AS completed
      FROM docket.report_cases r
     WHERE r.process_id = 'improvement_measure' AND r.opened_at >= ${p(f.from)} AND r.opened_at < ${p(f.to)} ${department}
     GROUP BY 1, 2
     ORDER BY 1, 2`;
  return { sql, params, columns: withPeriod(f.groupBy, ['department', 'measures', 'open', 'overdue', 'completed']) };
}

/**
 * Per rep: contracts archived in the period (counted in performance: the definition's performanceRep
 * and performanceAmount), and early placements approved in the period with how many of them are
 * overdue (forms not returned in time) or had their forms returned late. The whole days and months
 * of the period are summed from the events counted per UTC day and month, event and rep
 * (`docket.report_contract_counts`, migration 026); the part-days at its ends are read from the
 * events with the fields of their case's context counted (`docket.report_events`, migration 021).
 * Every filter (rep) and grouping is served by the counts.
 */
export function contractsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const rep = f.rep === undefined ? undefined : p(f.rep);
  const { counted, raw } = countSpans(f, p, 'c');
  const counts = `
      SELECT ${periodSql('c.start', f.groupBy)} AS period, c.event, c.rep, c.n, c.amount, c.late
        FROM docket.report_contract_counts c
       WHERE ${counted} ${rep === undefined ? '' : `AND c.rep = ${rep}`}`;
  const events = (event: string, repField: string, select: string) =>
    raw.map(
      ([lo, hi]) => `
      SELECT ${periodSql('e.at', f.groupBy)}, '${event}', e.facts->>'${repField}', ${select}
        FROM docket.report_events e
       WHERE e.process_id = 'contract' AND e.event = '${event}' AND e.at >= ${lo} AND e.at < ${hi}
         ${rep === undefined ? '' : `AND e.facts->>'${repField}' = ${rep}`}
       GROUP BY 1, 2, 3`,
    );
  const rows = [
    ...events('ARCHIVED', 'performanceRep', `count(*), sum((e.facts->>'performanceAmount')::numeric), 0`),
    ...events(
      'EARLY_PLACEMENT_APPROVED',
      'submittedBy',
      `count(*), 0, count(*) FILTER (WHERE (e.facts->>'overdue')::boolean IS TRUE OR (e.facts->>'formsReturnedLate')::boolean IS TRUE)`,
    ),
  ];
  const sql = `
    WITH counted AS (${counts}
      UNION ALL ${rows.join('\n      UNION ALL ')}
    ), signed AS (
      SELECT period, rep, sum(n)::int AS contracts, sum(amount) AS amount
        FROM counted WHERE event = 'ARCHIVED' GROUP BY 1, 2 HAVING sum(n) > 0
    ), early AS (
      SELECT period, rep, sum(n)::int AS placements, sum(late)::int AS late
        FROM counted WHERE event = 'EARLY_PLACEMENT_APPROVED' GROUP BY 1, 2 HAVING sum(n) > 0
    )
    SELECT coalesce(s.period, e.period) AS period, coalesce(s.rep, e.rep) AS rep,
           coalesce(s.contracts, 0) AS contracts, coalesce(s.amount, 0)::float8 AS amount,
           coalesce(e.placements, 0) AS "earlyPlacements", coalesce(e.late, 0) AS "earlyPlacementsOverdue"
      FROM signed s FULL JOIN early e ON e.period IS NOT DISTINCT FROM s.period AND e.rep = s.rep
     ORDER BY 1, 4 DESC, 2`;
  return { sql, params, columns: withPeriod(f.groupBy, ['rep', 'contracts', 'amount', 'earlyPlacements', 'earlyPlacementsOverdue']) };
}

/** The approval levels in the order they approve (others after them, by name). */
const LEVELS = `ARRAY['sales_manager', 'gm', 'hq', 'legal']`;

/**
 * Approval time per level: from the approver's turn (the contract entering approval, or the previous
 * level approving) to their APPROVE, for approvals given in the period; the level is the approver's role.
 * The approvals and their turns' starts are kept as the log grows (`docket.report_approvals`,
 * migration 021) and counted per month and bin of length (migration 024): the exact median and p90
 * come from the counts and the rows of the bins that hold them (./percentiles). Narrowed to a rep,
 * the period's approvals are read from the index by time, with their cases.
 */
export function contractApprovalsQuery(f: ReportFilter): ReportQuery {
  const columns = ['level', 'approvals', 'medianHours', 'p90Hours'];
  if (f.rep === undefined) {
    const src = {
      kind: 'approval',
      process: 'contract',
      table: 'docket.report_approvals a',
      group: 'a.level',
      time: 'a.at',
      seconds: 'extract(epoch FROM a.at - a.started)',
    } as const;
    return { ...percentilesQuery(src, f, 'level', 'approvals', `coalesce(array_position(${LEVELS}, g.grp), 99), 1`), columns };
  }
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? '' : `JOIN docket.cases c ON c.case_id = a.case_id AND c.context->>'submittedBy' = ${p(f.rep)}`;
  const sql = `
    SELECT a.level, count(*)::int AS approvals, ${percentilesSql('extract(epoch FROM a.at - a.started)')}
      FROM docket.report_approvals a ${rep}
     WHERE a.at >= ${from} AND a.at < ${to}
     GROUP BY 1
     ORDER BY coalesce(array_position(${LEVELS}, a.level), 99), 1`;
  return { sql, params, columns: ['level', 'approvals', 'medianHours', 'p90Hours'] };
}

/**
 * Deadlines missed per process and state: transitions that raised an escalation (a timer that fell
 * due and escalated, recorded as an `escalation` in the notification outbox with the id
 * `<case>:<seq>:<n>`), by the state the case was in, each transition once per period. Each
 * escalation whose transition is in the log is kept with that state (`docket.report_escalations`,
 * migration 022) and counted per UTC day (`docket.report_escalation_days`, migration 024): the whole
 * days of the period are read from those counts, the rest from the escalations' index by time; the
 * escalations that are not the first of their transition (`docket.report_escalation_repeats`, few)
 * are taken off when the one before them is in the same period.
 */
export function slaQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const { first, end } = wholeDays(f.from, f.to);
  const from = p(f.from);
  const to = p(f.to);
  const d1 = p(first);
  const d2 = p(end);
  const since = f.groupBy === undefined ? from : `greatest(${from}, ${periodStart('r.created_at', f.groupBy)})`;
  const escalations = (lo: string, hi: string) => `
        SELECT ${periodSql('e.created_at', f.groupBy)}, e.process_id, e.state, 1 FROM docket.report_escalations e
         WHERE e.created_at >= ${lo} AND e.created_at < ${hi}`;
  const sql = `
    SELECT period, process, state, sum(n)::int AS missed FROM (
      SELECT ${periodSql('d.day', f.groupBy)} AS period, d.process_id AS process, nullif(d.state, '') AS state, d.n
        FROM docket.report_escalation_days d
       WHERE d.day >= ${d1} AND d.day < ${d2}
      UNION ALL ${escalations(from, d1)}
      UNION ALL ${escalations(d2, to)}
      UNION ALL
      SELECT ${periodSql('r.created_at', f.groupBy)}, r.process_id, r.state, -1 FROM docket.report_escalation_repeats r
       WHERE r.created_at >= ${from} AND r.created_at < ${to} AND r.prev_at >= ${since}
    ) x
     GROUP BY 1, 2, 3
    HAVING sum(n) > 0
     ORDER BY 1, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['process', 'state', 'missed']) };
}

/**
 * The reports' queries over the raw log, as they were before the rollups of migrations 021 and 022:
 * the reference the rollup-backed reports must equal, row for row.
 */
import type { ReportQuery } from '../../adapters/postgres/reports/complaints';
import { binder, percentilesSql, periodSql, withPeriod, type ReportFilter } from '../../adapters/postgres/reports/period';

function department(f: ReportFilter, p: (v: unknown) => string, alias = 'c'): string {
  return f.department === undefined ? '' : `AND ${alias}.context->>'department' = ${p(f.department)}`;
}

/**
 * Time spent per state, from the transitions: a stay in a state starts with the transition into it
 * and ends with the next transition to another state; stays that ended in the period count.
 * `process` defaults to complaint. Each change of state in the period is read from the index by
 * process and time, and the stay it ends from the case's previous change of state (a step back
 * along the case's own log): the work grows with the period, not with the log.
 */
export function stateTimesQuery(f: ReportFilter, process: string): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const proc = p(process);
  const sql = `
    WITH stays AS (
      SELECT l.case_id, e.state, e.entered, l.at AS left_at
        FROM docket.transitions l
        CROSS JOIN LATERAL (
          SELECT t.to_state AS state, t.at AS entered FROM docket.transitions t
           WHERE t.case_id = l.case_id AND t.seq < l.seq AND t.from_state IS DISTINCT FROM t.to_state
           ORDER BY t.seq DESC LIMIT 1) e
       WHERE l.process_id = ${proc} AND l.at >= ${from} AND l.at < ${to} AND l.from_state IS DISTINCT FROM l.to_state
    )
    SELECT s.state, count(*)::int AS stays, ${percentilesSql('extract(epoch FROM s.left_at - s.entered)')}
      FROM stays s JOIN docket.cases c ON c.case_id = s.case_id
     WHERE true ${department(f, p)}
     GROUP BY 1
     ORDER BY 4 DESC, 1`;
  return { sql, params, columns: ['state', 'stays', 'medianHours', 'p90Hours'] };
}

/**
 * Approval time per level: from the approver's turn (the contract entering approval, or the previous
 * level approving) to their APPROVE, for approvals given in the period; the level is the approver's role.
 * Each approval is read from the index by process, event and time, and its turn's start by a step
 * back along the case's own log.
 */
export function contractApprovalsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? '' : `AND c.context->>'submittedBy' = ${p(f.rep)}`;
  const sql = `
    SELECT u.actor_role AS level, count(*)::int AS approvals, ${percentilesSql('extract(epoch FROM u.at - turn.started)')}
      FROM docket.transitions u
      LEFT JOIN LATERAL (
        SELECT t.at AS started FROM docket.transitions t
         WHERE t.case_id = u.case_id AND t.seq < u.seq
           AND ((t.to_state = 'approval' AND t.from_state IS DISTINCT FROM 'approval') OR (t.event = 'APPROVE' AND t.from_state = 'approval'))
         ORDER BY t.seq DESC LIMIT 1) turn ON true
      JOIN docket.cases c ON c.case_id = u.case_id
     WHERE u.process_id = 'contract' AND u.event = 'APPROVE' AND u.at >= ${from} AND u.at < ${to}
       AND (u.from_state = 'approval' OR (u.to_state = 'approval' AND u.from_state IS DISTINCT FROM 'approval')) ${rep}
     GROUP BY 1
     ORDER BY coalesce(array_position(ARRAY['sales_manager', 'gm', 'hq', 'legal'], u.actor_role), 99), 1`;
  return { sql, params, columns: ['level', 'approvals', 'medianHours', 'p90Hours'] };
}
/**
 * The causes of lost deals whose causes were identified in the period, per dimension, most frequent
 * first (ties by name), with each dimension's share and the cumulative share: a Pareto per period.
 */
export function lostDealCausesQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const rep = f.rep === undefined ? '' : `AND c.context->>'salesRep' = ${p(f.rep)}`;
  const sql = `
    WITH causes AS (
      SELECT ${periodSql('t.at', f.groupBy)} AS period, x->>'dimension' AS dimension, x->>'weight' = 'primary' AS is_primary
        FROM docket.transitions t
        JOIN docket.cases c ON c.case_id = t.case_id
        CROSS JOIN LATERAL jsonb_array_elements(c.context->'causes') x
       WHERE t.process_id = 'lost_deal' AND t.event = 'CAUSES_IDENTIFIED' AND t.at >= ${p(f.from)} AND t.at < ${p(f.to)} ${rep}
    ), counted AS (
      SELECT period, dimension, count(*)::int AS causes, count(*) FILTER (WHERE is_primary)::int AS "primary"
        FROM causes GROUP BY 1, 2
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
 * Per rep: contracts archived in the period (counted in performance: the definition's performanceRep
 * and performanceAmount), and early placements approved in the period with how many of them are
 * overdue (forms not returned in time) or had their forms returned late.
 */
export function contractsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? undefined : p(f.rep);
  const events = (event: string, repField: string, select: string) => `
      SELECT ${periodSql('t.at', f.groupBy)} AS period, c.context->>'${repField}' AS rep, ${select}
        FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
       WHERE t.process_id = 'contract' AND t.event = '${event}' AND t.at >= ${from} AND t.at < ${to}
         ${rep === undefined ? '' : `AND c.context->>'${repField}' = ${rep}`}
       GROUP BY 1, 2`;
  const sql = `
    WITH signed AS (${events('ARCHIVED', 'performanceRep', `count(*)::int AS contracts, sum((c.context->>'performanceAmount')::numeric) AS amount`)}),
    early AS (${events(
      'EARLY_PLACEMENT_APPROVED',
      'submittedBy',
      `count(*)::int AS placements,
       count(*) FILTER (WHERE (c.context->>'overdue')::boolean IS TRUE OR (c.context->>'formsReturnedLate')::boolean IS TRUE)::int AS late`,
    )})
    SELECT coalesce(s.period, e.period) AS period, coalesce(s.rep, e.rep) AS rep,
           coalesce(s.contracts, 0) AS contracts, coalesce(s.amount, 0)::float8 AS amount,
           coalesce(e.placements, 0) AS "earlyPlacements", coalesce(e.late, 0) AS "earlyPlacementsOverdue"
      FROM signed s FULL JOIN early e ON e.period IS NOT DISTINCT FROM s.period AND e.rep = s.rep
     ORDER BY 1, 4 DESC, 2`;
  return { sql, params, columns: withPeriod(f.groupBy, ['rep', 'contracts', 'amount', 'earlyPlacements', 'earlyPlacementsOverdue']) };
}

/**
 * One query, four counts per rep:
 * - newCustomerVisits: VISIT_DONE of a visit whose visitType is new_customer, credited to its owner;
 * - newLeads: customers whose first new-customer visit case opened in the period, credited to its owner;
 * - intentionCustomers: customers whose intention grade became A in the period, credited to their owner;
 * - newCustomersWon: customers whose first contract was archived (counted in performance) in the period,
 *   credited to the contract's performanceRep.
 */
export function targetsCountsQuery(f: ReportFilter): { sql: string; params: unknown[] } {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? undefined : p(f.rep);
  const only = (column: string) => (rep === undefined ? '' : `AND ${column} = ${rep}`);
  const sql = `
    SELECT c.context->>'owner' AS rep, 'newCustomerVisits' AS metric, count(*)::int AS n
      FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
     WHERE t.process_id = 'visit' AND t.event = 'VISIT_DONE' AND t.at >= ${from} AND t.at < ${to}
       AND c.context->>'visitType' = 'new_customer' ${only(`c.context->>'owner'`)}
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

/** Complaints opened in the period, by category and severity (and period). */
export function complaintsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('c.opened_at', f.groupBy);
  const sql = `
    SELECT ${period} AS period, c.context->>'category' AS category, c.context->>'severity' AS severity, count(*)::int AS complaints
      FROM docket.cases c
     WHERE c.process_id = 'complaint' AND c.opened_at >= ${p(f.from)} AND c.opened_at < ${p(f.to)} ${department(f, p)}
     GROUP BY 1, 2, 3
     ORDER BY 1, 4 DESC, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['category', 'severity', 'complaints']) };
}

/**
 * Complaints closed (satisfied) in the period: how many, how many of them were reopened at least
 * once, the rate, and the mean satisfaction score (1–5).
 */
export function complaintQualityQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('c.closed_at', f.groupBy);
  const sql = `
    SELECT ${period} AS period, count(*)::int AS closed,
           count(*) FILTER (WHERE (c.context->>'reopenings')::int > 0)::int AS reopened,
           round(count(*) FILTER (WHERE (c.context->>'reopenings')::int > 0)::numeric / count(*), 4)::float8 AS "reopenRate",
           round(avg((c.context->>'satisfactionScore')::numeric), 2)::float8 AS "satisfaction"
      FROM docket.cases c
     WHERE c.process_id = 'complaint' AND c.state = 'closed' AND c.closed_at >= ${p(f.from)} AND c.closed_at < ${p(f.to)}
       ${department(f, p)}
     GROUP BY 1
     ORDER BY 1`;
  return { sql, params, columns: withPeriod(f.groupBy, ['closed', 'reopened', 'reopenRate', 'satisfaction']) };
}

/** Improvement measures opened in the period, per department: how many, open, overdue now (open past their due date), completed. */
export function measuresQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const sql = `
    SELECT ${periodSql('c.opened_at', f.groupBy)} AS period, c.context->>'department' AS department, count(*)::int AS measures,
           count(*) FILTER (WHERE c.status = 'open')::int AS open,
           count(*) FILTER (WHERE c.status = 'open' AND ((c.context->>'dueEscalated')::boolean IS TRUE
                                                          OR (c.context->>'dueDate')::timestamptz < now()))::int AS overdue,
           count(*) FILTER (WHERE c.status = 'completed')::int AS completed
      FROM docket.cases c
     WHERE c.process_id = 'improvement_measure' AND c.opened_at >= ${p(f.from)} AND c.opened_at < ${p(f.to)} ${department(f, p)}
     GROUP BY 1, 2
     ORDER BY 1, 2`;
  return { sql, params, columns: withPeriod(f.groupBy, ['department', 'measures', 'open', 'overdue', 'completed']) };
}

/**
 * Deadlines missed per process and state: transitions that raised an escalation (recorded as an
 * `escalation` in the notification outbox with the id `<case>:<seq>:<n>`), by the state the case was in.
 */
export function slaQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const sql = `
    SELECT ${periodSql('n.created_at', f.groupBy)} AS period, n.process_id AS process, t.from_state AS state,
           count(DISTINCT (n.case_id, t.seq))::int AS missed
      FROM docket.notification_outbox n
      JOIN docket.transitions t ON t.case_id = n.case_id AND t.seq = substring(n.id FROM ':([0-9]+):[0-9]+$')::int
     WHERE n.kind = 'escalation' AND n.created_at >= ${p(f.from)} AND n.created_at < ${p(f.to)}
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['process', 'state', 'missed']) };
}

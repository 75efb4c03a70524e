/**
 * The requests measured on the seeded data: each inbox view for typical users, the case search
 * with its filters, a customer's timeline, a case's history, the audit verification of a case and
 * every manager report over a month and over a year. Each query is a list of sample requests
 * (different users, customers, cases, periods), drawn from the data set itself.
 */
import type { Pool } from 'pg';
import { INBOX_VIEWS } from '../../adapters/postgres/case-query';
import { REPORT_NAMES } from '../../adapters/postgres/reports';
import { Rng } from './rng';

export interface Sample {
  url: string;
  userId: string;
  role: string;
}

export interface Query {
  name: string;
  group: 'inbox' | 'search' | 'customer' | 'case' | 'audit' | 'report';
  /** Expected to read few rows through an index (the EXPLAIN test holds these to no sequential scan of a big table). */
  selective: boolean;
  samples: Sample[];
}

/** Roles whose users open each inbox view most (a typical user is one of them). */
const VIEW_ROLES: Record<(typeof INBOX_VIEWS)[number], string[]> = {
  actionable: ['handler', 'sales_rep', 'cs_agent', 'service_manager', 'sales_manager'],
  assigned: ['handler', 'sales_rep', 'dept_owner', 'service_manager'],
  claimable: ['handler', 'sales_rep', 'service_manager'],
  started: ['sales_rep', 'cs_agent'],
  done: ['handler', 'sales_rep', 'cs_agent'],
  cc: ['sales_manager', 'service_manager'],
};

const MONTH_NAMES = (d: Date) => d.toISOString().slice(0, 10);

/** The first instant of the UTC month `back` months before `at`'s. */
function monthStart(at: Date, back: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - back, 1));
}

/** The queries with `perQuery` samples each, drawn with `seed` from the data in `pool` (the owner's connection). */
export async function buildQueries(pool: Pool, seededAt: Date, perQuery: number, seed = 7): Promise<Query[]> {
  const rng = new Rng(seed);
  const usersOf = async (role: string) =>
    (await pool.query<{ user_id: string }>('SELECT user_id FROM docket.users WHERE $1 = ANY(roles) ORDER BY user_id', [role])).rows.map(
      (r) => r.user_id,
    );
  const byRole = new Map<string, string[]>();
  for (const role of new Set(Object.values(VIEW_ROLES).flat().concat(['auditor', 'management', 'cs_agent'])))
    byRole.set(role, await usersOf(role));
  const someone = (role: string) => rng.pick(byRole.get(role)!);
  const sampleIds = async (kind: string) =>
    (
      await pool.query<{ id: string }>('SELECT id FROM bench_scale.samples WHERE kind = $1 ORDER BY md5(id || $2)', [kind, String(seed)])
    ).rows.map((r) => r.id);
  const probes = await sampleIds('probe');
  const signed = await sampleIds('signed');
  const openProbes = (
    await pool.query<{ process_id: string; state: string }>(
      `SELECT process_id, state FROM docket.cases WHERE case_id = ANY($1) AND status = 'open' ORDER BY md5(case_id || $2)`,
      [probes, String(seed)],
    )
  ).rows;
  const customers = (
    await pool.query<{ customer_id: string }>(
      `SELECT c.customer_id FROM docket.customers c
        WHERE EXISTS (SELECT 1 FROM docket.cases k WHERE k.customer_id = c.customer_id)
        ORDER BY md5(c.customer_id || $1) LIMIT $2`,
      [String(seed), perQuery],
    )
  ).rows.map((r) => r.customer_id);
  const largest = (
    await pool.query<{ customer_id: string }>(
      'SELECT customer_id FROM docket.cases GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1',
    )
  ).rows[0]?.customer_id;
  const cycle = <T>(items: readonly T[], n: number): T[] =>
    items.length === 0 ? [] : Array.from({ length: n }, (_, i) => items[i % items.length]!);

  const queries: Query[] = [];
  const inbox = (name: string, view: string | undefined, roles: string[]) => {
    const samples = Array.from({ length: perQuery }, (_, i) => {
      const role = roles[i % roles.length]!;
      return { url: view === undefined ? '/inbox' : `/inbox?view=${view}`, userId: someone(role), role };
    });
    queries.push({ name, group: 'inbox', selective: true, samples });
  };
  inbox('inbox (as opened: actionable)', undefined, VIEW_ROLES.actionable);
  for (const view of INBOX_VIEWS) inbox(`inbox: ${view}`, view, VIEW_ROLES[view]);

  const searcher = () => rng.pick([{ role: 'auditor' }, { role: 'service_manager' }, { role: 'sales_manager' }]);
  queries.push({
    name: 'search: process + state',
    group: 'search',
    selective: true,
    samples: cycle(openProbes, perQuery).map((c) => ({
      url: `/cases?process=${c.process_id}&state=${encodeURIComponent(c.state)}`,
      userId: someone('auditor'),
      role: 'auditor',
    })),
  });
  queries.push({
    name: 'search: customer',
    group: 'search',
    selective: true,
    samples: cycle(customers, perQuery).map((c) => {
      const { role } = searcher();
      return { url: `/cases?customer=${c}`, userId: someone(role), role };
    }),
  });
  queries.push({
    name: 'search: status + opened in a month',
    group: 'search',
    selective: true,
    samples: Array.from({ length: perQuery }, (_, i) => {
      const from = monthStart(seededAt, 1 + (i % 12));
      const to = monthStart(seededAt, i % 12);
      const status = i % 2 === 0 ? 'open' : 'completed';
      return {
        url: `/cases?status=${status}&openedFrom=${from.toISOString()}&openedTo=${to.toISOString()}`,
        userId: someone('auditor'),
        role: 'auditor',
      };
    }),
  });
  queries.push({
    name: 'search: overdue',
    group: 'search',
    selective: false,
    samples: Array.from({ length: perQuery }, () => {
      const { role } = searcher();
      return { url: '/cases?overdue=true', userId: someone(role), role };
    }),
  });
  queries.push({
    name: "customer's timeline",
    group: 'customer',
    selective: true,
    samples: cycle(customers, perQuery).map((c) => ({ url: `/customers/${c}/timeline`, userId: someone('cs_agent'), role: 'cs_agent' })),
  });
  if (largest)
    queries.push({
      name: "customer's timeline, the largest customer",
      group: 'customer',
      // It reads every transition of a key account's thousands of cases.
      selective: false,
      samples: Array.from({ length: Math.max(3, Math.ceil(perQuery / 4)) }, () => ({
        url: `/customers/${largest}/timeline`,
        userId: someone('cs_agent'),
        role: 'cs_agent',
      })),
    });
  queries.push({
    name: "case's history",
    group: 'case',
    selective: true,
    samples: cycle(probes, perQuery).map((id) => ({ url: `/cases/${id}/history`, userId: someone('auditor'), role: 'auditor' })),
  });
  queries.push({
    name: 'audit verification of a case',
    group: 'audit',
    selective: true,
    samples: cycle(signed, perQuery).map((id) => ({ url: `/cases/${id}/audit/verify`, userId: someone('auditor'), role: 'auditor' })),
  });
  for (const report of REPORT_NAMES) {
    for (const span of ['month', 'year'] as const) {
      queries.push({
        name: `report ${report}, a ${span}`,
        group: 'report',
        selective: span === 'month',
        samples: Array.from({ length: perQuery }, (_, i) => {
          const back = i % 6;
          const to = monthStart(seededAt, back);
          const from = monthStart(seededAt, back + (span === 'month' ? 1 : 12));
          return {
            url: `/reports/${report}?from=${MONTH_NAMES(from)}&to=${MONTH_NAMES(to)}`,
            userId: someone('management'),
            role: 'management',
          };
        }),
      });
    }
  }
  return queries;
}

/** The plans PostgreSQL chooses for the statements a request ran, and the large tables they read whole. */
import type { Pool } from 'pg';
import { inTransaction } from '../../adapters/postgres/transaction';
import type { Statement } from './api';

/** The tables that grow with the organisation's history: reading one of them whole is what the indexes are for. */
export const LARGE_TABLES = [
  'cases',
  'transitions',
  'notification_outbox',
  'customers',
  'customer_contacts',
  'customer_grade_changes',
] as const;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every `Seq Scan` of a table of `tables` in a plan (by table name). */
export function seqScans(plan: unknown, tables: readonly string[] = LARGE_TABLES): string[] {
  const found: string[] = [];
  const visit = (node: PlanNode) => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] !== undefined && tables.includes(node['Relation Name']))
      found.push(node['Relation Name']);
    for (const child of node.Plans ?? []) visit(child);
  };
  const root = (Array.isArray(plan) ? (plan[0] as { Plan?: PlanNode } | undefined)?.Plan : undefined) ?? (plan as { Plan?: PlanNode }).Plan;
  if (root) visit(root);
  return found;
}

/**
 * EXPLAIN (FORMAT JSON) of each statement that reads (writes such as a token's last use are left
 * out), with the planner settings it ran with.
 */
export async function explainAll(pool: Pool, statements: Statement[]): Promise<Array<{ statement: Statement; plan: unknown }>> {
  const out: Array<{ statement: Statement; plan: unknown }> = [];
  for (const statement of statements) {
    if (!/^\s*(SELECT|WITH)\b/i.test(statement.text)) continue;
    const explain = `EXPLAIN (FORMAT JSON) ${statement.text}`;
    const { rows } = statement.settings
      ? await inTransaction(pool, 'explain', async (client) => {
          for (const setting of statement.settings ?? []) await client.query(setting);
          return client.query<{ 'QUERY PLAN': unknown }>(explain, statement.values);
        })
      : await pool.query<{ 'QUERY PLAN': unknown }>(explain, statement.values);
    out.push({ statement, plan: rows[0]?.['QUERY PLAN'] });
  }
  return out;
}

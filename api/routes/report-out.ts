/**
 * The answer of `GET /reports/<name>` and its check. A year's report can hold thousands of rows of
 * nine cells; zod checks each cell against a union of four schemas, which took tens of
 * milliseconds per answer. `checkReport` checks the same shape in one pass over the cells: zod for
 * the envelope, a loop for the rows.
 */
import { z } from 'zod';
import { GROUP_BY } from '../../adapters/postgres/reports';
import { describeIssues, toIssues } from '../../engine/refusals';

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The answer as the OpenAPI document describes it. */
export const reportOut = z
  .object({
    report: z.string(),
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(GROUP_BY).nullable(),
    rep: z.string().nullable(),
    department: z.string().nullable(),
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), cell)),
  })
  .meta({ id: 'Report' });

/** `reportOut` but its rows, which `rowsProblem` checks. */
const envelope = reportOut.extend({ rows: z.array(z.unknown()) });

/** What `cell` refuses in a value: undefined when it is a string, a finite number, a boolean or null. */
function cellProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      // z.number() refuses NaN and the infinities.
      return Number.isFinite(value) ? undefined : `expected a finite number, got ${value}`;
    case 'object':
      return value === null ? undefined : `expected string, number, boolean or null, got ${Array.isArray(value) ? 'array' : 'object'}`;
    default:
      return `expected string, number, boolean or null, got ${typeof value}`;
  }
}

/** Whether `value` is an object a record schema takes: not null, not an array, not a class instance (Date, Map, …). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The first problem of the rows (`rows.3.perUnit: …`), or undefined when each is a record of cells. */
function rowsProblem(rows: readonly unknown[]): string | undefined {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!isPlainObject(row)) return `rows.${i}: expected a record of cells`;
    for (const key of Object.keys(row)) {
      const problem = cellProblem(row[key]);
      if (problem !== undefined) return `rows.${i}.${key}: ${problem}`;
    }
  }
  return undefined;
}

/** What is wrong with a report's answer against `reportOut`, or undefined when it matches. */
export function checkReport(body: unknown): string | undefined {
  const checked = envelope.safeParse(body);
  if (!checked.success) return describeIssues(toIssues(checked.error.issues));
  return rowsProblem(checked.data.rows);
}

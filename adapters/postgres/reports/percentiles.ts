/**
 * Exact medians and 90th percentiles of lengths of time per group over a period, without sorting
 * every length of the period (migration 024). The lengths a period holds are counted per bin of
 * length (`docket.report_duration_counts`: per UTC month, read for the whole months of the period;
 * the rows of its cut months are counted from their index); the bin holding the k-th length is
 * found from those counts, and only that bin's rows of the period are read, in order of length,
 * along an index by group, bin and time: once per bin, for every rank it holds (the ranks either
 * side of a percentile are mostly in the same bin). The figures are the ones `percentile_cont` gives (linear
 * interpolation between the lengths at ranks floor and ceil of q·(n−1), as PostgreSQL computes it).
 */
import { binder, type ReportFilter } from './period';

/** The bin of a length that is none: counted in a group's rows, not in its percentiles. */
const NO_LENGTH = 2147483647;
/** The bin of lengths of exactly zero (all equal: read from no row). */
const ZERO = -1000000;

/** Where a kind of length is kept. */
export interface LengthSource {
  /** `kind` in `docket.report_duration_counts`. */
  kind: 'stay' | 'approval';
  /** Its process there. */
  process: string;
  /** The kept rows: `docket.report_stays s`. */
  table: string;
  /** A row's group (`s.state`), time (`s.left_at`) and length in seconds (`extract(epoch FROM …)`). */
  group: string;
  time: string;
  seconds: string;
  /** A condition on the kept rows besides the period (`s.process_id = $1`), or none. */
  where?: (p: (v: unknown) => string) => string;
}

/** The first instant of the UTC month of `d`. */
function monthOf(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

/**
 * The whole UTC months of [from, to) as [first, end) (first = end when there are none): their
 * lengths are counted from the monthly counts, the rest of the period from the rows.
 */
export function wholeMonths(from: Date, to: Date): { first: Date; end: Date } {
  const start = monthOf(from);
  const first = start.getTime() === from.getTime() ? start : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const end = monthOf(to);
  return first.getTime() < end.getTime() ? { first, end } : { first: to, end: to };
}

/**
 * One query: per group, its rows' count (`countAs`) and the median and 90th percentile of their
 * lengths in hours with two decimals (`medianHours`, `p90Hours`), for rows whose time is in the period.
 */
export function percentilesQuery(
  src: LengthSource,
  f: ReportFilter,
  groupAs: string,
  countAs: string,
  orderBy: string,
): { sql: string; params: unknown[] } {
  const { params, p } = binder();
  const { first, end } = wholeMonths(f.from, f.to);
  const from = p(f.from);
  const to = p(f.to);
  const m1 = p(first);
  const m2 = p(end);
  const where = src.where === undefined ? '' : `AND ${src.where(p)}`;
  const bin = `coalesce(docket.report_duration_bin(${src.seconds}), ${NO_LENGTH})`;
  const rows = (lo: string, hi: string) => `
        SELECT ${src.group} AS grp, ${bin} AS bin, 1 AS n FROM ${src.table}
         WHERE ${src.time} >= ${lo} AND ${src.time} < ${hi} ${where}`;
  const percentile = (q: string, as: string) => `(
      SELECT round((CASE WHEN k.hi = k.lo THEN lo.seconds ELSE lo.seconds + ((k.pos - k.lo) * (hi.seconds - lo.seconds)) END / 3600)::numeric, 2)::float8
        FROM (SELECT pos, floor(pos) AS lo, ceil(pos) AS hi FROM (SELECT ${q}::float8 * (g.valued - 1)::float8 AS pos) x) k
        JOIN picked lo ON lo.grp = g.grp AND lo.r = k.lo::bigint
        JOIN picked hi ON hi.grp = g.grp AND hi.r = k.hi::bigint) AS "${as}"`;
  const sql = `
    WITH counted AS (
      SELECT grp, bin, sum(n)::bigint AS n FROM (
        SELECT c.grp, c.bin, c.n FROM docket.report_duration_counts c
         WHERE c.kind = '${src.kind}' AND c.process_id = ${p(src.process)} AND c.month >= ${m1} AND c.month < ${m2}
        UNION ALL ${rows(from, m1)}
        UNION ALL ${rows(m2, to)}
      ) x GROUP BY 1, 2
    ), groups AS (
      SELECT grp, sum(n)::bigint AS total, coalesce(sum(n) FILTER (WHERE bin <> ${NO_LENGTH}), 0)::bigint AS valued
        FROM counted GROUP BY 1
    ), bins AS (
      SELECT grp, bin, n, (sum(n) OVER (PARTITION BY grp ORDER BY bin))::bigint - n AS before
        FROM counted WHERE bin <> ${NO_LENGTH} AND n > 0
    ), wanted AS (
      SELECT DISTINCT g.grp, r.r
        FROM groups g
        CROSS JOIN LATERAL (VALUES (floor(0.5::float8 * (g.valued - 1)::float8)::bigint), (ceil(0.5::float8 * (g.valued - 1)::float8)::bigint),
                                   (floor(0.9::float8 * (g.valued - 1)::float8)::bigint), (ceil(0.9::float8 * (g.valued - 1)::float8)::bigint)) r (r)
       WHERE g.valued > 0
    ), needed AS (
      SELECT w.grp, b.bin, b.before, array_agg(w.r) AS ranks, max(w.r) - b.before + 1 AS upto
        FROM wanted w
        JOIN bins b ON b.grp = w.grp AND w.r >= b.before AND w.r < b.before + b.n
       GROUP BY w.grp, b.bin, b.before
    ), picked AS (
      SELECT n.grp, k.r, CASE WHEN n.bin = ${ZERO} THEN 0::float8 ELSE v.sorted[k.r - n.before + 1] END AS seconds
        FROM needed n
        CROSS JOIN LATERAL (
          SELECT array_agg(x.seconds ORDER BY x.seconds) AS sorted FROM (
            SELECT (${src.seconds})::float8 AS seconds FROM ${src.table}
             WHERE n.bin <> ${ZERO} AND ${src.group} = n.grp AND docket.report_duration_bin(${src.seconds}) = n.bin
               AND ${src.time} >= ${from} AND ${src.time} < ${to} ${where}
             ORDER BY 1 LIMIT n.upto) x) v
        CROSS JOIN LATERAL unnest(n.ranks) k (r)
    )
    SELECT g.grp AS ${groupAs}, g.total::int AS ${countAs}, ${percentile('0.5', 'medianHours')}, ${percentile('0.9', 'p90Hours')}
      FROM groups g
     ORDER BY ${orderBy}`;
  return { sql, params };
}

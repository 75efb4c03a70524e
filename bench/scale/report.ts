/** The data-at-scale part of the benchmark's printed report. */
import type { ScaleResult } from './run';

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatScale(r: ScaleResult): string {
  const s = r.seed;
  const c = s.counts;
  const lines: string[] = [];
  lines.push(`8. Data at scale (${r.database}, scale ${s.scale}, ${s.reused ? 'reused: seeded' : 'seeded'} ${s.seededAt})`);
  lines.push(
    `   ${n(c.openCases)} open cases, ${n(c.closedCases)} closed, ${n(c.transitions)} transitions, ${n(c.customers)} customers, ` +
      `${n(c.users)} users, ${n(c.gradeChanges)} grade changes, ${n(c.contacts)} contacts, ${n(c.notifications)} notifications (${n(c.escalations)} escalations)`,
  );
  lines.push(
    `   seeding took ${s.seconds.total} s: templates ${s.seconds.templates} s, COPY ${s.seconds.load} s (${n(s.loadRowsPerS)} transitions/s), ` +
      `indexes ${s.seconds.indexes} s, rollups ${s.seconds.rollups ?? 0} s, vacuum and analyze ${s.seconds.analyze} s`,
  );
  lines.push(`   ${r.samplesPerQuery} warm requests per query through the HTTP API; goal p95 ≤ ${r.goalP95Ms} ms`);
  lines.push(
    table([
      ['query', 'count', 'p50 ms', 'p95 ms', 'max ms', 'rows', 'total', 'p95 goal'],
      ...r.queries.map((q) => [
        q.name,
        String(q.ms.count),
        ms(q.ms.p50),
        ms(q.ms.p95),
        ms(q.ms.max),
        String(q.rows),
        q.total === undefined ? '' : n(q.total),
        q.met ? 'met' : 'NOT MET',
      ]),
    ]),
  );
  const missed = r.queries.filter((q) => !q.met).length;
  lines.push(`   ${r.queries.length - missed} of ${r.queries.length} queries meet the goal`);
  for (const note of r.notes) lines.push(`   · ${note}`);
  return lines.join('\n');
}

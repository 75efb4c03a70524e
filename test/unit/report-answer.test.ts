/**
 * The check of a report's answer (api/routes/report-out.ts) refuses what the answer's zod schema
 * refuses and takes what it takes, without zod for the rows.
 */
import { checkReport, reportOut } from '../../api/routes/report-out';

const answer = (rows: unknown[], extra: Record<string, unknown> = {}) => ({
  report: 'targets',
  from: '2026-01-01T00:00:00.000Z',
  to: '2027-01-01T00:00:00.000Z',
  groupBy: null,
  rep: null,
  department: null,
  columns: ['rep', 'metric', 'actual', 'met'],
  rows,
  ...extra,
});

const row = { rep: 'rep-1', metric: 'newLeads', actual: 3, perUnit: 0.25, target: null, met: true };

const good: Array<[string, unknown]> = [
  ['no rows', answer([])],
  ['rows of every kind of cell', answer([row, { ...row, rep: 'rep-2', met: false, actual: -1.5 }])],
  ['an empty row', answer([{}])],
  ['a grouping', answer([row], { groupBy: 'month' })],
];

const bad: Array<[string, unknown, RegExp]> = [
  ['a nested object in a cell', answer([row, { ...row, actual: { n: 3 } }]), /^rows\.1\.actual: /],
  ['an array in a cell', answer([{ ...row, rep: ['a'] }]), /^rows\.0\.rep: .*array/],
  ['an undefined cell', answer([{ ...row, target: undefined }]), /^rows\.0\.target: .*undefined/],
  ['NaN', answer([{ ...row, perUnit: Number.NaN }]), /^rows\.0\.perUnit: /],
  ['Infinity', answer([{ ...row, perUnit: Number.POSITIVE_INFINITY }]), /^rows\.0\.perUnit: /],
  ['a date in a cell', answer([{ ...row, at: new Date(0) }]), /^rows\.0\.at: /],
  ['a bigint in a cell', answer([{ ...row, actual: 3n }]), /^rows\.0\.actual: .*bigint/],
  ['a row that is null', answer([row, null]), /^rows\.1: /],
  ['a row that is an array', answer([['rep-1', 3]]), /^rows\.0: /],
  ['a row that is a string', answer(['rep-1']), /^rows\.0: /],
  ['rows that are not a list', answer({ 0: row } as never), /rows/],
  ['no report name', { ...answer([row]), report: undefined }, /report/],
  ['an unknown grouping', answer([row], { groupBy: 'fortnight' }), /groupBy/],
  ['a column that is not text', answer([row], { columns: ['rep', 3] }), /columns\.1/],
];

describe('checkReport', () => {
  it.each(good)('takes %s, as the schema does', (_what, body) => {
    expect(reportOut.safeParse(body).success).toBe(true);
    expect(checkReport(body)).toBeUndefined();
  });

  it.each(bad)('refuses %s, as the schema does, saying where', (_what, body, where) => {
    expect(reportOut.safeParse(body).success).toBe(false);
    expect(checkReport(body)).toMatch(where);
  });

  it('names the first malformed row of thousands', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ ...row, rep: `rep-${i}` }));
    rows[2718] = { ...row, met: { yes: true } as never };
    expect(checkReport(answer(rows))).toMatch(/^rows\.2718\.met: /);
  });
});

import { CHAIN_ALGORITHM, rowHash, verifyChain, type ChainedTransition } from '../../audit/chain';
import { buildExport, exportToCsv, verifyExport } from '../../audit/export';
import { definitionHash } from '../../audit/definition-hash';

const definition = { process: 'p', version: 1 };
const DEF = definitionHash(definition);

function chain(n: number): ChainedTransition[] {
  const rows: ChainedTransition[] = [];
  let prev = DEF;
  for (let seq = 0; seq < n; seq++) {
    const row = {
      caseId: 'c1',
      seq,
      processId: 'p',
      definitionVersion: 1,
      definitionHash: DEF,
      event: seq === 0 ? 'xstate.init' : `E${seq}`,
      payload: { n: seq, nested: { b: 1, a: [1, 'x'] } },
      actor: { userId: 'u', role: 'r' },
      requestId: null,
      fromState: seq === 0 ? null : `s${seq - 1}`,
      toState: `s${seq}`,
      status: 'open' as const,
      at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    };
    const hash = rowHash(row, prev);
    rows.push({ ...row, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

test('an intact chain verifies; the hash ignores key order', () => {
  const rows = chain(5);
  expect(verifyChain('c1', rows, { lastSeq: 4, definitionHash: DEF })).toMatchObject({ ok: true, rows: 5, headHash: rows[4]!.hash });
  const reordered = { ...rows[1]!, payload: { nested: { a: [1, 'x'], b: 1 }, n: 1 } };
  expect(rowHash(reordered, rows[0]!.hash!)).toBe(rows[1]!.hash);
});

test.each([
  ['changed', (r: ChainedTransition[]) => (r[2] = { ...r[2]!, payload: { n: 99 } }), 2],
  ['changed', (r: ChainedTransition[]) => (r[3] = { ...r[3]!, actor: { userId: 'x', role: 'r' } }), 3],
  ['removed', (r: ChainedTransition[]) => r.splice(2, 1), 2],
  ['removed', (r: ChainedTransition[]) => r.splice(4, 1), 4],
  ['reordered', (r: ChainedTransition[]) => ([r[1], r[2]] = [r[2]!, r[1]!]), 1],
  [
    'reordered',
    (r: ChainedTransition[]) =>
      ([r[2], r[3]] = [
        { ...r[3]!, seq: 2 },
        { ...r[2]!, seq: 3 },
      ]),
    2,
  ],
  ['unsealed', (r: ChainedTransition[]) => (r[1] = { ...r[1]!, hash: null }), 1],
])('%s rows are caught at the right seq', (kind, edit, seq) => {
  const rows = chain(5);
  edit(rows);
  expect(verifyChain('c1', rows, { lastSeq: 4 }).problem).toMatchObject({ kind, seq });
});

test('an inserted row is caught, with or without a well-formed hash', () => {
  const rows = chain(5);
  const forged = { ...rows[2]!, payload: { n: 'forged' } };
  const inserted = { ...forged, prevHash: rows[1]!.hash, hash: rowHash(forged, rows[1]!.hash!) };
  const shifted = rows.slice(2).map((r) => ({ ...r, seq: r.seq + 1 }));
  const withGoodHash = [...rows.slice(0, 2), inserted, ...shifted];
  expect(verifyChain('c1', withGoodHash).problem).toMatchObject({ kind: 'inserted', seq: 2 });
  const withBadHash = [...rows.slice(0, 2), { ...inserted, hash: 'f'.repeat(64) }, ...shifted];
  expect(verifyChain('c1', withBadHash).problem).toMatchObject({ kind: 'inserted', seq: 2 });
  // Appended at the end with a valid hash: only the case's own count of transitions catches it.
  const appended = [...rows, { ...rows[4]!, seq: 5, prevHash: rows[4]!.hash, hash: rowHash({ ...rows[4]!, seq: 5 }, rows[4]!.hash!) }];
  expect(verifyChain('c1', appended).ok).toBe(true);
  expect(verifyChain('c1', appended, { lastSeq: 4 }).problem).toMatchObject({ kind: 'inserted', seq: 5 });
});

test('an export carries what an offline verifier needs, and CSV escapes what it must', () => {
  const rows = chain(3);
  rows[1] = { ...rows[1]!, payload: { text: '=HYPERLINK("x"), "quoted"\nline' } };
  const fixed = chain(3).map((r, i) =>
    i === 1 ? { ...r, payload: rows[1]!.payload, hash: rowHash({ ...r, payload: rows[1]!.payload }, r.prevHash!) } : r,
  );
  fixed[2] = { ...fixed[2]!, prevHash: fixed[1]!.hash, hash: rowHash(fixed[2]!, fixed[1]!.hash!) };
  const exp = buildExport(
    [
      {
        caseId: 'c1',
        processId: 'p',
        definitionVersion: 1,
        definitionHash: DEF,
        definition,
        customerId: 'C',
        state: 's2',
        status: 'open',
        lastSeq: 2,
        transitions: fixed,
      },
    ],
    { userId: 'eve', role: 'auditor' },
  );
  expect(exp.algorithm).toBe(CHAIN_ALGORITHM);
  expect(verifyExport(JSON.parse(JSON.stringify(exp)))).toMatchObject({ ok: true, cases: [{ ok: true, definitionMatches: true }] });
  expect(verifyExport({ ...exp, cases: [{ ...exp.cases[0]!, definition: { process: 'other' } }] }).ok).toBe(false);
  expect(() => verifyExport({ format: 'x' })).toThrow(/not a Docket audit export/);
  const csv = exportToCsv(exp).split('\r\n');
  expect(csv[0]).toMatch(/^caseId,seq,at,/);
  expect(csv).toHaveLength(5);
});

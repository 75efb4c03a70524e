import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { annotationHash, verifyAnnotations, type AnnotationRecord, type ChainedAnnotation } from '../../audit/annotations';
import { generateSigningKey, publicKeyEntry } from '../../audit/keys';
import { drawCount, drawSample, samplingReport } from '../../audit/sampling';
import { KeySet, signAnnotation, signRow } from '../../audit/signature';

describe('seeded draws', () => {
  const cases = [
    ...Array.from({ length: 10 }, (_, i) => ({ caseId: `c-a-${i}`, rep: 'ann' })),
    ...Array.from({ length: 3 }, (_, i) => ({ caseId: `c-b-${i}`, rep: 'bo' })),
  ];
  const key = (seed: string, id: string) => createHash('sha256').update(`${seed}\u0000${id}`).digest('hex');

  it('takes per rep the cases with the smallest sha256(seed, case id), whatever order they come in', () => {
    const drawn = drawSample(cases, { seed: 's1', size: 4 });
    const ann = cases.filter((c) => c.rep === 'ann').map((c) => c.caseId);
    const expected = [...ann].sort((a, b) => (key('s1', a) < key('s1', b) ? -1 : 1)).slice(0, 4);
    expect(drawn.filter((d) => d.rep === 'ann').map((d) => d.caseId)).toEqual(expected);
    expect(drawn.filter((d) => d.rep === 'bo')).toHaveLength(3);
    expect(drawSample([...cases].reverse(), { seed: 's1', size: 4 })).toEqual(drawn);
    expect(drawSample(cases, { seed: 's2', size: 4 }).map((d) => d.caseId)).not.toEqual(drawn.map((d) => d.caseId));
    expect(drawn.map((d) => d.rank)).toEqual([0, 1, 2, 3, 0, 1, 2]);
  });

  it('counts a percentage rounded up, never more than the rep has', () => {
    expect(drawCount(10, { seed: 'x', percent: 20 })).toBe(2);
    expect(drawCount(30, { seed: 'x', percent: 10 })).toBe(3);
    expect(drawCount(6, { seed: 'x', percent: 20 })).toBe(2);
    expect(drawCount(3, { seed: 'x', percent: 20 })).toBe(1);
    expect(drawCount(3, { seed: 'x', size: 5 })).toBe(3);
    expect(drawCount(0, { seed: 'x', percent: 50 })).toBe(0);
  });
});

describe('the sampling report', () => {
  it('counts each sampled case once per rep and in the total, findings per item', () => {
    const labels = (id: string) => ({ en: id, 'zh-CN': id });
    const report = samplingReport(
      { ann: 10, bo: 3 },
      [
        { rep: 'ann', review: { passed: true, failed: [] } },
        { rep: 'ann', review: { passed: false, failed: ['a', 'b'] } },
        { rep: 'ann', review: null },
        { rep: 'bo', review: { passed: false, failed: ['old'] } },
      ],
      [
        { id: 'a', labels: labels('a') },
        { id: 'b', labels: labels('b') },
      ],
    );
    expect(report.columns).toEqual([
      'rep',
      'population',
      'sampled',
      'reviewed',
      'passed',
      'failed',
      'findings',
      'item:a',
      'item:b',
      'item:old',
    ]);
    expect(report.rows).toEqual([
      { rep: 'ann', population: 10, sampled: 3, reviewed: 2, passed: 1, failed: 1, findings: 2, 'item:a': 1, 'item:b': 1, 'item:old': 0 },
      { rep: 'bo', population: 3, sampled: 1, reviewed: 1, passed: 0, failed: 1, findings: 1, 'item:a': 0, 'item:b': 0, 'item:old': 1 },
      {
        rep: '(total)',
        population: 13,
        sampled: 4,
        reviewed: 3,
        passed: 1,
        failed: 2,
        findings: 3,
        'item:a': 1,
        'item:b': 1,
        'item:old': 1,
      },
    ]);
    expect(report.items.map((i) => [i.id, i.failed])).toEqual([
      ['a', 1],
      ['b', 1],
      ['old', 1],
    ]);
  });
});

describe('annotation chains', () => {
  const signer = generateSigningKey(path.join(mkdtempSync(path.join(tmpdir(), 'docket-ann-')), 'key.pem'));
  const keys = new KeySet([signer.publicKey]);
  const transitions = [
    { seq: 0, hash: 'h0' },
    { seq: 1, hash: 'h1' },
  ];
  const chain = (n: number): ChainedAnnotation[] => {
    const out: ChainedAnnotation[] = [];
    for (let seq = 0; seq < n; seq++) {
      const a: AnnotationRecord = {
        caseId: 'c1',
        seq,
        kind: 'note',
        sampleId: null,
        body: { text: `note ${seq}` },
        author: { userId: 'eve', role: 'auditor' },
        rep: 'bob',
        caseSeq: 1,
        caseHash: 'h1',
        at: new Date(Date.UTC(2026, 0, 1, seq)).toISOString(),
        requestId: null,
      };
      const prevHash = out.at(-1)?.hash ?? 'h1';
      const hash = annotationHash(a, prevHash);
      out.push({ ...a, prevHash, hash, ...signAnnotation(signer, hash) });
    }
    return out;
  };

  it('verifies a chain anchored on the transition it follows, with signatures and the count', () => {
    expect(verifyAnnotations('c1', chain(3), transitions, { count: 3, keys })).toMatchObject({ ok: true, rows: 3, signedRows: 3 });
  });

  it('names what was changed, removed, forged or anchored elsewhere', () => {
    const changed = chain(3);
    (changed[1]!.body as { text: string }).text = 'rewritten';
    expect(verifyAnnotations('c1', changed, transitions, { keys }).problem).toMatchObject({ seq: 1, kind: 'changed' });
    const rehashed = chain(3);
    (rehashed[2]!.body as { text: string }).text = 'rewritten';
    rehashed[2]!.hash = annotationHash(rehashed[2]!, rehashed[2]!.prevHash);
    expect(verifyAnnotations('c1', rehashed, transitions, { keys }).problem).toMatchObject({ seq: 2, kind: 'forged' });
    expect(verifyAnnotations('c1', chain(3).slice(0, 2), transitions, { count: 3, keys }).problem).toMatchObject({
      seq: 2,
      kind: 'removed',
    });
    const gap = chain(3);
    expect(verifyAnnotations('c1', [gap[0]!, gap[2]!], transitions, { keys }).problem).toMatchObject({ seq: 1, kind: 'removed' });
    expect(
      verifyAnnotations(
        'c1',
        chain(2),
        [
          { seq: 0, hash: 'h0' },
          { seq: 1, hash: 'other' },
        ],
        { keys },
      ).problem,
    ).toMatchObject({
      seq: 0,
      kind: 'changed',
    });
    const unsigned = chain(2).map((a) => ({ ...a, signature: null }));
    expect(verifyAnnotations('c1', unsigned, transitions, { keys }).problem).toMatchObject({ seq: 0, kind: 'unsigned' });
    // A transition row's signature of the same hash does not pass for an annotation's.
    const crossed = chain(1).map((a) => ({ ...a, ...signRow(signer, a.hash) }));
    expect(verifyAnnotations('c1', crossed, transitions, { keys }).problem).toMatchObject({ seq: 0, kind: 'forged' });
    const stranger = generateSigningKey(path.join(mkdtempSync(path.join(tmpdir(), 'docket-ann-')), 'key.pem'));
    expect(
      verifyAnnotations('c1', chain(1), transitions, { keys: new KeySet([publicKeyEntry(stranger.publicKey.publicKey, 'x')]) }).problem,
    ).toMatchObject({
      kind: 'unknown-key',
    });
  });
});

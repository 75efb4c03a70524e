/**
 * Auditors' random samples (不定期抽样复核), reproducible: each completed case gets a draw key,
 * SHA-256 of the seed and its case id, and per rep the cases with the smallest keys are drawn. The
 * same seed over the same cases gives the same sample whatever order they are read in; another seed
 * gives another. Pure, so a draw can be checked by hand.
 */
import { createHash, randomBytes } from 'node:crypto';

export const SAMPLING_ALGORITHM =
  'docket-sample-v1: per rep, the cases with the smallest sha256(seed + "\\u0000" + caseId), hex; size n (at most the rep\'s cases) or ceil(percent/100 × the rep\'s cases)';

export interface SampleCandidate {
  caseId: string;
  rep: string;
}

export interface DrawnCase extends SampleCandidate {
  /** 0 for the rep's first case drawn. */
  rank: number;
  drawKey: string;
}

export interface DrawSpec {
  seed: string;
  /** Cases per rep (at most the rep's cases). */
  size?: number;
  /** Percent of each rep's cases, rounded up. */
  percent?: number;
}

export function drawKey(seed: string, caseId: string): string {
  return createHash('sha256').update(`${seed}\u0000${caseId}`).digest('hex');
}

/** A seed for a draw that names none: recorded with the draw, so it can be drawn again. */
export function newSeed(): string {
  return randomBytes(8).toString('hex');
}

/** How many of a rep's `n` cases a draw takes. */
export function drawCount(n: number, spec: DrawSpec): number {
  if (spec.size !== undefined) return Math.min(spec.size, n);
  // Rounded to 1e-9 first, so that 10% of 30 is 3, not 4 from 3.0000000000000004.
  return Math.min(n, Math.ceil(Math.round(((n * (spec.percent ?? 0)) / 100) * 1e9) / 1e9));
}

/** The cases a draw picks, per rep (reps in name order), each rep's in the order of their draw keys. */
export function drawSample(candidates: SampleCandidate[], spec: DrawSpec): DrawnCase[] {
  const byRep = new Map<string, Array<SampleCandidate & { drawKey: string }>>();
  for (const c of candidates) {
    const list = byRep.get(c.rep) ?? [];
    list.push({ ...c, drawKey: drawKey(spec.seed, c.caseId) });
    byRep.set(c.rep, list);
  }
  const out: DrawnCase[] = [];
  for (const rep of [...byRep.keys()].sort()) {
    const list = byRep.get(rep)!.sort((a, b) => (a.drawKey < b.drawKey ? -1 : a.drawKey > b.drawKey ? 1 : a.caseId < b.caseId ? -1 : 1));
    list.slice(0, drawCount(list.length, spec)).forEach((c, rank) => out.push({ caseId: c.caseId, rep, rank, drawKey: c.drawKey }));
  }
  return out;
}

/** A sampled case as the report reads it: its rep and the failed items of its latest review (null: not reviewed). */
export interface ReviewedCase {
  rep: string;
  review: { passed: boolean; failed: string[] } | null;
}

export interface SamplingReport {
  columns: string[];
  /** One row per rep (name order), then the total (`rep` = "(total)"). */
  rows: Array<Record<string, string | number>>;
  /** The checklist items, in the checklist's order, with how many reviews failed each. */
  items: Array<{ id: string; labels: { en: string; 'zh-CN': string }; failed: number }>;
}

/**
 * Per rep: completed cases in the period (`population`), drawn (`sampled`), reviewed, passed, failed,
 * findings (failed items over all latest reviews), and per checklist item (`item:<id>`) how many
 * latest reviews failed it. Only each case's latest review in the sample counts.
 */
export function samplingReport(
  population: Record<string, number>,
  cases: ReviewedCase[],
  items: Array<{ id: string; labels: { en: string; 'zh-CN': string } }>,
): SamplingReport {
  const itemIds = items.map((i) => i.id);
  // Items of earlier checklist versions that a review failed are counted too, after the current ones.
  for (const c of cases) for (const id of c.review?.failed ?? []) if (!itemIds.includes(id)) itemIds.push(id);
  const columns = ['rep', 'population', 'sampled', 'reviewed', 'passed', 'failed', 'findings', ...itemIds.map((id) => `item:${id}`)];
  const reps = [...new Set([...Object.keys(population), ...cases.map((c) => c.rep)])].sort();
  const blank = (rep: string): Record<string, string | number> => Object.fromEntries(columns.map((c) => [c, c === 'rep' ? rep : 0]));
  const byRep = new Map(reps.map((r) => [r, { ...blank(r), population: population[r] ?? 0 }]));
  const total = blank('(total)');
  total.population = Object.values(population).reduce((a, b) => a + b, 0);
  const add = (row: Record<string, string | number>, key: string) => (row[key] = (row[key] as number) + 1);
  for (const c of cases) {
    const row = byRep.get(c.rep)!;
    for (const r of [row, total]) {
      add(r, 'sampled');
      if (c.review === null) continue;
      add(r, 'reviewed');
      add(r, c.review.passed ? 'passed' : 'failed');
      for (const id of c.review.failed) {
        add(r, 'findings');
        add(r, `item:${id}`);
      }
    }
  }
  const labelled = new Map(items.map((i) => [i.id, i.labels]));
  return {
    columns,
    rows: [...byRep.values(), total],
    items: itemIds.map((id) => ({ id, labels: labelled.get(id) ?? { en: id, 'zh-CN': id }, failed: total[`item:${id}`] as number })),
  };
}

/**
 * What each seeded case is, decided before any row is written: its process and definition version,
 * the template it follows (whole when closed, a prefix when open), when it happened and its customer.
 * Template lengths are chosen so that the transitions add up to the number asked for. Cases are then
 * taken in the order they opened (see ./rows.ts).
 */
import type { CaseTemplate } from './templates';
import type { Rng, SkewedPicker } from './rng';

/** The share of each process among cases (a sales organisation: visits and complaints above all). */
const PROCESS_MIX: Record<string, number> = {
  visit: 0.36,
  complaint: 0.24,
  follow_up: 0.14,
  contract: 0.12,
  improvement_measure: 0.08,
  lost_deal: 0.06,
};
/** A process the mix does not name (a definition added later). */
const OTHER_SHARE = 0.04;

const DAY = 86_400_000;
const YEAR = 365 * DAY;
/** Closed cases closed over the last three years; the newest version of each process was published this long ago. */
export const HISTORY_MS = 3 * YEAR;
export const LATEST_PUBLISHED_AGO_MS = 240 * DAY;
/** Open cases: on the older version now and then (cases started before the newest version). */
const OPEN_ON_OLDER_VERSION = 0.1;

export interface ScaleCounts {
  openCases: number;
  closedCases: number;
  transitions: number;
  customers: number;
}

/** The counts of a data set `scale` times the size of a large organisation's. */
export function countsAt(scale: number): ScaleCounts {
  return {
    openCases: Math.max(1, Math.round(100_000 * scale)),
    closedCases: Math.max(1, Math.round(1_000_000 * scale)),
    transitions: Math.max(2, Math.round(10_000_000 * scale)),
    customers: Math.max(20, Math.round(50_000 * scale)),
  };
}

/** The templates of each process, oldest version first. */
export type TemplatePools = Map<string, CaseTemplate[][]>;

export interface CasePlans {
  count: number;
  /** Index into `templates`. */
  template: Int32Array;
  /** Steps of the template the case has (all of them for a closed case). */
  steps: Uint16Array;
  /** Added to the template's times. */
  shift: Float64Array;
  customer: Int32Array;
  opened: Float64Array;
  /** Case indexes in the order the cases opened. */
  order: Uint32Array;
  templates: CaseTemplate[];
  transitions: number;
}

/** Decides every case: `counts.closedCases` closed, then `counts.openCases` open; transitions as close to `counts.transitions` as the templates allow. */
export function planCases(pools: TemplatePools, counts: ScaleCounts, now: number, customers: SkewedPicker, rng: Rng): CasePlans {
  const templates: CaseTemplate[] = [];
  const index = new Map<CaseTemplate, number>();
  for (const versions of pools.values())
    for (const list of versions)
      for (const t of list) {
        index.set(t, templates.length);
        templates.push(t);
      }
  const processes = [...pools.keys()];
  const weights = processes.map((p) => PROCESS_MIX[p] ?? OTHER_SHARE);
  const n = counts.closedCases + counts.openCases;
  const plans: CasePlans = {
    count: n,
    template: new Int32Array(n),
    steps: new Uint16Array(n),
    shift: new Float64Array(n),
    customer: new Int32Array(n),
    opened: new Float64Array(n),
    order: new Uint32Array(n),
    templates,
    transitions: 0,
  };
  const openable = templates.filter((t) => t.openPrefixes > 0);
  const meanOpen = openable.reduce((a, t) => a + (t.openPrefixes + 1) / 2, 0) / Math.max(1, openable.length);
  const maxPrefix = Math.max(1, ...openable.map((t) => t.openPrefixes));
  let budget = counts.transitions - Math.round(counts.openCases * meanOpen);

  for (let i = 0; i < counts.closedCases; i++) {
    const versions = pools.get(processes[rng.weighted(weights)]!)!;
    const closedAt = now - 3_600_000 - rng.next() * HISTORY_MS;
    const version = closedAt >= now - LATEST_PUBLISHED_AGO_MS || versions.length === 1 ? versions.length - 1 : rng.int(versions.length - 1);
    let pool = versions[version]!.filter((t) => t.closed);
    if (pool.length === 0) pool = versions.flat().filter((t) => t.closed);
    if (pool.length === 0) pool = versions.flat();
    // Of a few templates, the one whose length keeps the total on course.
    const want = budget / (counts.closedCases - i);
    let best = rng.pick(pool);
    for (let k = 0; k < 2; k++) {
      const other = rng.pick(pool);
      if (Math.abs(other.steps.length - want) < Math.abs(best.steps.length - want)) best = other;
    }
    const last = best.steps[best.steps.length - 1]!;
    plans.template[i] = index.get(best)!;
    plans.steps[i] = best.steps.length;
    plans.shift[i] = closedAt - last.at;
    budget -= best.steps.length;
    plans.transitions += best.steps.length;
  }

  let remaining = counts.transitions - plans.transitions;
  for (let j = 0; j < counts.openCases; j++) {
    const i = counts.closedCases + j;
    const left = counts.openCases - j;
    const versions = pools.get(processes[rng.weighted(weights)]!)!;
    const version = versions.length > 1 && rng.chance(OPEN_ON_OLDER_VERSION) ? rng.int(versions.length - 1) : versions.length - 1;
    let pool = versions[version]!.filter((t) => t.openPrefixes > 0);
    if (pool.length === 0) pool = openable;
    const want = remaining / left;
    let best = rng.pick(pool);
    let cut = 1 + rng.int(best.openPrefixes);
    for (let k = 0; k < 2; k++) {
      const other = rng.pick(pool);
      const otherCut = 1 + rng.int(other.openPrefixes);
      if (Math.abs(otherCut - want) < Math.abs(cut - want)) [best, cut] = [other, otherCut];
    }
    // The last cases make the total exact (each keeps at least its start, at most its template's open prefix).
    const low = Math.max(1, remaining - (left - 1) * maxPrefix);
    const high = Math.max(1, remaining - (left - 1));
    if (low > best.openPrefixes) best = openable.reduce((a, t) => (t.openPrefixes > a.openPrefixes ? t : a));
    cut = Math.min(Math.max(cut, low), high, best.openPrefixes);
    const last = best.steps[cut - 1]!;
    // Seen before its next deadline: a deadline that passed would have fired its timer.
    const slack = last.nextDue - last.at;
    const age = Math.min(rng.logUniform(10 * 60_000, 90 * DAY), Number.isFinite(slack) ? slack * rng.next() : Infinity);
    plans.template[i] = index.get(best)!;
    plans.steps[i] = cut;
    plans.shift[i] = now - age - last.at;
    remaining -= cut;
    plans.transitions += cut;
  }

  for (let i = 0; i < n; i++) {
    plans.customer[i] = customers.draw(rng);
    plans.opened[i] = templates[plans.template[i]!]!.steps[0]!.at + plans.shift[i]!;
    plans.order[i] = i;
  }
  plans.order.sort((a, b) => plans.opened[a]! - plans.opened[b]!);
  return plans;
}

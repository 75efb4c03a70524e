/**
 * Template text with holes: JSON made once per template (a context, a payload, a list of deadlines)
 * is cut at its placeholders (./payloads.ts) and its timestamps, so that each seeded case fills in
 * its own people, customer, case id and times by concatenation, without parsing JSON again.
 */
import { CASE_TOKEN, CUSTOMER_TOKEN } from './payloads';

type Hole = { user: string; slot: number } | { customer: true } | { caseId: true } | { at: number } | { day: number };
export type Pieces = ReadonlyArray<string | Hole>;

/** Who and when a case is: fills the holes of its templates. */
export interface Cast {
  user(role: string, slot: number): string;
  customerId: string;
  caseId: string;
  /** Added to every template time (ms). */
  shiftMs: number;
}

const HOLES = /zzU\.([a-z_]+)\.(\d+)|zzCUSTOMER|zzCASEID|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)|"(\d{4}-\d{2}-\d{2})"/g;
const DAY = 86_400_000;

/** Cuts `text` at its placeholders and times. */
export function cut(text: string): Pieces {
  const out: Array<string | Hole> = [];
  let last = 0;
  for (const m of text.matchAll(HOLES)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    if (m[1] !== undefined) out.push({ user: m[1], slot: Number(m[2]) });
    else if (m[0] === CUSTOMER_TOKEN) out.push({ customer: true });
    else if (m[0] === CASE_TOKEN) out.push({ caseId: true });
    else if (m[3] !== undefined) out.push({ at: Date.parse(m[3]) });
    else {
      out.push('"', { day: Date.parse(`${m[4]!}T00:00:00.000Z`) }, '"');
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out.length === 1 && typeof out[0] === 'string' ? [out[0]] : out;
}

/** The text of `pieces` for one case. */
export function fill(pieces: Pieces, cast: Cast): string {
  if (pieces.length === 1 && typeof pieces[0] === 'string') return pieces[0];
  let s = '';
  for (const p of pieces) {
    if (typeof p === 'string') s += p;
    else if ('user' in p) s += cast.user(p.user, p.slot);
    else if ('customer' in p) s += cast.customerId;
    else if ('caseId' in p) s += cast.caseId;
    else if ('at' in p) s += new Date(p.at + cast.shiftMs).toISOString();
    else s += new Date(p.day + Math.round(cast.shiftMs / DAY) * DAY).toISOString().slice(0, 10);
  }
  return s;
}

/** Whether the text names a placeholder user, the customer or the case (else it is the same for every case). */
export const isConstant = (pieces: Pieces): boolean => pieces.every((p) => typeof p === 'string');

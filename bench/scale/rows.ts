/**
 * The rows of one planned case, in COPY's text format: its transitions (with their hash chain, and
 * signatures for the sampled cases), its projection and its notifications, each with the time it
 * would have been written, so that the tables fill in time order as a running system fills them.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { CHAIN_ALGORITHM } from '../../audit/chain';
import { copyText, textArray } from './copy';
import { fill, type Cast } from './pieces';
import type { CasePlans } from './plan';
import { Rng } from './rng';

export const TRANSITION_COLUMNS = [
  'case_id',
  'seq',
  'process_id',
  'definition_version',
  'definition_hash',
  'event',
  'payload',
  'actor_user',
  'actor_role',
  'request_id',
  'from_state',
  'to_state',
  'status',
  'at',
  'recorded_at',
  'prev_hash',
  'hash',
  'key_id',
  'signature',
] as const;

export const CASE_COLUMNS = [
  'case_id',
  'process_id',
  'definition_version',
  'definition_hash',
  'customer_id',
  'state',
  'status',
  'context',
  'deadlines',
  'last_seq',
  'opened_at',
  'updated_at',
  'closed_at',
  'assignees',
  'candidate_roles',
  'candidate_users',
  'cc_users',
  'initiator',
  'actionable_roles',
  'next_due_at',
  'escalated',
] as const;

export const OUTBOX_COLUMNS = [
  'id',
  'case_id',
  'process_id',
  'kind',
  'recipients',
  'template',
  'subject',
  'data',
  'created_at',
  'status',
  'attempts',
  'sent_at',
  'next_attempt_at',
  'delivered_channels',
  'updated_at',
] as const;

export type Table = 'transitions' | 'cases' | 'outbox';

/** A row and when it was written. */
export interface TimedRow {
  at: number;
  table: Table;
  line: string;
}

/** The people of the organisation a case's placeholders are filled from. */
export interface Staff {
  byRole: Map<string, string[]>;
  /** Each customer's owning rep (the `sales_rep` of its cases, mostly). */
  ownerOf(customer: number): string | null;
  customerId(customer: number): string;
}

export interface Signing {
  keyId: string;
  privateKey: KeyObject;
  /** Every case whose plan index is a multiple of this is signed (0: none). */
  every: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The canonical JSON `audit/chain.ts` hashes, built as text: its keys in sorted order, the payload
 * already canonical (templates keep it so). The integration test verifies seeded chains with `verifyChain`.
 */
function chainText(prev: string, r: RowFields): string {
  return (
    `{"algorithm":${JSON.stringify(CHAIN_ALGORITHM)},"prev":${JSON.stringify(prev)},"row":{` +
    `"actor":{"role":${JSON.stringify(r.role)},"userId":${JSON.stringify(r.user)}},"at":"${iso(r.at)}",` +
    `"caseId":${JSON.stringify(r.caseId)},"definitionHash":${JSON.stringify(r.hash)},"definitionVersion":${r.version},` +
    `"event":${JSON.stringify(r.event)},"fromState":${r.from === null ? 'null' : JSON.stringify(r.from)},"payload":${r.payload},` +
    `"processId":${JSON.stringify(r.processId)},"requestId":${r.requestId === null ? 'null' : JSON.stringify(r.requestId)},` +
    `"seq":${r.seq},"status":${JSON.stringify(r.status)},"toState":${JSON.stringify(r.to)}}}`
  );
}

interface RowFields {
  caseId: string;
  seq: number;
  processId: string;
  version: number;
  hash: string;
  event: string;
  payload: string;
  user: string;
  role: string;
  requestId: string | null;
  from: string | null;
  to: string;
  status: string;
  at: number;
}

const cell = copyText;
const jsonCell = (json: string) => copyText(json);
const arrayCell = (items: string[]) => copyText(textArray(items));

/** The rows of case `i` of `plans` (its index in the plan, not in the order of opening). */
export function caseRows(plans: CasePlans, i: number, staff: Staff, seed: number, signing?: Signing): { caseId: string; rows: TimedRow[] } {
  const template = plans.templates[plans.template[i]!]!;
  const steps = plans.steps[i]!;
  const shift = plans.shift[i]!;
  const customer = plans.customer[i]!;
  const rng = new Rng(Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  const caseId = `${template.processId}-${rng.uuid()}`;
  const chosen = new Map<string, string>();
  const owner = staff.ownerOf(customer);
  const cast: Cast = {
    caseId,
    customerId: staff.customerId(customer),
    shiftMs: shift,
    user(role, slot) {
      const key = `${role}.${slot}`;
      let id = chosen.get(key);
      if (id === undefined) {
        const people = staff.byRole.get(role);
        id = role === 'sales_rep' && slot === 0 && owner !== null ? owner : people && people.length > 0 ? rng.pick(people) : `${role}-0001`;
        chosen.set(key, id);
      }
      return id;
    },
  };
  const signed = signing !== undefined && signing.every > 0 && i % signing.every === 0;
  const rows: TimedRow[] = [];
  let prev = template.hash;
  for (let seq = 0; seq < steps; seq++) {
    const s = template.steps[seq]!;
    const at = s.at + shift;
    const fields: RowFields = {
      caseId,
      seq,
      processId: template.processId,
      version: template.version,
      hash: template.hash,
      event: s.event,
      payload: fill(s.payload, cast),
      user: fill(s.actorUser, cast),
      role: s.actorRole,
      requestId: s.human && rng.chance(0.9) ? rng.uuid() : null,
      from: s.fromState,
      to: s.toState,
      status: s.status,
      at,
    };
    const hash = createHash('sha256').update(chainText(prev, fields)).digest('hex');
    const signature = signed ? sign(null, Buffer.from(`docket-row-v1:${hash}`), signing.privateKey).toString('base64') : null;
    rows.push({
      at,
      table: 'transitions',
      line: [
        cell(caseId),
        String(seq),
        template.processId,
        String(template.version),
        template.hash,
        cell(s.event),
        jsonCell(fields.payload),
        cell(fields.user),
        cell(s.actorRole),
        cell(fields.requestId),
        cell(s.fromState),
        cell(s.toState),
        s.status,
        iso(at),
        iso(at + 20 + rng.int(200)),
        prev,
        hash,
        signed ? signing.keyId : '\\N',
        cell(signature),
      ].join('\t'),
    });
    prev = hash;
    s.notifications.forEach((n, k) =>
      rows.push({
        at,
        table: 'outbox',
        line: [
          cell(`${caseId}:${seq}:${k}`),
          cell(caseId),
          template.processId,
          cell(n.kind),
          jsonCell(fill(n.recipients, cast)),
          cell(n.template),
          jsonCell(n.subject),
          jsonCell(fill(n.data, cast)),
          iso(at),
          'sent',
          '1',
          iso(at + 1500),
          iso(at),
          '{in_app,mail}',
          iso(at + 1500),
        ].join('\t'),
      }),
    );
  }
  const last = template.steps[steps - 1]!;
  const first = template.steps[0]!;
  const updatedAt = last.at + shift;
  rows.push({
    at: updatedAt + 0.5,
    table: 'cases',
    line: [
      cell(caseId),
      template.processId,
      String(template.version),
      template.hash,
      cell(cast.customerId),
      cell(last.toState),
      last.status,
      jsonCell(fill(last.context, cast)),
      jsonCell(fill(last.deadlines, cast)),
      String(steps - 1),
      iso(first.at + shift),
      iso(updatedAt),
      last.status === 'completed' ? iso(updatedAt) : '\\N',
      arrayCell(last.assignees.map((p) => fill(p, cast))),
      arrayCell(last.candidateRoles),
      arrayCell(last.candidateUsers.map((p) => fill(p, cast))),
      arrayCell(last.ccUsers.map((p) => fill(p, cast))),
      last.initiator === null ? '\\N' : cell(fill(last.initiator, cast)),
      arrayCell(last.actionableRoles),
      last.nextDue === Infinity ? '\\N' : iso(last.nextDue + shift),
      last.escalated ? 't' : 'f',
    ].join('\t'),
  });
  return { caseId, rows };
}

/** A min-heap of rows by time: rows of cases opened earlier wait here until every earlier row is out. */
export class RowHeap {
  private readonly items: TimedRow[] = [];

  get size(): number {
    return this.items.length;
  }

  push(row: TimedRow): void {
    const a = this.items;
    a.push(row);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent]!.at <= row.at) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = row;
  }

  /** The earliest row's time (Infinity when empty). */
  peek(): number {
    return this.items[0]?.at ?? Infinity;
  }

  pop(): TimedRow | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mAt = last.at;
        if (l < a.length && a[l]!.at < mAt) {
          m = l;
          mAt = a[l]!.at;
        }
        if (r < a.length && a[r]!.at < mAt) m = r;
        if (m === i) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

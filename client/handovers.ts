/**
 * A handover (交接): a leaving sales rep's customers — all of them, or those named — go to another rep,
 * with their open tasks and their follow-up plans. The record (who asked, when, from whom to whom,
 * which customers) and the new owners are written in one transaction; then each customer's cases are
 * told: every open task the leaving rep is assigned is reassigned to the new rep through the engine's
 * `task.reassign` (a row of the case's log naming the handover), and the follow-up plan follows the
 * record's new owner (OWNER_CHANGED, naming the handover). A handover is safe to repeat: what has moved
 * is not moved again, an Idempotency-Key answers with the handover it recorded, and a handover whose
 * cases were not all told (the API died, Temporal was away) is finished by the next one between the
 * same reps, or by the API's start.
 */
import type { Pool } from 'pg';
import type { Customer } from '../adapters/postgres/customer-store';
import type { Handover, HandoverItem, PostgresHandoverStore } from '../adapters/postgres/handover-store';
import { handoverRequestKey } from '../adapters/postgres/handover-store';
import type { User } from '../adapters/postgres/user-store';
import { withDefaults } from '../engine/definition-defaults';
import { SYSTEM_ACTOR, type Actor } from '../engine/types';
import { DocketError, type DocketClient } from './docket-client';
import { FOLLOW_UP_PROCESS, type FollowUps } from './follow-ups';

/** The role a rep taking customers over must hold. */
export const SALES_REP = 'sales_rep';

export interface HandoverRequest {
  from: string;
  to: string;
  /** The customers to hand over; all of `from`'s when absent. */
  customers?: string[];
  reason?: string;
  actor: Actor;
  /** The request's Idempotency-Key: the same key again answers with the handover it recorded. */
  idempotencyKey?: string;
}

/** A case told of the handover: a task reassigned, or the follow-up plan's owner changed; `as` is who the log row names. */
export interface MovedCase {
  caseId: string;
  processId: string;
  how: 'task.reassign' | 'OWNER_CHANGED';
  /** The task's state (task.reassign). */
  task?: string;
  as: Actor;
}

/** A case of the customer that names the leaving rep but did not move, and why. */
export interface UnmovedCase {
  caseId: string;
  processId: string;
  reason: string;
  /** True when it failed for a reason that may pass (Temporal away): the next handover between the two reps tries again. */
  retry: boolean;
}

/** What a handover did for one customer. */
export interface CustomerHandover {
  customerId: string;
  /** `moved`: this handover made `to` the owner; `already`: `to` owned it before (a handover repeated, or finished now). */
  owner: 'moved' | 'already';
  previousOwner: string | null;
  /** The handover that moved the customer (null for a customer named that `to` owned without one). */
  handoverId: string | null;
  moved: MovedCase[];
  notMoved: UnmovedCase[];
  /** Whether every case of the customer has been told (false: the next handover between the two reps tries again). */
  done: boolean;
}

export interface HandoverReport {
  /** The handover recorded now (or, for a repeated Idempotency-Key, then); null when `from` owned none of the customers. */
  handover: Handover | null;
  replayed: boolean;
  customers: CustomerHandover[];
}

/** Why a handover is refused before anything changes; `code` is the API's. */
export class HandoverRefused extends Error {
  constructor(
    readonly code: 'UnknownUser' | 'ValidationError' | 'NotFound',
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

interface CaseRow {
  case_id: string;
  process_id: string;
  context: Record<string, unknown>;
  assignees: string[];
}

export class Handovers {
  constructor(
    private readonly deps: {
      docket: DocketClient;
      followUps: FollowUps;
      store: PostgresHandoverStore;
      users: { getUser(userId: string): Promise<User | null> };
      customers: { get(customerId: string): Promise<Customer | undefined> };
      pool: Pool;
    },
  ) {}

  /** Checks a request; throws HandoverRefused naming every problem, before anything changes. Returns the new rep. */
  async check(req: HandoverRequest): Promise<User> {
    if (req.from === req.to)
      throw new HandoverRefused('ValidationError', `from and to are both "${req.from}": hand the customers to another rep`, [
        { path: 'body.to', message: 'the same user as from' },
      ]);
    const [from, to] = await Promise.all([this.deps.users.getUser(req.from), this.deps.users.getUser(req.to)]);
    const issues: Array<{ path: string; message: string }> = [];
    if (!from) issues.push({ path: 'body.from', message: `no user "${req.from}"` });
    if (!to) issues.push({ path: 'body.to', message: `no user "${req.to}"` });
    else if (to.status !== 'active') issues.push({ path: 'body.to', message: `user "${req.to}" is disabled` });
    else if (!to.roles.includes(SALES_REP)) issues.push({ path: 'body.to', message: `user "${req.to}" does not hold ${SALES_REP}` });
    if (issues.length > 0)
      throw new HandoverRefused(
        'UnknownUser',
        `${issues.map((i) => `${i.path.slice(5)}: ${i.message}`).join('; ')}; hand customers from an existing user to an active user holding ${SALES_REP}`,
        issues,
      );
    const problems: Array<{ path: string; message: string }> = [];
    for (const [i, id] of (req.customers ?? []).entries()) {
      const customer = await this.deps.customers.get(id);
      if (!customer) problems.push({ path: `body.customers.${i}`, message: `no customer record "${id}"` });
      else if (customer.owner !== req.from && customer.owner !== req.to)
        problems.push({ path: `body.customers.${i}`, message: `${id} is owned by ${customer.owner ?? 'no one'}, not by ${req.from}` });
    }
    if (problems.length > 0)
      throw new HandoverRefused(
        'ValidationError',
        `${problems.map((p) => p.message).join('; ')}: name customers ${req.from} owns (or ${req.to} owns after an earlier handover)`,
        problems,
      );
    return to!;
  }

  /** Hands the customers over and tells their cases; see the module's comment. */
  async handOver(req: HandoverRequest): Promise<HandoverReport> {
    const key = req.idempotencyKey === undefined ? null : handoverRequestKey(req.actor.userId, req.idempotencyKey);
    if (key !== null) {
      const earlier = await this.deps.store.findByRequestKey(key);
      if (earlier) return this.replay(earlier.handover, earlier.items, req.actor);
    }
    const to = await this.check(req);
    const recorded = await this.deps.store.record({
      from: req.from,
      to: req.to,
      requested: req.customers ? [...new Set(req.customers)] : null,
      reason: req.reason ?? null,
      by: { userId: req.actor.userId, role: req.actor.role },
      requestKey: key,
    });
    if (recorded?.replayed) return this.replay(recorded.handover, recorded.items, req.actor);
    const out: CustomerHandover[] = [];
    for (const item of recorded?.items ?? []) out.push(await this.finishItem(item, req.from, req.to, to, req.actor, 'moved'));
    // What earlier handovers between the two reps left to tell, and customers named that the new rep owns already.
    const done = new Set(out.map((c) => c.customerId));
    for (const item of await this.deps.store.pending({ from: req.from, to: req.to })) {
      if (done.has(item.customerId) || (req.customers && !req.customers.includes(item.customerId))) continue;
      done.add(item.customerId);
      out.push(await this.finishItem(item, req.from, req.to, to, req.actor, 'already'));
    }
    for (const id of new Set(req.customers ?? [])) {
      if (done.has(id)) continue;
      const moved = await this.moveCases(id, req.from, req.to, to, null, req.actor);
      out.push({ customerId: id, owner: 'already', previousOwner: req.to, handoverId: null, ...moved });
    }
    return { handover: recorded?.handover ?? null, replayed: false, customers: out };
  }

  /** The report of a handover asked for again: its items, the pending ones finished now. */
  private async replay(handover: Handover, items: HandoverItem[], actor: Actor): Promise<HandoverReport> {
    const to = await this.deps.users.getUser(handover.to);
    const customers: CustomerHandover[] = [];
    for (const item of items) {
      if (item.status === 'pending' && to) customers.push(await this.finishItem(item, handover.from, handover.to, to, actor, 'moved'));
      else customers.push(fromItem(item, 'moved'));
    }
    return { handover, replayed: true, customers };
  }

  private async finishItem(
    item: HandoverItem,
    from: string,
    toId: string,
    to: User,
    actor: Actor,
    owner: CustomerHandover['owner'],
  ): Promise<CustomerHandover> {
    const moved = await this.moveCases(item.customerId, from, toId, to, item.handoverId, actor);
    const result: CustomerHandover = {
      customerId: item.customerId,
      owner,
      previousOwner: item.previousOwner,
      handoverId: item.handoverId,
      ...moved,
    };
    if (moved.done) await this.deps.store.finish(item.handoverId, item.customerId, [...moved.moved, ...moved.notMoved]);
    return result;
  }

  /**
   * Tells a customer's cases that `to` took the customer over from `from`: the plan follows the record,
   * every task assigned to `from` is reassigned (as the actor where the definition makes their role a
   * task manager, else as Docket itself on their decision; the comment names the handover).
   */
  private async moveCases(
    customerId: string,
    from: string,
    toId: string,
    to: User,
    handoverId: string | null,
    actor: Actor,
  ): Promise<{ moved: MovedCase[]; notMoved: UnmovedCase[]; done: boolean }> {
    const moved: MovedCase[] = [];
    const notMoved: UnmovedCase[] = [];
    const failed = (caseId: string, processId: string, err: unknown) => {
      const permanent = err instanceof DocketError && err.refusal;
      notMoved.push({ caseId, processId, reason: err instanceof Error ? err.message : String(err), retry: !permanent });
    };
    try {
      const plan = await this.deps.followUps.sync(customerId, handoverId === null ? {} : { handoverId: Number(handoverId) });
      if (plan.caseId && plan.sent.includes('OWNER_CHANGED'))
        moved.push({ caseId: plan.caseId, processId: FOLLOW_UP_PROCESS, how: 'OWNER_CHANGED', as: SYSTEM_ACTOR });
    } catch (err) {
      const plan = await this.deps.followUps.openPlan(customerId).catch(() => undefined);
      failed(plan?.caseId ?? `${FOLLOW_UP_PROCESS}-${customerId}`, FOLLOW_UP_PROCESS, err);
    }
    const { rows } = await this.deps.pool.query<CaseRow>(
      `SELECT case_id, process_id, context, assignees FROM docket.cases
        WHERE customer_id = $1 AND status = 'open' AND process_id <> $2 ORDER BY opened_at, case_id`,
      [customerId, FOLLOW_UP_PROCESS],
    );
    const comment = `Handover${handoverId === null ? '' : ` #${handoverId}`}: customer ${customerId} from ${from} to ${toId}`;
    for (const row of rows) {
      try {
        if (!row.assignees.includes(from)) {
          const definition = withDefaults(await this.deps.docket.caseDefinition(row.case_id));
          const field = definition.assigneeField;
          if (field !== undefined && row.context[field] === from && definition.humanTasks === undefined)
            notMoved.push({
              caseId: row.case_id,
              processId: row.process_id,
              reason: `names ${from} as its ${field}, and its definition has no task to reassign`,
              retry: false,
            });
          continue;
        }
        const definition = withDefaults(await this.deps.docket.caseDefinition(row.case_id));
        const status = await this.deps.docket.status(row.case_id);
        const as = (definition.taskManagers ?? []).includes(actor.role) ? actor : SYSTEM_ACTOR;
        for (const task of status.work?.tasks ?? []) {
          if (task.assignee !== from) {
            const step = task.approval?.steps[task.approval.current];
            if (step?.members.some((m) => 'user' in m && m.user === from))
              notMoved.push({
                caseId: row.case_id,
                processId: row.process_id,
                reason: `${from} approves in the current step of "${task.state}": an approval step is not reassigned (add an approver or return it)`,
                retry: false,
              });
            continue;
          }
          const { roles, users } = task.candidates;
          if (roles.length + users.length > 0 && !roles.some((r) => to.roles.includes(r)) && !users.includes(toId)) {
            notMoved.push({
              caseId: row.case_id,
              processId: row.process_id,
              reason: `the task "${task.state}" is for ${roles.join(', ') || users.join(', ')}, which ${toId} is not`,
              retry: false,
            });
            continue;
          }
          await this.deps.docket.send(row.case_id, {
            type: 'task.reassign',
            data: { to: toId, state: task.state, comment },
            actor: as,
            // The handover's own retries count once; without a handover the assignee check alone keeps it from moving twice.
            ...(handoverId !== null && { requestId: `handover-${handoverId}-${task.state}` }),
          });
          moved.push({ caseId: row.case_id, processId: row.process_id, how: 'task.reassign', task: task.state, as });
        }
      } catch (err) {
        failed(row.case_id, row.process_id, err);
      }
    }
    return { moved, notMoved, done: !notMoved.some((n) => n.retry) };
  }

  /** Finishes every handover whose cases were not all told (at the API's start). */
  async finishPending(): Promise<CustomerHandover[]> {
    const out: CustomerHandover[] = [];
    for (const item of await this.deps.store.pending()) {
      const to = await this.deps.users.getUser(item.to);
      if (!to) continue;
      out.push(await this.finishItem(item, item.from, item.to, to, item.by, 'moved'));
    }
    return out;
  }
}

function fromItem(item: HandoverItem, owner: CustomerHandover['owner']): CustomerHandover {
  const entries = item.moved as Array<MovedCase | UnmovedCase>;
  return {
    customerId: item.customerId,
    owner,
    previousOwner: item.previousOwner,
    handoverId: item.handoverId,
    moved: entries.filter((e): e is MovedCase => 'how' in e),
    notMoved: entries.filter((e): e is UnmovedCase => 'reason' in e),
    done: item.status === 'done',
  };
}

/**
 * Customers' follow-up plans (process `follow_up`): one case per customer with an intention grade,
 * kept in step with the customer's record. The record is the truth — its grade, its owner, its contact
 * log — and `sync` tells the plan whatever it has not been told: it starts the plan of a graded
 * customer, re-plans on a new grade, follows a new owner, counts each contact logged since the plan's
 * last, and ends the plan of a customer whose grade was removed. Every message is guarded in the
 * definition (a contact counts once, by its id; a grade or owner the plan has already is refused), so
 * telling twice changes nothing. The API syncs a customer after each change it commits, and every
 * customer that needs it at its start (`syncAll`): a change committed while the API died before the
 * plan heard of it is caught up then, or at the customer's next change.
 */
import type { Pool } from 'pg';
import type { Contact, Customer, PostgresCustomerStore } from '../adapters/postgres/customer-store';
import { SYSTEM_ACTOR } from '../engine/types';
import { DocketError, type DocketClient } from './docket-client';

export const FOLLOW_UP_PROCESS = 'follow_up';

/** Contacts told to a plan at one sync, at most (the next sync tells the rest). */
const CONTACTS_PER_SYNC = 200;

/** An open plan, as the case projection holds it. */
export interface OpenPlan {
  caseId: string;
  state: string;
  context: Record<string, unknown>;
}

/** What one sync told a customer's plan: `started`, then the events sent, each with the state the plan was left in. */
export interface PlanSync {
  customerId: string;
  /** The plan's case (null: the customer has none, and needs none). */
  caseId: string | null;
  state: string | null;
  sent: string[];
}

/** The outcome of syncing every customer that needed it. */
export interface SyncAllResult {
  checked: number;
  synced: PlanSync[];
  failed: Array<{ customerId: string; code: string; message: string }>;
}

/** Refusals that mean the plan knows already (or has just ended): nothing is lost by them. */
const ALREADY = new Set(['ConditionNotMet', 'CaseClosed']);

const numberOr = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

export class FollowUps {
  /**
   * How long a request that changed a record waits for the plan to be told (no worker polling, say):
   * after that it answers that the plan catches up, and the telling goes on without it.
   */
  answerWithinMs = 10_000;

  constructor(
    private readonly deps: {
      docket: DocketClient;
      customers: Pick<PostgresCustomerStore, 'get' | 'gradeHistory' | 'contactsAfter' | 'lastContactIdAt'>;
      /** The API's pool: the plans are read from the case projection. */
      pool: Pool;
    },
  ) {}

  /** Whether the process is published (a store without it — a test's own definitions — has no plans). */
  async enabled(): Promise<boolean> {
    return (await this.deps.docket.definitions.latest(FOLLOW_UP_PROCESS)) !== undefined;
  }

  /** The customer's open plan, if any. */
  async openPlan(customerId: string): Promise<OpenPlan | undefined> {
    const { rows } = await this.deps.pool.query<{ case_id: string; state: string; context: Record<string, unknown> }>(
      `SELECT case_id, state, context FROM docket.cases WHERE process_id = $1 AND customer_id = $2 AND status = 'open'
        ORDER BY opened_at DESC LIMIT 1`,
      [FOLLOW_UP_PROCESS, customerId],
    );
    const row = rows[0];
    return row && { caseId: row.case_id, state: row.state, context: row.context };
  }

  /**
   * Tells the customer's plan what its record says and the plan does not know yet (see the module's
   * comment); `handoverId` names the handover that changed the owner, for the plan's log.
   */
  async sync(customerId: string, options: { handoverId?: number } = {}): Promise<PlanSync> {
    const result: PlanSync = { customerId, caseId: null, state: null, sent: [] };
    const customer = await this.deps.customers.get(customerId);
    if (!customer || !(await this.enabled())) return result;
    let plan = await this.openPlan(customerId);
    const send = async (type: string, data: Record<string, unknown>, requestId?: string) => {
      try {
        const r = await this.deps.docket.send(plan!.caseId, { type, data, actor: SYSTEM_ACTOR, ...(requestId && { requestId }) });
        result.sent.push(type);
        result.state = r.state;
      } catch (err) {
        if (!(err instanceof DocketError && ALREADY.has(err.code))) throw err;
      }
    };
    if (customer.intentionGrade === null) {
      if (plan) {
        result.caseId = plan.caseId;
        result.state = plan.state;
        await send('PLAN_ENDED', { reason: 'grade_removed' });
      }
      return result;
    }
    if (!plan) {
      plan = await this.start(customer);
      result.sent.push('started');
    } else {
      const [change] = (await this.deps.customers.gradeHistory(customerId)).filter((c) => c.grade === 'intention');
      if (plan.context.grade !== customer.intentionGrade)
        await send(
          'GRADE_CHANGED',
          { grade: customer.intentionGrade, ...(change && { changeId: Number(change.id) }) },
          change && `grade-change-${change.id}`,
        );
      if ((plan.context.owner ?? null) !== customer.owner)
        await send('OWNER_CHANGED', { owner: customer.owner, ...(options.handoverId !== undefined && { handoverId: options.handoverId }) });
    }
    result.caseId = plan.caseId;
    result.state ??= plan.state;
    const contacts = await this.deps.customers.contactsAfter(customerId, numberOr(plan.context.lastContactId, 0), CONTACTS_PER_SYNC);
    for (const contact of contacts) await send('CONTACT_LOGGED', contactData(contact), `contact-${contact.id}`);
    return result;
  }

  /** Starts the plan of a graded customer: it counts the contacts logged after the grade was given. */
  private async start(customer: Customer): Promise<OpenPlan> {
    const [change] = (await this.deps.customers.gradeHistory(customer.customerId)).filter((c) => c.grade === 'intention');
    const lastContactId = change ? await this.deps.customers.lastContactIdAt(customer.customerId, change.at) : 0;
    const input = {
      customer: customer.customerId,
      grade: customer.intentionGrade,
      ...(customer.owner !== null && { owner: customer.owner }),
      lastContactId,
    };
    // The plan's id comes from its customer (an id, never personal data) and the plans it had before.
    for (let attempt = 0; ; attempt++) {
      const caseId = `${FOLLOW_UP_PROCESS}-${customer.customerId}-${(await this.planCount(customer.customerId)) + 1 + attempt}`;
      try {
        const started = await this.deps.docket.startCase(FOLLOW_UP_PROCESS, input, SYSTEM_ACTOR, { caseId });
        const status = await this.deps.docket.status(started.caseId);
        return { caseId: started.caseId, state: status.state, context: status.context };
      } catch (err) {
        // A plan of that number has finished (its row was not counted yet): take the next number.
        if (!(err instanceof DocketError && err.code === 'CaseClosed') || attempt >= 3) throw err;
      }
    }
  }

  private async planCount(customerId: string): Promise<number> {
    const { rows } = await this.deps.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM docket.cases WHERE process_id = $1 AND customer_id = $2',
      [FOLLOW_UP_PROCESS, customerId],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Syncs every customer whose plan is behind its record: a graded customer without an open plan, an
   * open plan of a customer without a grade, or with another grade or owner, or a contact it has not counted.
   */
  async syncAll(limit = 10_000): Promise<SyncAllResult> {
    const out: SyncAllResult = { checked: 0, synced: [], failed: [] };
    if (!(await this.enabled())) return out;
    const { rows } = await this.deps.pool.query<{ customer_id: string }>(
      `WITH plans AS (
         SELECT DISTINCT ON (customer_id) customer_id, context FROM docket.cases
          WHERE process_id = $1 AND status = 'open' ORDER BY customer_id, opened_at DESC)
       SELECT c.customer_id FROM docket.customers c LEFT JOIN plans p USING (customer_id)
        WHERE (c.intention_grade IS NOT NULL AND p.customer_id IS NULL)
           OR (p.customer_id IS NOT NULL AND (
                 c.intention_grade IS DISTINCT FROM p.context->>'grade'
              OR c.owner_id IS DISTINCT FROM p.context->>'owner'
              OR EXISTS (SELECT 1 FROM docket.customer_contacts k WHERE k.customer_id = c.customer_id
                          AND k.id > COALESCE((p.context->>'lastContactId')::bigint, 0))))
        ORDER BY c.customer_id LIMIT $2`,
      [FOLLOW_UP_PROCESS, limit],
    );
    for (const { customer_id: customerId } of rows) {
      out.checked++;
      try {
        out.synced.push(await this.sync(customerId));
      } catch (err) {
        out.failed.push({
          customerId,
          code: err instanceof DocketError ? err.code : 'Unavailable',
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return out;
  }
}

/** What a plan is told of a contact: its id, time, channel and who logged it — never its summary. */
function contactData(contact: Contact): Record<string, unknown> {
  return { contactId: Number(contact.id), at: contact.at, channel: contact.channel, by: contact.by.userId };
}

import { SYSTEM_ACTOR } from '../../../engine/types';
import { DAY, iso, type ModelDriver, type SampleContext } from '../../helpers/model-driver';

const manager = { userId: 'sam', role: 'sales_manager' };
const NEXT_GRADE: Record<string, string> = { A: 'B', B: 'C', C: 'A' };

const lastContact = (ctx: SampleContext): number => Number(ctx.context.lastContactId ?? 0);
/** When the plan counts from (now, for a context without one). */
const plannedFrom = (ctx: SampleContext): number => {
  const t = Date.parse(String(ctx.context.plannedFrom));
  return Number.isNaN(t) ? ctx.now : t;
};

/**
 * A customer's follow-up plan (PROCESSES.md §5), started by Docket when the customer is graded. Its
 * events come from Docket (contacts logged, a new grade or owner, the grade removed), but POSTPONE,
 * which the owner (ray or rita, as the plan stands) or a sales manager sends.
 */
export const driver: ModelDriver = {
  start: () => [
    {
      label: 'A customer of ray',
      actor: SYSTEM_ACTOR,
      input: { customer: 'CUST-5001', owner: 'ray', grade: 'A', lastContactId: 3 },
    },
  ],
  events: {
    CONTACT_LOGGED: (ctx) => [
      {
        label: 'a call now',
        actor: SYSTEM_ACTOR,
        data: { contactId: lastContact(ctx) + 1, at: iso(ctx.now), channel: 'phone', by: 'amy' },
      },
      {
        label: 'a call before the plan counts from',
        actor: SYSTEM_ACTOR,
        data: { contactId: lastContact(ctx) + 1, at: iso(plannedFrom(ctx) - DAY), channel: 'phone', by: 'ray' },
      },
    ],
    GRADE_CHANGED: (ctx) => [
      { label: 'next grade', actor: SYSTEM_ACTOR, data: { grade: NEXT_GRADE[String(ctx.context.grade)]!, changeId: 7 } },
    ],
    OWNER_CHANGED: (ctx) => [
      { label: 'handed over', actor: SYSTEM_ACTOR, data: { owner: ctx.context.owner === 'ray' ? 'rita' : 'ray', handoverId: 1 } },
    ],
    PLAN_ENDED: () => [{ label: 'grade removed', actor: SYSTEM_ACTOR, data: { reason: 'grade_removed' } }],
    POSTPONE: (ctx) => [
      {
        label: 'the owner postpones two days',
        actor: { userId: typeof ctx.context.owner === 'string' ? ctx.context.owner : 'ray', role: 'sales_rep' },
        data: { until: iso(ctx.now + 2 * DAY), reason: 'The customer is travelling' },
      },
      { label: 'a manager postpones a day', actor: manager, data: { until: iso(ctx.now + DAY), reason: 'Trade fair this week' } },
    ],
  },
  // Contacts and re-plans count up without bound; what the guards decide on is the grade, the owner and whether it is overdue.
  stateKey: (context) => ({ grade: context.grade, owner: context.owner, overdue: context.overdue }),
};

import { businessDaysFrom, HOUR, iso, type ModelDriver, type SampleContext } from '../../helpers/model-driver';

const rep = { userId: 'dave', role: 'sales_rep' };
const salesManager = { userId: 'erin', role: 'sales_manager' };
const cs = { userId: 'amy', role: 'cs_agent' };

const plan = (ctx: SampleContext, objectives: string[]) => ({
  background: { industry: 'Furniture retail', company: 'Li & Sons, three showrooms in Hangzhou' },
  objectives,
  agenda: { time: businessDaysFrom(ctx, 10), place: 'Customer head office', attendees: ['dave', 'Mr Li'], form: 'meeting' },
  materials: ['Product catalogue 2026'],
  roles: [{ person: 'dave', role: 'presenter' }],
  anticipatedQuestions: ['Delivery times?'],
});

const record = {
  discussion: 'Showroom refit next spring.',
  keyFigures: [{ name: 'Budget', value: '300,000 CNY' }],
  keyPointFeedback: 'Price-sensitive; values installation quality.',
  businessCardCollected: true,
  nextSteps: 'Send a quotation.',
};

/** Client site visit (PROCESSES.md §4). */
export const driver: ModelDriver = {
  start: () => [
    {
      label: 'existing customer',
      actor: rep,
      input: { customer: 'CUST-2001', visitType: 'existing_customer', owner: 'dave', purpose: 'Present the new catalogue.' },
    },
    {
      label: 'installation for an important customer',
      actor: rep,
      input: { customer: 'CUST-2002', visitType: 'service_installation', owner: 'dave', purpose: 'Install the cabinets.', important: true },
    },
  ],
  events: {
    SUBMIT_PLAN: (ctx) => [
      { label: 'needs and trust', actor: rep, data: plan(ctx, ['needs', 'trust']) },
      { label: 'cooperation', actor: rep, data: plan(ctx, ['cooperation', 'information']) },
    ],
    APPROVE_PLAN: () => [{ label: 'approve', actor: salesManager, data: {} }],
    REVISE_PLAN: () => [{ label: 'add figures', actor: salesManager, data: { feedback: 'Bring last year’s order figures.' } }],
    // Ten business days ahead: the reconfirm reminder (5 business days before) and the call (1 hour before) are both ahead.
    // Two business days ahead: the reconfirm reminder is due at once (every appointment is reconfirmed).
    APPOINTMENT_CONFIRMED: (ctx) => [
      { label: 'in 10 business days', actor: rep, data: { scheduledAt: businessDaysFrom(ctx, 10), contactPhone: '138-0000-1111' } },
      { label: 'in 2 business days', actor: rep, data: { scheduledAt: businessDaysFrom(ctx, 2), contactPhone: '138-0000-1111' } },
    ],
    RECONFIRMED: () => [{ label: 'reconfirmed to the hour', actor: rep, data: { note: 'Mr Li confirmed 10:00 at the head office.' } }],
    RESCHEDULE: (ctx) => [
      { label: 'to 12 business days out', actor: rep, data: { scheduledAt: businessDaysFrom(ctx, 12), customerAgreed: true } },
    ],
    CANCEL: () => [{ label: 'customer cancelled', actor: salesManager, data: { reason: 'The customer postponed the project.' } }],
    ARRIVED: (ctx) => [{ label: 'on time', actor: rep, data: { at: iso(ctx.now) } }],
    RUNNING_LATE: (ctx) => [{ label: 'half an hour late', actor: rep, data: { eta: iso(ctx.now + HOUR / 2) } }],
    CUSTOMER_ABSENT: () => [{ label: 'nobody there', actor: rep, data: {} }],
    CUSTOMER_APPEARED: () => [{ label: 'customer arrived', actor: rep, data: {} }],
    NOTE_LEFT: () => [{ label: 'note at reception', actor: rep, data: { note: 'Came by at 10:00; please call to rebook.' } }],
    VISIT_DONE: () => [{ label: 'done', actor: rep, data: {} }],
    SUBMIT_RECORD: () => [
      { label: 'record', actor: rep, data: record },
      {
        label: 'record with satisfaction form',
        actor: rep,
        data: { ...record, satisfactionForm: { signed: true, salesService: 5, workmanship: 4, installation: 5 }, balanceCollected: 12000 },
      },
    ],
    FOLLOW_UP_DONE: () => [{ label: 'happy', actor: cs, data: { outcome: 'The customer is happy with the visit.' } }],
  },
};

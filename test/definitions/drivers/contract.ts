import { HOUR, iso, numberParam, type ModelDriver, type SampleContext } from '../../helpers/model-driver';

const rep = { userId: 'frank', role: 'sales_rep' };
const approvers = ['sales_manager', 'gm', 'hq', 'legal'].map((role) => ({ userId: `${role}-1`, role }));
const hq = { userId: 'hq-1', role: 'hq' };
const contractAdmin = { userId: 'carl', role: 'contract_admin' };
const scheduleAdmin = { userId: 'sam', role: 'schedule_admin' };
const DAY = 24 * HOUR;

const slots = [
  { position: 'Home page banner', start: '2026-04-01', end: '2026-06-30' },
  { position: 'Map sidebar', start: '2026-05-01', end: '2026-05-31' },
];

/** Terms a draft can hold, read from the parameters so they stay on the right side of each threshold. */
const terms = (ctx: SampleContext) => ({
  /** Standard, below every threshold: sales_manager alone approves. */
  small: { standard: true, amount: numberParam(ctx, 'gmThreshold') - 1, discountRate: 0.1, adSlots: slots, placementStart: '2026-04-01' },
  /** Non-standard and at the headquarters threshold: sales_manager, gm, hq and legal approve. */
  large: {
    standard: false,
    amount: Math.max(numberParam(ctx, 'hqThreshold'), 1_200_000),
    discountRate: numberParam(ctx, 'maxDiscountRate'),
    adSlots: slots,
    placementStart: '2026-04-01',
  },
  /** Breaks every policy rule the compliance check has that data can break at once. */
  offPolicy: {
    standard: true,
    amount: numberParam(ctx, 'minAmount') - 1,
    discountRate: Math.min(1, numberParam(ctx, 'maxDiscountRate') + 0.1),
    adSlots: [{ position: 'Home page banner', start: '2026-03-01', end: '2026-02-01' }],
    placementStart: '2026-04-01',
  },
});

/**
 * What the compliance check finds for a context, worked out here from PROCESSES.md §3 and the
 * parameters (not by the engine), so the runtime test checks the real task against it.
 */
function compliance(ctx: SampleContext): { passed: boolean; violations: Array<{ rule: string }> } {
  const c = ctx.context;
  const adSlots = Array.isArray(c.adSlots) ? (c.adSlots as Array<{ start: string; end: string }>) : [];
  const broken: string[] = [];
  if (!((c.discountRate as number) <= numberParam(ctx, 'maxDiscountRate'))) broken.push('discountWithinPolicy');
  if (!((c.amount as number) >= numberParam(ctx, 'minAmount'))) broken.push('amountAtLeastMinimum');
  if (adSlots.length === 0) broken.push('adSlotsGiven');
  if (adSlots.length > numberParam(ctx, 'maxAdSlots')) broken.push('adSlotsWithinLimit');
  if (adSlots.some((s) => s.start < String(c.placementStart))) broken.push('adSlotsFromPlacementStart');
  if (adSlots.some((s) => s.end < s.start)) broken.push('adSlotsEndAfterStart');
  return { passed: broken.length === 0, violations: broken.map((rule) => ({ rule })) };
}

/** Contract approval (PROCESSES.md §3). */
export const driver: ModelDriver = {
  start: (ctx) => {
    const t = terms(ctx);
    return [
      { label: 'large non-standard', actor: rep, input: { customer: 'CUST-3001', contractType: 'revenue', ...t.large } },
      { label: 'off policy', actor: rep, input: { customer: 'CUST-3002', contractType: 'website', ...t.offPolicy } },
    ];
  },
  events: {
    UPDATE_DRAFT: (ctx) => {
      const t = terms(ctx);
      return [
        { label: 'small standard', actor: rep, data: t.small },
        { label: 'large non-standard', actor: rep, data: t.large },
      ];
    },
    SUBMIT: () => [{ label: 'submit', actor: rep, data: {} }],
    WITHDRAW: () => [{ label: 'lost the deal', actor: rep, data: { reason: 'The customer signed with a competitor.' } }],
    // Every approval level; the definition lets only the one whose turn it is act.
    APPROVE: () => approvers.map((actor) => ({ label: `${actor.role} approves`, actor, data: { comment: `Approved by ${actor.role}.` } })),
    REJECT: () => approvers.map((actor) => ({ label: `${actor.role} rejects`, actor, data: { reason: 'The discount is too high.' } })),
    SIGNED: (ctx) => [
      {
        label: 'signed by both',
        actor: rep,
        data: {
          bothPartiesSigned: true,
          crossPageSeal: true,
          signedAt: iso(ctx.now).slice(0, 10),
          signatories: [
            { party: 'customer', name: 'Mr Wang', title: 'CEO' },
            { party: 'company', name: 'Ms Zhao', title: 'Branch GM' },
          ],
        },
      },
    ],
    SEALED: () => [{ label: 'sealed', actor: hq, data: {} }],
    ARCHIVED: () => [{ label: 'scanned', actor: contractAdmin, data: { scanRef: 'scan/2026/0042.pdf' } }],
    REQUEST_CHANGE: (ctx) => [
      {
        label: 'more slots from next month',
        actor: rep,
        data: { changes: { summary: 'Two more ad slots.', adSlots: slots }, effectiveDate: iso(ctx.now + 30 * DAY) },
      },
    ],
    COMPLETE: () => [{ label: 'term ended', actor: contractAdmin, data: {} }],
    REQUEST_EARLY_PLACEMENT: () => [
      { label: 'A3 signed', actor: rep, data: { a3SignedByCustomer: true, reason: 'The campaign starts before signing.' } },
    ],
    A3_RECEIVED: () => [{ label: 'A3 received', actor: scheduleAdmin, data: {} }],
    SIGN_OFF_EARLY_PLACEMENT: () => approvers.map((actor) => ({ label: `${actor.role} signs off`, actor, data: {} })),
    EARLY_PLACEMENT_APPROVED: () => [{ label: 'placement may start', actor: hq, data: {} }],
    FORMS_RETURNED: () => [
      { label: 'A1 A2 A3', actor: contractAdmin, data: { a1: 'forms/a1.pdf', a2: 'forms/a2.pdf', a3: 'forms/a3.pdf' } },
    ],
  },
  tasks: { complianceCheck: compliance },
};

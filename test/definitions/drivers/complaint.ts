import { businessDaysFrom, numberParam, type ModelDriver } from '../../helpers/model-driver';

const cs = { userId: 'amy', role: 'cs_agent' };
const handler = { userId: 'bob', role: 'handler' };
const manager = { userId: 'carol', role: 'service_manager' };

/** Complaint handling (PROCESSES.md §1). */
export const driver: ModelDriver = {
  start: () => [
    {
      label: 'high severity by phone',
      actor: cs,
      input: {
        customer: 'CUST-1001',
        contact: 'Ms Li, 138-0000-0000',
        channel: 'phone',
        content: 'The delivered cabinet has a cracked door.',
        category: 'product_quality',
        severity: 'high',
      },
    },
  ],
  events: {
    ACCEPT: (ctx) => [
      { label: 'no promise', actor: cs, data: { department: 'service', assignee: 'bob' } },
      // Two business days out: the promise reminder and the promise fall before the investigation deadlines.
      {
        label: 'response promised in 2 business days',
        actor: cs,
        data: { department: 'service', assignee: 'bob', promisedResponseBy: businessDaysFrom(ctx, 2) },
      },
    ],
    LOG_CONTACT: () => [
      { label: 'phone call', actor: handler, data: { channel: 'phone', summary: 'Called the customer about the door.' } },
    ],
    SUBMIT_FINDINGS: () => [
      { label: 'findings', actor: handler, data: { findings: 'The door cracked in transit.', customerExpectation: 'A new door.' } },
    ],
    PROPOSE_RESOLUTION: (ctx) => {
      const limit = numberParam(ctx, 'approvalLimit');
      return [
        { label: 'within the approval limit', actor: handler, data: { proposal: 'Replace the door.', compensationAmount: limit } },
        { label: 'above the approval limit', actor: handler, data: { proposal: 'Replace the cabinet.', compensationAmount: limit + 1 } },
      ];
    },
    APPROVE: () => [{ label: 'approve', actor: manager, data: {} }],
    REJECT: () => [{ label: 'too costly', actor: manager, data: { reason: 'Too costly; repair instead.' } }],
    CUSTOMER_ACCEPTED: () => [{ label: 'accepted', actor: cs, data: {} }],
    CUSTOMER_REJECTED: () => [{ label: 'wants more', actor: cs, data: { reason: 'Wants a full refund.' } }],
    RESOLUTION_EXECUTED: () => [{ label: 'door replaced', actor: handler, data: { summary: 'The door was replaced on site.' } }],
    CUSTOMER_SATISFIED: () => [{ label: 'score 5', actor: cs, data: { score: 5, comment: 'Quick and friendly.' } }],
    CUSTOMER_UNSATISFIED: () => [{ label: 'still cracked', actor: cs, data: { reason: 'The new door is scratched.' } }],
    // Only at the customer's own request, made before now (and, after a reopening, after the customer was found unsatisfied).
    WITHDRAW: (ctx) => [
      {
        label: 'customer withdrew',
        actor: cs,
        data: {
          reason: 'The customer fixed it themselves.',
          requestedByCustomer: true,
          requestedAt: new Date(ctx.now - 60_000).toISOString(),
          requestChannel: 'phone',
        },
      },
    ],
  },
};

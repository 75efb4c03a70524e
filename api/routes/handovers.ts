/**
 * Handing a leaving rep's customers over to another rep (client/handovers.ts): the route and its
 * schemas. The handovers also show in each customer's timeline (routes/customers.ts).
 */
import { z } from 'zod';
import { HandoverRefused } from '../../client/handovers';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute, type RouteContext } from '../route';
import { idempotencyKey } from './cases';
import { customerIdSchema, text, who } from './customers';

const handoverBody = z
  .object({
    from: z.string().min(1).max(200).describe('the leaving rep’s user id'),
    to: z.string().min(1).max(200).describe('the rep who takes the customers over: an active user holding sales_rep'),
    customers: z
      .array(customerIdSchema)
      .min(1)
      .max(1000)
      .optional()
      .describe('the customers to hand over (owned by from, or by to after an earlier handover); all of from’s when absent'),
    reason: text(2000).optional(),
  })
  .strict();
const handoverOut = z
  .object({
    handoverId: z.string(),
    from: z.string(),
    to: z.string(),
    customers: z.array(z.string()).describe('the customers it moved'),
    requested: z.array(z.string()).nullable().describe('the customers asked for; null: all of from’s'),
    reason: z.string().nullable(),
    by: who,
    at: z.string(),
  })
  .meta({ id: 'Handover' });
const movedCaseOut = z.object({
  caseId: z.string(),
  processId: z.string(),
  how: z.enum(['task.reassign', 'OWNER_CHANGED']),
  task: z.string().optional().describe('the task’s state'),
  as: who.describe('who the case’s log row names: the caller where the definition makes their role a task manager, else system'),
});
const unmovedCaseOut = z.object({
  caseId: z.string(),
  processId: z.string(),
  reason: z.string(),
  retry: z.boolean().describe('true: it may pass (Temporal away); the next handover between the two reps, or the API’s start, tries again'),
});
const customerHandoverOut = z
  .object({
    customerId: z.string(),
    owner: z.enum(['moved', 'already']).describe('moved: this handover made to the owner; already: to owned it before'),
    previousOwner: z.string().nullable(),
    handoverId: z.string().nullable(),
    moved: z.array(movedCaseOut),
    notMoved: z.array(unmovedCaseOut),
    done: z.boolean().describe('every case of the customer has been told'),
  })
  .meta({ id: 'CustomerHandover' });

export function handoverRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      url: '/customers/handover',
      summary: 'Hand customers over to another rep',
      tag: 'customers',
      access: ['sales_manager', 'admin'],
      idempotent: true,
      body: handoverBody,
      responses: {
        200: {
          description:
            'the handover recorded (null: from owned none of the customers) and, per customer, what moved: tasks reassigned, the follow-up plan; ' +
            'a repeated Idempotency-Key answers with the handover it recorded',
          schema: z.object({ handover: handoverOut.nullable(), replayed: z.boolean(), customers: z.array(customerHandoverOut) }),
        },
        422: {
          description:
            'an unknown user, a new rep who is disabled or no sales_rep, a customer unknown or owned by someone else: nothing changed',
        },
      },
      async handler(ctx) {
        const key = idempotencyKey(ctx as RouteContext<unknown, unknown, unknown>);
        const { from, to, customers, reason } = ctx.body;
        try {
          const report = await deps.handovers.handOver({
            from,
            to,
            ...(customers !== undefined && { customers }),
            ...(reason !== undefined && { reason }),
            actor: ctx.caller.actor,
            ...(key !== undefined && { idempotencyKey: key }),
          });
          return { status: 200, body: report };
        } catch (err) {
          if (err instanceof HandoverRefused) throw new ApiError(422, err.code, err.message, err.issues);
          throw err;
        }
      },
    }),
  ];
}

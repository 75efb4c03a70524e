import { SYSTEM_ACTOR } from '../../../engine/types';
import { waitUntil, type ModelDriver } from '../../helpers/model-driver';
import { CAUSES, deptOwner, lostDealInImprovement, measurePlan } from './lost_deal';

const department = (context: Record<string, unknown>): string => String(context.department);
const measure = (context: Record<string, unknown>): string => String(context.measure);

/**
 * One improvement measure (PROCESSES.md §2), run only as a sub-process of a lost deal and owned by
 * its department's owner: its cases are launched by a lost-deal case whose primary cause is the
 * product (→ rd, owner olivia), and its events go through that case, which routes them by measure.
 */
export const driver: ModelDriver = {
  start: () => [
    {
      label: 'product measure',
      actor: SYSTEM_ACTOR,
      input: {
        measure: 'product',
        department: 'rd',
        departments: ['rd'],
        owner: deptOwner.userId,
        customer: 'CUST-4001',
        opportunity: 'Showroom fit-out 2026',
        salesRep: 'grace',
        causes: [...CAUSES.product],
        recommendations: 'Bundle installation; review the discount policy.',
      },
    },
  ],
  async launch({ harness: h, env, calendar, sample }) {
    const parent = await lostDealInImprovement(h, () => env.currentTimeMs(), calendar, 'product');
    const key = String(sample.input.measure);
    const status = await waitUntil(
      () => h.docket.status(parent),
      (s) => s.children.some((c) => c.key === key),
      `the ${key} measure of ${parent} to start`,
    );
    return { caseId: status.children.find((c) => c.key === key)!.caseId, sendTo: parent };
  },
  events: {
    SUBMIT_PLAN: (ctx) => [{ label: 'plan', actor: deptOwner, data: measurePlan(ctx, measure(ctx.context), department(ctx.context)) }],
    REPORT_PROGRESS: (ctx) => [
      {
        label: 'half way',
        actor: deptOwner,
        data: { measure: measure(ctx.context), department: department(ctx.context), percent: 50, notes: 'Half the team trained.' },
      },
    ],
    MEASURE_COMPLETED: (ctx) => [
      {
        label: 'done',
        actor: deptOwner,
        data: { measure: measure(ctx.context), department: department(ctx.context), result: 'Quotes now within 5%.' },
      },
    ],
  },
};

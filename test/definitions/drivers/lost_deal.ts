import type { Actor, CalendarData } from '../../../engine/types';
import type { Harness } from '../../helpers/harness';
import { businessDaysFrom, DAY, iso, waitUntil, type ModelDriver, type SampleContext } from '../../helpers/model-driver';

const rep = { userId: 'grace', role: 'sales_rep' };
const salesManager = { userId: 'erin', role: 'sales_manager' };
const analyst = { userId: 'ivan', role: 'analyst' };
const management = { userId: 'mona', role: 'management' };
export const deptOwner: Actor = { userId: 'olivia', role: 'dept_owner' };

const cause = (dimension: string, weight: 'primary' | 'secondary', factor: string) => ({
  dimension,
  factor,
  detail: `${factor} (details)`,
  weight,
});

/** Cause sets an analysis can find, by label. */
export const CAUSES = {
  'price and competitor': [
    cause('price', 'primary', 'Quote 15% above the competitor'),
    cause('competitor', 'primary', 'Competitor bundled installation'),
    cause('service', 'secondary', 'Slow answers to questions'),
  ],
  product: [cause('product', 'primary', 'No cabinet in the size needed')],
} as const;

/**
 * The improvement measures a cause list calls for (measuresFor: primary, the default), by key, in the
 * order PROCESSES.md §2 names the dimensions: product (rd), price (one joint measure of sales and
 * finance), service, sales_team (sales), competitor (marketing), each once; worked out here, not by the engine.
 */
export function measureKeys(causes: unknown): string[] {
  const primary = new Set(
    (Array.isArray(causes) ? (causes as Array<{ dimension: string; weight: string }>) : [])
      .filter((c) => c.weight === 'primary')
      .map((c) => c.dimension),
  );
  return ['product', 'price', 'service', 'sales_team', 'competitor'].filter((d) => primary.has(d));
}

/** Management names each department's owner when it accepts the report. */
export const OWNERS = { rdOwner: 'olivia', salesOwner: 'olivia', financeOwner: 'fiona', serviceOwner: 'olivia', marketingOwner: 'olivia' };

/** The department a measure's owner (olivia) acts for: the one leading it. */
export const leadDepartment = (measure: string): string =>
  ({ product: 'rd', price: 'sales', service: 'service', sales_team: 'sales', competitor: 'marketing' })[measure]!;

/** A measure's plan, for the measure and department named: due in 15 business days (after the first progress reminder). */
export const measurePlan = (ctx: Pick<SampleContext, 'now' | 'calendar'>, measure: string, department = leadDepartment(measure)) => ({
  measure,
  department,
  steps: ['Review the price list', 'Train the team'],
  owner: 'olivia',
  dueDate: businessDaysFrom(ctx as SampleContext, 15),
  expectedEffect: 'Quotes within 5% of the market.',
});

const info = (ctx: SampleContext) => ({
  customerBasics: { name: 'Li & Sons', contactPerson: 'Mr Li', industry: 'Furniture retail', email: 'li@example.com' },
  salesProcess: {
    firstContact: { at: iso(ctx.now - 60 * DAY), method: 'exhibition', channel: 'Canton fair' },
    needs: 'Fit out three showrooms.',
    quote: { amount: 480000, currency: 'CNY' },
    competitor: { name: 'Rival Co', price: 410000 },
  },
  lossReasons: { stated: ['Price'], inferred: ['Installation bundled by the competitor'] },
  customerFeedback: 'Liked the design, found it too expensive.',
  sources: ['interview', 'records'],
});

const report = {
  customerOverview: 'Mid-size retailer, three showrooms.',
  processOverview: 'Six weeks from the fair to the decision.',
  causeAnalysis: 'Price and the competitor’s bundle decided it.',
  recommendations: 'Bundle installation; review the discount policy.',
  conclusion: 'Lost on price.',
};

/** Lost-deal analysis (PROCESSES.md §2). */
export const driver: ModelDriver = {
  start: (ctx) => [
    {
      label: 'ordinary customer',
      actor: rep,
      input: {
        customer: 'CUST-4001',
        opportunity: 'Showroom fit-out 2026',
        salesRep: 'grace',
        lostAt: iso(ctx.now),
        amount: 480000,
        important: false,
      },
    },
    {
      label: 'important customer',
      actor: rep,
      input: {
        customer: 'CUST-4002',
        opportunity: 'Hotel chain 2026',
        salesRep: 'grace',
        lostAt: iso(ctx.now),
        amount: 2600000,
        important: true,
      },
    },
  ],
  events: {
    SUBMIT_INFO: (ctx) => [{ label: 'information', actor: rep, data: info(ctx) }],
    SUBMIT_SUPPLEMENT: () => [{ label: 'decision makers', actor: rep, data: { notes: 'Added the board members who decided.' } }],
    FORM_GROUP: () => [
      {
        label: 'group',
        actor: salesManager,
        data: {
          lead: 'erin',
          members: [
            { userId: 'ivan', role: 'sales' },
            { userId: 'pat', role: 'marketing' },
          ],
        },
      },
    ],
    INFO_CONSOLIDATED: () => [{ label: 'consolidated', actor: analyst, data: { summary: 'All information checked.' } }],
    CAUSES_IDENTIFIED: () => Object.entries(CAUSES).map(([label, causes]) => ({ label, actor: analyst, data: { causes: [...causes] } })),
    SUBMIT_REPORT: () => [{ label: 'report', actor: analyst, data: report }],
    ACCEPT_REPORT: () => [{ label: 'accept', actor: management, data: OWNERS }],
    REQUEST_REVISION: () => [{ label: 'more on price', actor: management, data: { feedback: 'Compare with last year’s prices.' } }],
    SUBMIT_EVALUATION: () => [
      {
        label: 'better',
        actor: management,
        data: {
          before: { sales: 1000000, satisfaction: 70, marketShare: 12 },
          after: { sales: 1200000, satisfaction: 78, marketShare: 13 },
          conclusion: 'The measures worked.',
        },
      },
    ],
    LESSONS_SHARED: (ctx) => [
      { label: 'meeting', actor: salesManager, data: { format: 'meeting', audience: 'cross_department', date: iso(ctx.now).slice(0, 10) } },
    ],
  },
  subprocesses: {
    measures: {
      output: (ctx) => ({ items: measureKeys(ctx.context.causes).map((key) => ({ key, state: 'completed' })) }),
      /** Each measure's owner plans and completes it, through the lost-deal case (it routes by measure). */
      async complete({ harness: h, env, calendar, caseId, status }) {
        const wanted = measureKeys(status.context.causes);
        const live = await waitUntil(
          () => h.docket.status(caseId),
          (s) => s.children.filter((c) => c.invokeId === 'measures').length === wanted.length,
          `the ${wanted.length} improvement measures to start`,
        );
        expect(live.children.map((c) => c.key).sort()).toEqual([...wanted].sort());
        for (const measure of wanted) {
          const now = await env.currentTimeMs();
          const department = leadDepartment(measure);
          await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: measurePlan({ now, calendar }, measure), actor: deptOwner });
          await h.docket.send(caseId, {
            type: 'MEASURE_COMPLETED',
            data: { measure, department, result: 'Done as planned.' },
            actor: deptOwner,
          });
        }
      },
    },
  },
};

/** Drives a new lost-deal case to `improvement` with the causes named; returns its case id. */
export async function lostDealInImprovement(
  h: Harness,
  now: () => Promise<number>,
  calendar: CalendarData,
  causes: keyof typeof CAUSES,
): Promise<string> {
  const ctx = async (context: Record<string, unknown>): Promise<SampleContext> => ({
    now: await now(),
    state: '',
    context,
    params: {},
    calendar,
  });
  const [start] = driver.start(await ctx({}));
  const { caseId } = await h.docket.startCase('lost_deal', start!.input, start!.actor);
  const send = async (type: string, label?: string) => {
    const samples = driver.events[type]!(await ctx({}));
    const sample = label === undefined ? samples[0]! : samples.find((s) => s.label === label)!;
    await h.docket.send(caseId, { type, data: sample.data, actor: sample.actor });
  };
  for (const type of ['SUBMIT_INFO', 'FORM_GROUP', 'INFO_CONSOLIDATED']) await send(type);
  await send('CAUSES_IDENTIFIED', causes);
  await send('SUBMIT_REPORT');
  await send('ACCEPT_REPORT');
  return caseId;
}

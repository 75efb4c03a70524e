/**
 * Records replay histories of the visit, contract and lost-deal processes (the lost deal's
 * improvement measures too: they are cases of their own) on real Temporal servers, on the newest
 * version of each. Run with `npm run record-histories` after a change that is meant to change
 * behaviour. Histories of earlier versions (visit-rescheduled, lost_deal-measures,
 * contract-nonstandard-changed…) were recorded by earlier versions of this file and are kept as they are;
 * so are the contract's version-2 histories from before human steps stored their rows within the
 * workflow task (`contract-v2-nonstandard-changed` …; this file now writes them with `-in-task`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { freePort } from '../../infra/net';
import { startPostgres } from '../../infra/postgres';
import { startDevServer, startTimeSkippingEnv } from '../../infra/temporal-env';
import { PROJECT_ROOT } from '../../config';
import { bundleWorkflows } from '../../worker/bundle-options';
import { createHarness, type Harness } from '../helpers/harness';

const OUT = path.join(__dirname, 'histories');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const example = (name: string) =>
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', `${name}.json`), 'utf8')) as Record<string, unknown>;
const actor = (userId: string, role: string) => ({ userId, role });
const rep = actor('ray', 'sales_rep');
const manager = actor('mia', 'sales_manager');

async function save(h: Harness, name: string, caseId: string) {
  const history = await h.client.workflow.getHandle(caseId).fetchHistory();
  const file = path.join(OUT, `${name}.json`);
  writeFileSync(file, historyToJSON(history) + '\n');
  console.log(`wrote ${path.relative(PROJECT_ROOT, file)} (${history.events?.length} events)`);
}

async function until(h: Harness, caseId: string, done: (s: Awaited<ReturnType<Harness['docket']['status']>>) => boolean) {
  for (let i = 0; i < 300; i++) {
    const s = await h.docket.status(caseId);
    if (done(s) && s.storedSeq === s.seq) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} did not get there`);
}

type Step = [string, Record<string, unknown> | undefined, { userId: string; role: string }];
async function drive(h: Harness, caseId: string, steps: Step[]) {
  for (const [type, data, who] of steps) await h.docket.send(caseId, { type, ...(data && { data }), actor: who });
}

/** Version 2: an appointment made two days ahead is reconfirmed at once, to the hour, and the reconfirmation recorded. */
async function visitShortNotice(h: Harness, now: number) {
  const at = (days: number, hours = 0) => new Date(Math.ceil((now + days * DAY) / HOUR) * HOUR + hours * HOUR).toISOString();
  const { caseId } = await h.docket.startCase('visit', { ...example('visit'), important: false }, rep);
  const plan = {
    background: { industry: 'Home furnishing', company: 'Jiahe Furniture' },
    objectives: ['needs', 'trust'],
    agenda: { time: at(2), place: 'Customer office', attendees: ['ray', 'Mr Wang'], form: 'meeting' },
  };
  await drive(h, caseId, [
    ['SUBMIT_PLAN', plan, rep],
    ['APPOINTMENT_CONFIRMED', { scheduledAt: at(2), contactPhone: '138-0000-0001' }, rep],
  ]);
  // Less than 5 business days ahead: the reconfirmation reminder falls due at once.
  await until(h, caseId, (s) => s.state === 'confirmed' && !s.deadlines.some((d) => d.delay === 'reconfirmReminder'));
  await drive(h, caseId, [
    ['RECONFIRMED', { note: 'Mr Wang confirmed the hour' }, rep],
    ['ARRIVED', { at: at(2) }, rep],
    ['VISIT_DONE', undefined, rep],
    [
      'SUBMIT_RECORD',
      { discussion: 'Packages', keyPointFeedback: 'Decision in March', businessCardCollected: true, nextSteps: 'Quote' },
      rep,
    ],
    ['FOLLOW_UP_DONE', { outcome: 'Quote received' }, actor('amy', 'cs_agent')],
  ]);
  await save(h, 'visit-v2-short-notice', caseId);
}

const approvers = [manager, actor('gao', 'gm'), actor('hua', 'hq'), actor('lee', 'legal')];
const signed = {
  bothPartiesSigned: true,
  crossPageSeal: true,
  signedAt: '2027-03-20',
  signatories: [
    { party: 'customer', name: 'Wang Wei' },
    { party: 'company', name: 'Li Na' },
  ],
};

/**
 * Version 2: a non-standard contract's levels approve in sequence as an approval step, the gm adding
 * a user of legal's after them; the forms come back in the normal course before archiving; a change
 * of the amount goes through the chain of the new amount and then is the contract's amount.
 */
async function contractV2(h: Harness, now: number) {
  const { caseId } = await h.docket.startCase('contract', { ...example('contract'), amount: 1_200_000, standard: false }, rep);
  await drive(h, caseId, [['SUBMIT', undefined, rep]]);
  await until(h, caseId, (s) => s.state === 'approval');
  const [salesManager, gm, hq, legal] = approvers;
  await drive(h, caseId, [
    ['APPROVE', { comment: 'sales_manager agrees' }, salesManager!],
    ['task.addApprover', { approver: { user: 'lin' }, position: 'after', comment: 'Non-standard liability clause' }, gm!],
    ['APPROVE', { comment: 'gm agrees' }, gm!],
    ['APPROVE', { comment: 'The clause is acceptable' }, actor('lin', 'legal')],
    ['APPROVE', { comment: 'hq agrees' }, hq!],
    ['APPROVE', { comment: 'legal agrees' }, legal!],
    ['SIGNED', signed, rep],
    ['FORMS_RETURNED', { a1: 'A1-1001', a2: 'A2-1001', a3: 'A3-1001' }, actor('ada', 'contract_admin')],
    ['SEALED', undefined, hq!],
    ['ARCHIVED', { scanRef: 'scan://contracts/1001.pdf' }, actor('ada', 'contract_admin')],
    [
      'REQUEST_CHANGE',
      { changes: { summary: 'Fewer ad slots', amount: 300_000 }, effectiveDate: new Date(now + 60 * DAY).toISOString() },
      rep,
    ],
    // The chain of 300,000 CNY, non-standard: sales_manager, gm, legal.
    ['APPROVE', undefined, salesManager!],
    ['APPROVE', undefined, gm!],
    ['APPROVE', undefined, legal!],
    ['COMPLETE', undefined, actor('ada', 'contract_admin')],
  ]);
  await save(h, 'contract-v2-nonstandard-changed-in-task', caseId);
}

/** The terms of a contract that UPDATE_DRAFT sets. */
const terms = ({ standard, amount, discountRate, adSlots, placementStart }: Record<string, unknown>) => ({
  standard,
  amount,
  discountRate,
  adSlots,
  placementStart,
});

/** Version 2: returned to its draft by the sales manager, resubmitted, and withdrawn by the rep who started it. */
async function contractV2Withdrawn(h: Harness) {
  const { caseId } = await h.docket.startCase('contract', { ...example('contract'), amount: 50_000 }, rep);
  await drive(h, caseId, [['SUBMIT', undefined, rep]]);
  await until(h, caseId, (s) => s.state === 'approval');
  await drive(h, caseId, [
    ['task.return', { to: 'draft', comment: 'Fix the ad slots' }, manager],
    ['UPDATE_DRAFT', { ...terms(example('contract')), amount: 60_000 }, rep],
    ['SUBMIT', undefined, rep],
  ]);
  await until(h, caseId, (s) => s.state === 'approval' && s.seq > 4);
  await drive(h, caseId, [
    ['task.remind', { comment: 'The customer is waiting' }, rep],
    ['task.withdraw', { comment: 'The customer went elsewhere' }, rep],
  ]);
  await save(h, 'contract-v2-withdrawn-in-task', caseId);
}

/** Version 2: price and competitor as primary causes: one joint price measure of sales and finance, one marketing measure, each worked by its owner. */
async function lostDealJointPrice(h: Harness, now: number) {
  const { caseId } = await h.docket.startCase(
    'lost_deal',
    { ...example('lost_deal'), lostAt: new Date(now).toISOString(), important: false },
    rep,
  );
  const analyst = actor('ana', 'analyst');
  const management = actor('mona', 'management');
  const report = {
    customerOverview: 'Retailer',
    processOverview: 'Four months',
    causeAnalysis: 'Price',
    recommendations: 'Bands',
    conclusion: 'Lost on price',
  };
  await drive(h, caseId, [
    [
      'SUBMIT_INFO',
      {
        customerBasics: { name: 'Jiahe Furniture', contactPerson: 'Mr Wang', industry: 'Home furnishing' },
        salesProcess: { firstContact: { at: '2026-06-02T10:00:00+08:00', method: 'exhibition' }, needs: 'Metro advertising' },
        lossReasons: { stated: ['Price too high'], inferred: [] },
        customerFeedback: 'Could not justify the price',
        sources: ['interview'],
      },
      rep,
    ],
    ['FORM_GROUP', { lead: 'mia', members: [{ userId: 'ana', role: 'marketing' }] }, manager],
    ['INFO_CONSOLIDATED', { summary: 'Merged' }, analyst],
    [
      'CAUSES_IDENTIFIED',
      {
        causes: [
          { dimension: 'price', factor: 'Price', detail: '23% above', weight: 'primary' },
          { dimension: 'competitor', factor: 'Screens', detail: 'Digital screens', weight: 'primary' },
        ],
      },
      analyst,
    ],
    ['SUBMIT_REPORT', report, analyst],
    ['REQUEST_REVISION', { feedback: 'Quantify the price gap' }, management],
    ['SUBMIT_REPORT', report, analyst],
    ['ACCEPT_REPORT', { salesOwner: 'sue', financeOwner: 'fay', marketingOwner: 'max' }, management],
  ]);
  const measures: Array<[string, string, { userId: string; role: string }]> = [
    ['price', 'finance', actor('fay', 'dept_owner')],
    ['competitor', 'marketing', actor('max', 'dept_owner')],
  ];
  await until(h, caseId, (s) => s.children.length === measures.length);
  // The joint price measure is led by sales' owner, who hands it to finance's owner to settle the price.
  await drive(h, `${caseId}.measures.price`, [
    ['task.transfer', { to: 'fay', comment: 'Finance settles the price bands with us' }, actor('sue', 'dept_owner')],
  ]);
  for (const [measure, department, owner] of measures) {
    await drive(h, caseId, [
      [
        'SUBMIT_PLAN',
        {
          measure,
          department,
          steps: ['Do it'],
          owner: owner.userId,
          dueDate: new Date(now + 60 * DAY).toISOString(),
          expectedEffect: 'Better',
        },
        owner,
      ],
      ['REPORT_PROGRESS', { measure, department, percent: 50, notes: 'Half way' }, owner],
      ['MEASURE_COMPLETED', { measure, department, result: 'Done' }, owner],
    ]);
  }
  await until(h, caseId, (s) => s.state === 'evaluating');
  await drive(h, caseId, [
    [
      'SUBMIT_EVALUATION',
      {
        before: { sales: 1_200_000, satisfaction: 72, marketShare: 8.5 },
        after: { sales: 1_450_000, satisfaction: 81, marketShare: 10.2 },
        conclusion: 'Two retailers won back',
      },
      management,
    ],
    ['LESSONS_SHARED', { format: 'case_study', audience: 'cross_department', date: '2026-12-01' }, manager],
  ]);
  await save(h, 'lost_deal-v2-joint-price', caseId);
  await save(h, 'lost_deal-v2-joint-price-measure', `${caseId}.measures.price`);
}

/** Early placement whose forms come back a month late (version 2: the forms close the early placement as it records them). */
async function earlyPlacementOverdue(h: Harness, sleep: (ms: number) => Promise<void>) {
  const { caseId } = await h.docket.startCase('contract', { ...example('contract'), amount: 250_000 }, rep);
  await drive(h, caseId, [['SUBMIT', undefined, rep]]);
  await until(h, caseId, (s) => s.state === 'approval');
  await drive(h, caseId, [
    ['REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true }, rep],
    ['A3_RECEIVED', undefined, actor('sia', 'schedule_admin')],
    ['SIGN_OFF_EARLY_PLACEMENT', undefined, manager],
    ['SIGN_OFF_EARLY_PLACEMENT', undefined, actor('gao', 'gm')],
    ['EARLY_PLACEMENT_APPROVED', undefined, actor('hua', 'hq')],
  ]);
  await sleep(32 * DAY); // approval reminders, both form reminders and the overdue escalation fire
  await until(h, caseId, (s) => s.context.overdue === true);
  await drive(h, caseId, [['FORMS_RETURNED', { a1: 'A1-1', a2: 'A2-1', a3: 'A3-1' }, actor('ada', 'contract_admin')]]);
  await save(h, 'contract-v2-early-placement-overdue-in-task', caseId);
}

/** The processes named on the command line (all when none is): `tsx test/replay/record-processes.ts visit lost_deal`. */
const only = process.argv.slice(2);
const wanted = (processId: string) => only.length === 0 || only.includes(processId);

async function main() {
  mkdirSync(OUT, { recursive: true });
  const cache = path.join(PROJECT_ROOT, '.cache');
  const pg = await startPostgres({ dataDir: path.join(cache, 'record-postgres'), port: await freePort() });
  const dev = await startDevServer({ log: { format: 'pretty', level: 'error' } });
  const bundle = await bundleWorkflows();
  const bundlePath = path.join(cache, 'record-processes-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  Object.assign(process.env, {
    DOCKET_TEST_DATABASE_URL: pg.url,
    DOCKET_TEST_TEMPORAL_ADDRESS: dev.address,
    DOCKET_TEST_BUNDLE: bundlePath,
  });
  try {
    const h = await createHarness('record_processes');
    if (wanted('visit')) await visitShortNotice(h, Date.now());
    if (wanted('contract')) {
      await contractV2(h, Date.now());
      await contractV2Withdrawn(h);
    }
    if (wanted('lost_deal')) await lostDealJointPrice(h, Date.now());
    await h.close();
    if (wanted('contract')) {
      const env = await startTimeSkippingEnv();
      try {
        const ts = await createHarness('record_processes_deadlines', { env });
        await earlyPlacementOverdue(ts, (ms) => env.sleep(ms));
        await ts.close();
      } finally {
        await env.teardown();
      }
    }
  } finally {
    await dev.shutdown();
    await pg.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

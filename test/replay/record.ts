/**
 * Records the Temporal histories that the replay tests replay: real complaint cases run on a real
 * Temporal server (the dev server, and the time-skipping server for deadlines), on the newest
 * version of the complaint (version 2: the handler's tasks, the approval step, a withdrawal at the
 * customer's request). Run after a change to the definitions or the interpreter that is meant to
 * change behaviour: `npm run record-histories`. The histories of version 1 (complaint-happy,
 * complaint-approval, complaint-migrated…) were recorded by earlier versions of this file and are
 * kept as they are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCalendar } from '../../client/setup';
import { freePort } from '../../infra/net';
import { startPostgres } from '../../infra/postgres';
import { startDevServer, startTimeSkippingEnv } from '../../infra/temporal-env';
import { PROJECT_ROOT } from '../../config';
import type { Actor } from '../../engine/types';
import { bundleWorkflows } from '../../worker/bundle-options';
import { saveHistories } from '../helpers/history-files';
import { complaintInput, createHarness, cs, handler, manager, type Harness } from '../helpers/harness';

const OUT = path.join(__dirname, 'histories');

async function save(h: Harness, name: string, caseId: string) {
  for (const file of await saveHistories(h.client, caseId, name, OUT)) console.log(`wrote ${path.relative(PROJECT_ROOT, file)}`);
}

type Step = [string, Record<string, unknown>, Actor, string?];
async function drive(h: Harness, caseId: string, steps: Step[]) {
  for (const [type, data, actor, requestId] of steps) await h.docket.send(caseId, { type, data, actor, ...(requestId && { requestId }) });
}
async function run(h: Harness, steps: Step[], start = complaintInput) {
  const { caseId } = await h.docket.startCase('complaint', start, cs);
  await drive(h, caseId, steps);
  return caseId;
}

/** Another handler: bob's delegate, and the one tasks are handed to. */
const dan: Actor = { userId: 'dan', role: 'handler' };
const forBob: Actor = { ...dan, onBehalfOf: 'bob' };

const accept: Step = ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, cs];
const findings = (by: Actor): Step => ['SUBMIT_FINDINGS', { findings: 'Door cracked in transit', customerExpectation: 'Replacement' }, by];
const tail = (by: Actor): Step[] => [
  ['CUSTOMER_ACCEPTED', {}, cs],
  ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, by],
  ['CUSTOMER_SATISFIED', { score: 5, comment: 'Quick' }, cs],
];
/** The customer's own request to withdraw, `minutesAgo` before `now`. */
const withdrawal = (now: number, minutesAgo = 30) => ({
  reason: 'The customer settled it with the shop',
  requestedByCustomer: true,
  requestedAt: new Date(now - minutesAgo * 60_000).toISOString(),
  requestChannel: 'phone',
});

async function main() {
  mkdirSync(OUT, { recursive: true });
  const cache = path.join(PROJECT_ROOT, '.cache');
  const pg = await startPostgres({ dataDir: path.join(cache, 'test-postgres'), port: await freePort() });
  const dev = await startDevServer({ log: { format: 'pretty', level: 'error' } });
  const bundle = await bundleWorkflows();
  const bundlePath = path.join(cache, 'record-workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  Object.assign(process.env, {
    DOCKET_TEST_DATABASE_URL: pg.url,
    DOCKET_TEST_TEMPORAL_ADDRESS: dev.address,
    DOCKET_TEST_BUNDLE: bundlePath,
  });
  try {
    const h = await createHarness('record');
    const contact: Step = ['LOG_CONTACT', { channel: 'phone', summary: 'Called the customer' }, handler, 'contact-1'];
    // bob's delegate submits his findings on his behalf; bob hands the task on to dan, who carries it to the end.
    await save(
      h,
      'complaint-v2-happy',
      await run(h, [
        accept,
        contact,
        contact,
        ['LOG_CONTACT', { channel: 'email', summary: 'Sent the photos' }, cs],
        findings(forBob),
        ['task.transfer', { to: 'dan', comment: 'On leave next week' }, handler],
        ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, dan],
        ...tail(dan),
      ]),
    );
    // The approval step: returned to planning, approved by a service manager, rejected by the customer; the
    // manager reassigns the case, the agent reminds and a manager cc's an auditor.
    await save(
      h,
      'complaint-v2-approval',
      await run(h, [
        accept,
        findings(handler),
        ['PROPOSE_RESOLUTION', { proposal: 'Refund', compensationAmount: 8000 }, handler],
        ['task.return', { to: 'planning', comment: 'Offer a repair first' }, manager],
        ['PROPOSE_RESOLUTION', { proposal: 'Partial refund', compensationAmount: 6000 }, handler],
        ['APPROVE', { comment: 'Within the branch budget' }, manager],
        ['CUSTOMER_REJECTED', { reason: 'Not enough' }, cs],
        ['task.reassign', { to: 'dan', comment: 'bob is on a site visit all week' }, manager],
        ['task.remind', { comment: 'The customer called again' }, cs],
        ['task.cc', { users: ['eve'], comment: 'For the quarterly review' }, manager],
        ['PROPOSE_RESOLUTION', { proposal: 'Refund and voucher', compensationAmount: 4000 }, dan],
        ...tail(dan),
      ]),
    );
    // Unsatisfied, handled again, then withdrawn at the customer's recorded request.
    await save(
      h,
      'complaint-v2-reopened-withdrawn',
      await run(h, [
        accept,
        findings(handler),
        ['PROPOSE_RESOLUTION', { proposal: 'Repair the door', compensationAmount: 10 }, handler],
        tail(handler)[0]!,
        tail(handler)[1]!,
        ['CUSTOMER_UNSATISFIED', { reason: 'Still cracked' }, cs],
        ['WITHDRAW', withdrawal(Date.now()), cs],
      ]),
    );
    // A case started on version 1 and accepted there, migrated to version 2, where its handler alone works it.
    const owner = { userId: 'olga', role: 'process_owner' };
    const v1 = (await h.definitions.publishedVersion('complaint', 1))!;
    const migrated = `complaint-v1-${Math.random().toString(16).slice(2, 10)}`;
    await h.client.workflow.start('caseWorkflow', {
      workflowId: migrated,
      taskQueue: h.taskQueue,
      args: [
        {
          caseId: migrated,
          definition: v1.raw,
          definitionVersion: 1,
          definitionHash: v1.hash,
          calendar: await loadCalendar(h.config),
          input: complaintInput,
          startedBy: cs,
          requestId: null,
        },
      ],
    });
    await drive(h, migrated, [accept]);
    await h.migrations.migrateCase(owner, migrated, 2);
    await drive(h, migrated, [
      findings(handler),
      ['PROPOSE_RESOLUTION', { proposal: 'Refund', compensationAmount: 6000 }, handler],
      ['APPROVE', {}, manager],
      ...tail(handler),
    ]);
    await save(h, 'complaint-v2-migrated', migrated);
    await h.close();

    // Continued as new while a task is open: the work (assignee, initiator, cc) goes with it.
    const long = await createHarness('record_can', { continueAsNewAfter: 40 });
    const contacts: Step[] = Array.from({ length: 8 }, (_, i) => ['LOG_CONTACT', { channel: 'email', summary: `Update ${i}` }, handler]);
    await save(
      long,
      'complaint-v2-continued',
      await run(long, [
        accept,
        ['task.cc', { users: ['eve'], comment: 'Keep an eye on it' }, cs],
        ...contacts,
        ['task.transfer', { to: 'dan', comment: 'Handing over' }, handler],
        findings(dan),
        ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 10 }, dan],
        ...tail(dan),
      ]),
    );
    await long.close();

    const env = await startTimeSkippingEnv();
    try {
      const ts = await createHarness('record_deadlines', { env });
      const { caseId } = await ts.docket.startCase('complaint', complaintInput, cs);
      await env.sleep('2 days'); // past the acceptance deadline: escalation
      const promisedResponseBy = new Date((await env.currentTimeMs()) + 3 * 3_600_000).toISOString();
      await ts.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob', promisedResponseBy }, actor: cs });
      await env.sleep('1 day'); // the promise is broken: reminder and escalation
      await drive(ts, caseId, [
        findings(handler),
        ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 10 }, handler],
        tail(handler)[0]!,
        tail(handler)[1]!,
      ]);
      await env.sleep('7 days'); // the follow-up reminder
      await drive(ts, caseId, [tail(handler)[2]!]);
      await save(ts, 'complaint-v2-deadlines', caseId);
      await ts.close();
    } finally {
      await env.teardown();
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

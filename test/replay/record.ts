/**
 * Records the Temporal histories that the replay tests replay: real complaint
 * cases run on a real Temporal server (the dev server, and the time-skipping
 * server for deadlines). Run after a change to the definitions or the
 * interpreter that is meant to change behaviour: `npm run record-histories`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startPostgres } from '../../infra/postgres';
import { startDevServer, startTimeSkippingEnv } from '../../infra/temporal-env';
import { PROJECT_ROOT } from '../../config';
import { bundleWorkflows } from '../../worker/bundle-options';
import { complaintV2 } from '../helpers/definition-fixtures';
import { saveHistories } from '../helpers/history-files';
import { complaintInput, createHarness, cs, handler, manager, type Harness } from '../helpers/harness';

const OUT = path.join(__dirname, 'histories');

async function save(h: Harness, name: string, caseId: string) {
  for (const file of await saveHistories(h.client, caseId, name, OUT)) console.log(`wrote ${path.relative(PROJECT_ROOT, file)}`);
}

type Step = [string, Record<string, unknown>, typeof cs, string?];
async function run(h: Harness, steps: Step[], start = complaintInput) {
  const { caseId } = await h.docket.startCase('complaint', start, cs);
  for (const [type, data, actor, requestId] of steps) await h.docket.send(caseId, { type, data, actor, ...(requestId && { requestId }) });
  return caseId;
}

const accept: Step = ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, cs];
const findings: Step = ['SUBMIT_FINDINGS', { findings: 'Door cracked in transit', customerExpectation: 'Replacement' }, handler];
const tail: Step[] = [
  ['CUSTOMER_ACCEPTED', {}, cs],
  ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, handler],
  ['CUSTOMER_SATISFIED', { score: 5, comment: 'Quick' }, cs],
];

async function main() {
  mkdirSync(OUT, { recursive: true });
  const cache = path.join(PROJECT_ROOT, '.cache');
  const pg = await startPostgres({ dataDir: path.join(cache, 'test-postgres'), port: 5439 });
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
    await save(
      h,
      'complaint-happy',
      await run(h, [
        accept,
        contact,
        contact,
        findings,
        ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, handler],
        ...tail,
      ]),
    );
    await save(
      h,
      'complaint-approval',
      await run(h, [
        accept,
        findings,
        ['PROPOSE_RESOLUTION', { proposal: 'Refund', compensationAmount: 8000 }, handler],
        ['REJECT', { reason: 'Too much' }, manager],
        ['PROPOSE_RESOLUTION', { proposal: 'Partial refund', compensationAmount: 6000 }, handler],
        ['APPROVE', {}, manager],
        ['CUSTOMER_REJECTED', { reason: 'Not enough' }, cs],
        ['PROPOSE_RESOLUTION', { proposal: 'Refund and voucher', compensationAmount: 4000 }, handler],
        ...tail,
      ]),
    );
    await save(
      h,
      'complaint-reopened-withdrawn',
      await run(h, [
        accept,
        findings,
        ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 10 }, handler],
        tail[0]!,
        tail[1]!,
        ['CUSTOMER_UNSATISFIED', { reason: 'Still cracked' }, cs],
        ['WITHDRAW', { reason: 'Customer cancelled' }, cs],
      ]),
    );
    // A case migrated on purpose from v1 to v2 (a raised approval limit and a findings review state), then finished on v2.
    const owner = { userId: 'olga', role: 'process_owner' };
    const migrated = await run(h, [accept]);
    await h.lifecycle.saveDraft(owner, 'complaint', complaintV2());
    await h.lifecycle.publish(owner, 'complaint');
    await h.migrations.migrateCase(owner, migrated, 2);
    for (const [type, data, actor] of [
      findings,
      ['FINDINGS_REVIEWED', {}, manager] as Step,
      ['PROPOSE_RESOLUTION', { proposal: 'Refund', compensationAmount: 6000 }, handler] as Step,
      ...tail,
    ]) {
      await h.docket.send(migrated, { type, data, actor });
    }
    await save(h, 'complaint-migrated', migrated);
    await h.close();

    const long = await createHarness('record_can', { continueAsNewAfter: 40 });
    const contacts: Step[] = Array.from({ length: 8 }, (_, i) => ['LOG_CONTACT', { channel: 'email', summary: `Update ${i}` }, handler]);
    await save(
      long,
      'complaint-continued',
      await run(long, [accept, ...contacts, findings, ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 10 }, handler], ...tail]),
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
      for (const [type, data, actor] of [
        findings,
        ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 10 }, handler] as Step,
        ...tail,
      ]) {
        await ts.docket.send(caseId, { type, data, actor });
      }
      await save(ts, 'complaint-deadlines', caseId);
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

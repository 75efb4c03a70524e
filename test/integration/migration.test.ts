import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Worker } from '@temporalio/worker';
import { runCli, type CliRun } from '../helpers/cli';
import { loadCalendar } from '../../client/setup';
import { lintDefinition } from '../../engine/lint';
import { complaintInput, createHarness, cs, handler, manager, requireEnv, type Harness } from '../helpers/harness';
import { complaintV2, complaintWithoutApproval } from '../helpers/definition-fixtures';

const owner = { userId: 'olga', role: 'process_owner' };
let h: Harness;
beforeAll(async () => {
  h = await createHarness('migration');
  // Published after the shipped versions 1 and 2: version 1 with a review state and a raised limit.
  await h.lifecycle.saveDraft(owner, 'complaint', complaintV2());
  expect((await h.lifecycle.publish(owner, 'complaint')).published!.version).toBe(3);
  expect(lintDefinition(complaintWithoutApproval()).problems).toEqual([]);
});
afterAll(async () => {
  await h?.close();
});

function docket(...argv: string[]): Promise<CliRun> {
  return runCli(['--direct', ...argv], { config: h.config, cwd: mkdtempSync(`${tmpdir()}/docket-`) });
}

const accept = { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs };
const findings = { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler };
const propose = (amount: number) => ({
  type: 'PROPOSE_RESOLUTION',
  data: { proposal: 'refund', compensationAmount: amount },
  actor: handler,
});

/** Starts a case pinned to v1 while later versions are published (as a case started before them would be). */
async function v1Case(steps: Array<{ type: string; data?: Record<string, unknown>; actor: typeof cs }>): Promise<string> {
  const v1 = await h.definitions.publishedVersion('complaint', 1);
  const caseId = `complaint-mig-${Math.random().toString(16).slice(2, 10)}`;
  await h.client.workflow.start('caseWorkflow', {
    workflowId: caseId,
    taskQueue: h.taskQueue,
    args: [
      {
        caseId,
        definition: v1!.raw,
        definitionVersion: 1,
        definitionHash: v1!.hash,
        calendar: await loadCalendar(h.config),
        input: complaintInput,
        startedBy: cs,
        requestId: null,
      },
    ],
  });
  for (const s of steps) await h.docket.send(caseId, s);
  return caseId;
}

async function finish(caseId: string, fromPlanning = true) {
  if (fromPlanning) await h.docket.send(caseId, propose(6000));
  await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', actor: cs });
  await h.docket.send(caseId, { type: 'RESOLUTION_EXECUTED', data: { summary: 'done' }, actor: handler });
  return h.docket.send(caseId, { type: 'CUSTOMER_SATISFIED', data: { score: 4 }, actor: cs });
}

test('dry run, then a real migration of an open v1 case to v3; it finishes on v3 and its history replays', async () => {
  const caseId = await v1Case([accept]);
  const before = await h.history(caseId);

  const dry = await docket('migrate', caseId, '--to', '3', '--dry-run', '--as', 'olga:process_owner', '--json');
  expect(dry.code).toBe(0);
  const plan = JSON.parse(dry.out).plan;
  expect(plan).toMatchObject({
    ok: true,
    fromVersion: 1,
    toVersion: 3,
    fromState: 'investigating',
    toState: 'investigating',
    blockers: [],
  });
  expect(plan.deadlines.map((d: { delay: string }) => d.delay).sort()).toEqual(['investigationEscalation', 'investigationReminder']);
  expect(plan.cancelled.map((d: { delay: string }) => d.delay).sort()).toEqual(['investigationEscalation', 'investigationReminder']);
  const human = await docket('migrate', caseId, '--to', '3', '--dry-run', '--as', 'olga:process_owner');
  expect(human.out).toContain(`${caseId}: v1 investigating → v3 investigating  can be migrated`);
  expect(human.out).toContain('Dry run: nothing changed');
  expect(await h.history(caseId)).toEqual(before);

  const real = await docket('migrate', caseId, '--to', '3', '--as', 'olga:process_owner', '--json');
  expect(real.code).toBe(0);
  expect(JSON.parse(real.out).result).toMatchObject({ fromVersion: 1, toVersion: 3, fromState: 'investigating', state: 'investigating' });

  const status = await h.docket.status(caseId);
  expect(status).toMatchObject({ definitionVersion: 3, state: 'investigating' });
  expect(status.deadlines.map((d) => d.delay).sort()).toEqual(['investigationEscalation', 'investigationReminder']);
  const log = await h.history(caseId);
  expect(log.at(-1)).toMatchObject({
    event: 'migrate',
    actor: owner,
    fromState: 'investigating',
    toState: 'investigating',
    definitionVersion: 3,
    payload: { fromVersion: 1, toVersion: 3, mapping: { investigating: 'investigating' } },
  });
  expect((await h.docket.store.getCase(caseId))!.definitionVersion).toBe(3);

  // v3 behaviour: the added review state, and the raised approval limit.
  expect((await h.docket.send(caseId, findings)).state).toBe('reviewingFindings');
  expect((await h.docket.send(caseId, { type: 'FINDINGS_REVIEWED', actor: manager })).state).toBe('planning');
  expect((await h.docket.send(caseId, propose(6000))).state).toBe('communicating');
  expect((await finish(caseId, false)).status).toBe('completed');

  // Replaying the migrated case's history on the current workflow code passes.
  const history = await h.client.workflow.getHandle(caseId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: { codePath: requireEnv('DOCKET_TEST_BUNDLE') }, replayName: caseId }, history, caseId);
});

test('refusals: a removed state with no mapping, a state that does not exist, a role that is not process_owner — nothing changes', async () => {
  await h.lifecycle.saveDraft(owner, 'complaint', complaintWithoutApproval());
  const published = await h.lifecycle.publish(owner, 'complaint');
  expect(published.published!.version).toBe(4);
  const caseId = await v1Case([accept, findings, propose(9000)]);
  expect((await h.docket.status(caseId)).state).toBe('awaitingApproval');
  const before = await h.history(caseId);

  const dry = await docket('migrate', caseId, '--to', '4', '--dry-run', '--as', 'olga:process_owner');
  expect(dry.code).toBe(2);
  expect(dry.out).toContain(
    'blocked: the case is in "awaitingApproval", which version 4 removes: map it with --map awaitingApproval=<state>',
  );

  const unmapped = await docket('migrate', caseId, '--to', '4', '--as', 'olga:process_owner', '--json');
  expect(unmapped.code).toBe(2);
  expect(JSON.parse(unmapped.out).error.code).toBe('MigrationBlocked');

  const unknown = await docket('migrate', caseId, '--to', '4', '--map', 'awaitingApproval=aproved', '--as', 'olga:process_owner', '--json');
  expect(unknown.code).toBe(2);
  expect(JSON.parse(unknown.out).error).toMatchObject({
    code: 'UnknownState',
    message: expect.stringContaining('version 4 has no state "aproved"'),
  });

  const forbidden = await docket(
    'migrate',
    caseId,
    '--to',
    '4',
    '--map',
    'awaitingApproval=planning',
    '--as',
    'carol:service_manager',
    '--json',
  );
  expect(forbidden.code).toBe(2);
  expect(JSON.parse(forbidden.out).error.code).toBe('Forbidden');

  const noVersion = await docket('migrate', caseId, '--to', '7', '--as', 'olga:process_owner', '--json');
  expect(JSON.parse(noVersion.out).error.code).toBe('UnknownVersion');

  // The workflow's own check refuses what the client would have caught, too.
  const v4 = await h.definitions.publishedVersion('complaint', 4);
  await expect(
    h.docket.migrateCase(caseId, {
      definition: v4!.raw,
      definitionVersion: 4,
      definitionHash: v4!.hash,
      mapping: { awaitingApproval: 'nowhere' },
      actor: owner,
    }),
  ).rejects.toMatchObject({ code: 'UnknownState' });

  expect(await h.history(caseId)).toEqual(before);
  expect((await h.docket.status(caseId)).definitionVersion).toBe(1);

  // Mapped to planning, it migrates and finishes on v4 (no approval step any more).
  const mapped = await docket('migrate', caseId, '--to', '4', '--map', 'awaitingApproval=planning', '--as', 'olga:process_owner', '--json');
  expect(mapped.code).toBe(0);
  expect(JSON.parse(mapped.out).result).toMatchObject({ fromState: 'awaitingApproval', state: 'planning', toVersion: 4 });
  expect((await h.docket.send(caseId, propose(50000))).state).toBe('communicating');
  expect((await finish(caseId, false)).status).toBe('completed');
  const closed = await docket('migrate', caseId, '--to', '2', '--as', 'olga:process_owner', '--json');
  expect(JSON.parse(closed.out).error.code).toBe('CaseClosed');
});

test('the batch form migrates every open case of a version, and reports the blocked ones', async () => {
  const a = await v1Case([accept]);
  const b = await v1Case([accept, findings]);
  const c = await v1Case([accept, findings, propose(9000)]); // awaitingApproval: blocked without a mapping
  const dry = JSON.parse(
    (
      await docket(
        'migrate',
        '--process',
        'complaint',
        '--from-version',
        '1',
        '--to',
        '4',
        '--dry-run',
        '--as',
        'olga:process_owner',
        '--json',
      )
    ).out,
  );
  const byCase = new Map(dry.map((m: { caseId: string; plan: { ok: boolean } }) => [m.caseId, m.plan.ok]));
  expect([byCase.get(a), byCase.get(b), byCase.get(c)]).toEqual([true, true, false]);

  const run = await docket('migrate', '--process', 'complaint', '--from-version', '1', '--to', '4', '--as', 'olga:process_owner');
  expect(run.code).toBe(2);
  expect(run.out).toMatch(/of \d+ migrated/);
  expect((await h.docket.status(a)).definitionVersion).toBe(4);
  expect((await h.docket.status(b)).definitionVersion).toBe(4);
  expect((await h.docket.status(c)).definitionVersion).toBe(1);

  const all = await docket(
    'migrate',
    '--process',
    'complaint',
    '--from-version',
    '1',
    '--to',
    '4',
    '--map',
    'awaitingApproval=planning',
    '--as',
    'olga:process_owner',
  );
  expect(all.code).toBe(0);
  expect((await h.docket.status(c)).definitionVersion).toBe(4);
  // a was investigating: on v4 its findings are reviewed first; b was already planning.
  expect((await h.docket.send(a, findings)).state).toBe('reviewingFindings');
  expect((await h.docket.send(a, { type: 'FINDINGS_REVIEWED', actor: manager })).state).toBe('planning');
  for (const id of [a, b]) expect((await finish(id)).status).toBe('completed');
  expect((await finish(c)).status).toBe('completed');
});

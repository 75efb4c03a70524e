/**
 * Open cases of lost_deal and visit version 1 migrate to version 2 (the states keep their paths):
 * a visit waiting for its day, whose short-notice appointment version 1 never reconfirmed, gets its
 * reconfirmation at once; a lost deal past its measures is evaluated and closed on version 2. A lost
 * deal whose version-1 measures are running cannot migrate (they are sub-process cases in flight).
 */
import { loadCalendar } from '../../client/setup';
import { createHarness, type Harness } from '../helpers/harness';

const owner = { userId: 'olga', role: 'process_owner' };
const rep = { userId: 'ray', role: 'sales_rep' };
const analyst = { userId: 'ana', role: 'analyst' };
const management = { userId: 'mona', role: 'management' };
const salesManager = { userId: 'mia', role: 'sales_manager' };
const deptOwner = { userId: 'sue', role: 'dept_owner' };
const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await createHarness('migration_v2');
});
afterAll(async () => {
  await h?.close();
});

/** Starts a case pinned to version 1 of its process (and of its sub-processes), as one started before version 2 was. */
async function v1Case(processId: string, input: Record<string, unknown>, startedBy: typeof rep, sub?: string): Promise<string> {
  const v1 = await h.definitions.publishedVersion(processId, 1);
  const subV1 = sub ? await h.definitions.publishedVersion(sub, 1) : undefined;
  const caseId = `${processId}-mig-${Math.random().toString(16).slice(2, 10)}`;
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
        input,
        startedBy,
        requestId: null,
        ...(sub && { subprocessDefinitions: { [sub]: { definition: subV1!.raw, definitionVersion: 1, definitionHash: subV1!.hash } } }),
      },
    ],
  });
  return caseId;
}

async function until(caseId: string, done: (s: Awaited<ReturnType<Harness['docket']['status']>>) => boolean) {
  for (let i = 0; i < 300; i++) {
    const s = await h.docket.status(caseId);
    if (done(s) && s.storedSeq === s.seq) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`case ${caseId} did not get there`);
}

test('version 2 of visit and lost_deal is the newest; version 1 stays published', async () => {
  expect((await h.definitions.latest('visit'))?.version).toBe(2);
  expect((await h.definitions.latest('lost_deal'))?.version).toBe(2);
  expect((await h.definitions.latest('improvement_measure'))?.version).toBe(2);
  expect(await h.definitions.publishedVersion('visit', 1)).toBeDefined();
});

test('a visit waiting for a short-notice appointment migrates to v2 and is reconfirmed at once', async () => {
  const caseId = await v1Case('visit', { customer: 'CUST-1001', visitType: 'existing_customer', owner: 'ray', purpose: 'Packages' }, rep);
  const scheduledAt = new Date(Math.ceil((Date.now() + 2 * DAY) / 3_600_000) * 3_600_000).toISOString();
  await h.docket.send(caseId, {
    type: 'SUBMIT_PLAN',
    data: {
      background: { industry: 'Furniture', company: 'Jiahe Furniture' },
      objectives: ['needs'],
      agenda: { time: scheduledAt, place: 'Office', attendees: ['ray'], form: 'meeting' },
    },
    actor: rep,
  });
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt, contactPhone: '138-0000-0001' }, actor: rep });
  // Version 1: the reconfirmation's time had passed when the appointment was made, so it is never given.
  const before = await until(caseId, (s) => s.state === 'confirmed');
  expect(before.allowedEvents).not.toContain('RECONFIRMED');

  const dry = await h.migrations.migrateCase(owner, caseId, 2, { dryRun: true });
  expect(dry.plan).toMatchObject({ ok: true, fromState: 'confirmed', toState: 'confirmed', fromVersion: 1, toVersion: 2 });
  expect(dry.plan.deadlines.find((d) => d.delay === 'reconfirmReminder')).toMatchObject({ overdue: true });

  await h.migrations.migrateCase(owner, caseId, 2);
  const after = await until(caseId, (s) => s.definitionVersion === 2 && !s.deadlines.some((d) => d.delay === 'reconfirmReminder'));
  expect(after.state).toBe('confirmed');
  let reminders: Array<{ template: string }> = [];
  for (let i = 0; i < 100 && reminders.length === 0; i++) {
    reminders = (await h.outbox(caseId)).filter((n) => n.template === 'reconfirmAppointment');
    if (reminders.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  expect(reminders).toHaveLength(1);
  // The owner records the second confirmation; another rep may not (the visit is the owner's own).
  await expect(
    h.docket.send(caseId, { type: 'RECONFIRMED', data: { note: 'x' }, actor: { userId: 'rita', role: 'sales_rep' } }),
  ).rejects.toMatchObject({ code: 'NotAssignee' });
  const r = await h.docket.send(caseId, { type: 'RECONFIRMED', data: { note: '10:00 confirmed' }, actor: rep });
  expect(r.state).toBe('confirmed');
  expect((await h.docket.status(caseId)).context).toMatchObject({ reconfirmedBy: 'ray', reconfirmedFor: scheduledAt });
});

test('a lost deal whose v1 measures run cannot migrate; once they are done it migrates to v2 and closes there', async () => {
  const caseId = await v1Case(
    'lost_deal',
    { customer: 'CUST-1002', opportunity: 'Spring', salesRep: 'ray', lostAt: new Date().toISOString(), amount: 1000, important: false },
    rep,
    'improvement_measure',
  );
  const report = { customerOverview: 'c', processOverview: 'p', causeAnalysis: 'a', recommendations: 'r', conclusion: 'c' };
  const steps: Array<[string, Record<string, unknown> | undefined, typeof rep]> = [
    [
      'SUBMIT_INFO',
      {
        customerBasics: { name: 'Jiahe', contactPerson: 'Mr Wang', industry: 'Furniture' },
        salesProcess: { firstContact: { at: '2026-06-02T10:00:00+08:00', method: 'exhibition' }, needs: 'Metro' },
        lossReasons: { stated: ['Price'], inferred: [] },
        customerFeedback: 'Too expensive',
        sources: ['interview'],
      },
      rep,
    ],
    ['FORM_GROUP', { lead: 'mia', members: [{ userId: 'ana', role: 'marketing' }] }, salesManager],
    ['INFO_CONSOLIDATED', { summary: 'Merged' }, analyst],
    ['CAUSES_IDENTIFIED', { causes: [{ dimension: 'product', factor: 'f', detail: 'd', weight: 'primary' }] }, analyst],
    ['SUBMIT_REPORT', report, analyst],
    ['ACCEPT_REPORT', undefined, management],
  ];
  for (const [type, data, actor] of steps) await h.docket.send(caseId, { type, ...(data && { data }), actor });
  await until(caseId, (s) => s.children.length === 1);
  const blocked = await h.migrations.migrateCase(owner, caseId, 2, { dryRun: true });
  expect(blocked.plan.ok).toBe(false);
  expect(blocked.plan.blockers.map((b) => b.code)).toContain('SubProcess');
  await expect(h.migrations.migrateCase(owner, caseId, 2)).rejects.toMatchObject({ code: 'MigrationBlocked' });

  // The v1 measure runs on v1, routed by department.
  const dueDate = new Date(Date.now() + 30 * DAY).toISOString();
  await h.docket.send(caseId, {
    type: 'SUBMIT_PLAN',
    data: { department: 'rd', steps: ['s'], owner: 'sue', dueDate, expectedEffect: 'e' },
    actor: deptOwner,
  });
  await h.docket.send(caseId, { type: 'MEASURE_COMPLETED', data: { department: 'rd', result: 'done' }, actor: deptOwner });
  await until(caseId, (s) => s.state === 'evaluating');

  const migrated = await h.migrations.migrateCase(owner, caseId, 2);
  expect(migrated.plan).toMatchObject({ ok: true, fromState: 'evaluating', toState: 'evaluating' });
  await until(caseId, (s) => s.definitionVersion === 2);
  await h.docket.send(caseId, {
    type: 'SUBMIT_EVALUATION',
    data: {
      before: { sales: 1, satisfaction: 70, marketShare: 8 },
      after: { sales: 2, satisfaction: 80, marketShare: 9 },
      conclusion: 'Better',
    },
    actor: management,
  });
  const closed = await h.docket.send(caseId, {
    type: 'LESSONS_SHARED',
    data: { format: 'meeting', audience: 'sales_team', date: '2026-12-01' },
    actor: salesManager,
  });
  expect(closed.state).toBe('closed');
});

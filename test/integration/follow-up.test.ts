/**
 * Follow-up plans and handovers on the real stack (API, CLI, PostgreSQL, the Temporal time-skipping
 * server): grading a customer starts its plan; a due follow-up is the owning rep's task, reminded and
 * escalated when overdue; a logged contact completes it and plans the next; a new grade re-plans;
 * removing the grade ends the plan; a change the plan was not told is caught up at the API's start;
 * a handover moves customers, tasks and plans, audited, safe to repeat; refused input changes nothing.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { catchUp } from '../../api/server';
import { PROJECT_ROOT } from '../../config';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { recordIfAsked } from '../helpers/history-files';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { createHarness, skipPast, waitFor, type Harness } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let h: Harness;
let api: TestApi;
const t: Record<string, string> = {};
const DAY = 86_400_000;
const NAME = 'Huamei Stores Ltd';
const SUMMARY = 'Mr Wang wants the spring package';

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  h = await createHarness('follow_up', { env, requireCustomerRecord: true });
  api = await startTestApi(h);
  t.ray = await api.user('ray', ['sales_rep']);
  t.rita = await api.user('rita', ['sales_rep']);
  t.sam = await api.user('sam', ['sales_manager']);
  t.amy = await api.user('amy', ['cs_agent']);
  t.adm = api.adminToken;
}, 600_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
  await env?.teardown();
});

const iso = (ms: number) => new Date(ms).toISOString();
const now = () => env.currentTimeMs();

async function customer(id: string, token: string, owner?: string) {
  const res = await api.call('POST', '/customers', { token, body: { customerId: id, name: NAME, ...(owner && { owner }) } });
  expect(res.status).toBe(201);
}
const grade = (id: string, token: string, intention: string | null, reason = 'Visited') =>
  api.call('POST', `/customers/${id}/grade`, { token, body: { intention, reason } });
/** Logs a contact at workflow time (the test server's clock runs ahead of the database's). */
const contact = async (id: string, token: string, at?: number) =>
  api.call('POST', `/customers/${id}/contacts`, {
    token,
    body: { channel: 'phone', direction: 'out', summary: SUMMARY, at: iso(at ?? (await now())) },
  });
const plan = (caseId: string) => h.docket.status(caseId);
const row = async (id: string) => (await h.pool.query('SELECT * FROM docket.customers WHERE customer_id = $1', [id])).rows[0];

function overApi(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

describe('the plan of a graded customer', () => {
  const C = 'CUST-F1';
  const planId = `follow_up-${C}-1`;

  test('grading a customer starts its plan, named by the customer id, on the grade’s frequency and channel', async () => {
    await customer(C, t.ray!);
    const before = await now();
    const graded = await grade(C, t.ray!, 'A', 'Budget confirmed');
    expect(graded.status).toBe(200);
    expect(graded.body.followUp).toEqual({ caseId: planId, state: 'waiting', sent: ['started'] });
    const s = await plan(planId);
    expect(s).toMatchObject({ processId: 'follow_up', state: 'waiting', status: 'open' });
    expect(s.context).toMatchObject({ customer: C, owner: 'ray', grade: 'A', channel: 'call_or_visit', intervalDays: 7 });
    expect(Date.parse(s.context.dueAt as string) - Date.parse(s.context.plannedFrom as string)).toBe(7 * DAY);
    expect(Date.parse(s.context.plannedFrom as string)).toBeGreaterThanOrEqual(before);
    expect(s.deadlines).toEqual([expect.objectContaining({ delay: 'followUpDue', dueAt: s.context.dueAt })]);
    // Started by Docket itself; nothing personal in its id or its start.
    const [start] = await h.history(planId);
    expect(start).toMatchObject({ event: 'xstate.init', actor: { userId: 'system', role: 'system' } });
    expect(JSON.stringify(start)).not.toContain(NAME);
    const shown = await api.call('GET', `/customers/${C}`, { token: t.amy });
    expect(shown.body.followUpPlan).toMatchObject({ caseId: planId, state: 'waiting', grade: 'A', owner: 'ray', channel: 'call_or_visit' });
    // Grading again to the same grade tells the plan nothing new.
    expect((await grade(C, t.sam!, 'A', 'Still A')).body.followUp).toEqual({ caseId: planId, state: 'waiting', sent: [] });
  });

  test('a due follow-up is the rep’s task; a business day late they are reminded, two late a sales manager is told', async () => {
    const { context } = await plan(planId);
    await skipPast(env, context.dueAt as string);
    const due = await waitFor(
      () => plan(planId),
      (s) => s.state === 'due',
      'the follow-up to fall due',
    );
    expect(due.work?.tasks).toEqual([expect.objectContaining({ state: 'due', assignee: 'ray' })]);
    const assigned = await api.call('GET', '/inbox?view=assigned', { token: t.ray, role: 'sales_rep' });
    expect(assigned.body.items.map((i: { caseId: string }) => i.caseId)).toContain(planId);
    expect((await api.call('GET', '/inbox?view=assigned', { token: t.rita })).body.items).toEqual([]);
    expect(await h.outbox(planId)).toEqual([
      expect.objectContaining({ kind: 'info', template: 'followUpDue', recipients: [{ userId: 'ray' }] }),
    ]);

    const reminder = due.deadlines.find((d) => d.delay === 'overdueReminder')!;
    const escalation = due.deadlines.find((d) => d.delay === 'overdueEscalation')!;
    expect(Date.parse(escalation.dueAt)).toBeGreaterThan(Date.parse(reminder.dueAt));
    await skipPast(env, reminder.dueAt);
    await waitFor(
      () => h.outbox(planId),
      (rows) => rows.length === 2,
      'the reminder',
    );
    await skipPast(env, escalation.dueAt);
    const outbox = await waitFor(
      () => h.outbox(planId),
      (rows) => rows.length === 3,
      'the escalation',
    );
    expect(outbox.map((n) => [n.kind, n.template, n.recipients])).toEqual([
      ['info', 'followUpDue', [{ userId: 'ray' }]],
      ['reminder', 'followUpOverdue', [{ userId: 'ray' }]],
      ['escalation', 'followUpEscalated', [{ role: 'sales_manager' }]],
    ]);
    const s = await plan(planId);
    expect(s).toMatchObject({ state: 'due', context: expect.objectContaining({ overdue: true }) });
    expect((await h.history(planId)).map((r) => r.event)).toEqual([
      'xstate.init',
      'timer:followUpDue',
      'after:overdueReminder',
      'after:overdueEscalation',
    ]);
    const listed = await api.call('GET', `/cases?process=follow_up&overdue=true`, { token: t.sam });
    expect(listed.body.cases.map((i: { caseId: string }) => i.caseId)).toContain(planId);
  });

  test('a contact logged by any staff completes it, once, and the next follow-up is planned from it', async () => {
    const at = (await now()) - 60_000;
    const logged = await contact(C, t.amy!, at);
    expect(logged.status).toBe(201);
    expect(logged.body.followUp).toEqual({ caseId: planId, state: 'waiting', sent: ['CONTACT_LOGGED'] });
    const s = await plan(planId);
    expect(s.context).toMatchObject({ followUpsDone: 1, lastContactId: Number(logged.body.id), overdue: false, plannedFrom: iso(at) });
    expect(s.context.dueAt).toBe(iso(at + 7 * DAY));
    const last = (await h.history(planId)).at(-1)!;
    expect(last).toMatchObject({
      event: 'CONTACT_LOGGED',
      actor: { userId: 'system', role: 'system' },
      requestId: `contact-${logged.body.id}`,
      fromState: 'due',
      toState: 'waiting',
      payload: { contactId: Number(logged.body.id), at: iso(at), channel: 'phone', by: 'amy' },
    });
    expect(JSON.stringify(last)).not.toContain(SUMMARY);
    // Told again (a retry, the next change, the API's start): nothing new.
    const seq = (await h.history(planId)).length;
    expect((await api.deps.followUps.sync(C)).sent).toEqual([]);
    await expect(
      h.docket.send(planId, {
        type: 'CONTACT_LOGGED',
        data: { contactId: Number(logged.body.id), at: iso(at) },
        actor: { userId: 'system', role: 'system' },
        requestId: `contact-${logged.body.id}-again`,
      }),
    ).rejects.toMatchObject({ code: 'ConditionNotMet' });
    expect(await h.history(planId)).toHaveLength(seq);
    // People may not tell the plan themselves.
    const forged = await api.call('POST', `/cases/${planId}/events`, {
      token: t.ray,
      body: { type: 'CONTACT_LOGGED', data: { contactId: 999, at: iso(at) } },
    });
    expect(forged.status).toBe(403);
  });

  test('a new grade re-plans on its frequency from then; removing it ends the plan; a new grade starts another', async () => {
    const regraded = await grade(C, t.sam!, 'B', 'Budget moved to autumn');
    expect(regraded.body.followUp).toEqual({ caseId: planId, state: 'waiting', sent: ['GRADE_CHANGED'] });
    const s = await plan(planId);
    expect(s.context).toMatchObject({ grade: 'B', channel: 'email', intervalDays: 14, replans: 1 });
    expect(Date.parse(s.context.dueAt as string) - Date.parse(s.context.plannedFrom as string)).toBe(14 * DAY);
    const changeId = regraded.body.gradeHistory[0].id;
    expect((await h.history(planId)).at(-1)).toMatchObject({
      event: 'GRADE_CHANGED',
      requestId: `grade-change-${changeId}`,
      payload: { grade: 'B' },
    });
    await recordIfAsked(h.client, planId, 'follow_up-v1-graded-due-contacted');

    const removed = await grade(C, t.ray!, null, 'Went with a competitor');
    expect(removed.body.gradeHistory[0]).toMatchObject({ grade: 'intention', from: 'B', to: null });
    expect(removed.body.followUp).toEqual({ caseId: planId, state: 'ended', sent: ['PLAN_ENDED'] });
    expect(await plan(planId)).toMatchObject({ state: 'ended', status: 'completed' });
    expect((await row(C)).intention_grade).toBeNull();
    expect((await api.call('GET', `/customers/${C}`, { token: t.amy })).body.followUpPlan).toBeNull();

    const again = await grade(C, t.ray!, 'C', 'Back in the market');
    expect(again.body.followUp).toEqual({ caseId: `follow_up-${C}-2`, state: 'waiting', sent: ['started'] });
    expect((await plan(`follow_up-${C}-2`)).context).toMatchObject({ grade: 'C', channel: 'newsletter', intervalDays: 30 });
  });

  test('a new owner of the record takes the plan over', async () => {
    const planId = `follow_up-${C}-2`;
    const edited = await api.call('PUT', `/customers/${C}`, { token: t.sam, body: { owner: 'rita' } });
    expect(edited.status).toBe(200);
    expect((await plan(planId)).context).toMatchObject({
      owner: 'rita',
      ownerChanges: [expect.objectContaining({ from: 'ray', to: 'rita' })],
    });
    expect((await h.history(planId)).at(-1)).toMatchObject({
      event: 'OWNER_CHANGED',
      actor: { userId: 'system' },
      payload: { owner: 'rita' },
    });
  });

  test('the CLI: grade, then log a contact; each says what the plan was told; show names the plan', async () => {
    await customer('CUST-F2', t.ray!);
    const graded = await overApi(t.ray!, 'customer', 'grade', 'CUST-F2', '--intention', 'A', '--reason', 'Keen');
    expect(graded.code).toBe(0);
    expect(graded.out).toContain('follow-up plan follow_up-CUST-F2-1: started (now waiting)');
    const logged = await overApi(
      t.ray!,
      'customer',
      'contact',
      'CUST-F2',
      '--channel',
      'visit',
      '--direction',
      'out',
      '--summary',
      'Visited',
      '--at',
      iso(await now()),
    );
    expect(logged.code).toBe(0);
    expect(logged.out).toContain('follow-up plan follow_up-CUST-F2-1: CONTACT_LOGGED (now waiting)');
    const shown = await overApi(t.ray!, 'customer', 'show', 'CUST-F2');
    expect(shown.out).toMatch(/Follow-up plan follow_up-CUST-F2-1\n +grade A · call_or_visit · owner ray · waiting: next due \S+/);
    const removed = await overApi(t.ray!, 'customer', 'grade', 'CUST-F2', '--intention', 'none', '--reason', 'Lost');
    expect(removed.out).toContain('follow-up plan follow_up-CUST-F2-1: PLAN_ENDED (now ended)');
  });
});

describe('durability: what the plan was not told is caught up', () => {
  test('a grade and a contact committed while the API died before telling the plan are told at the next start', async () => {
    const C = 'CUST-F3';
    await customer(C, t.ray!);
    // As if the API had died right after each commit: the records change, nobody tells a plan.
    await api.deps.customers.changeGrades(C, { intention: 'A' }, 'Graded before the crash', { userId: 'ray', role: 'sales_rep' });
    expect(await api.deps.followUps.openPlan(C)).toBeUndefined();
    const caught = await catchUp(api.deps);
    expect(caught.followUps.synced).toEqual(
      expect.arrayContaining([{ customerId: C, caseId: `follow_up-${C}-1`, state: 'waiting', sent: ['started'] }]),
    );
    expect(caught.followUps.failed).toEqual([]);

    const at = await now();
    const logged = await api.deps.customers.addContact(
      C,
      { channel: 'email', direction: 'in', summary: SUMMARY, caseId: null, at: iso(at) },
      { userId: 'amy', role: 'cs_agent' },
    );
    await api.deps.customers.changeGrades(C, { intention: 'B' }, 'Cooler', { userId: 'sam', role: 'sales_manager' });
    const again = await catchUp(api.deps);
    expect(again.followUps.synced).toEqual([
      { customerId: C, caseId: `follow_up-${C}-1`, state: 'waiting', sent: ['GRADE_CHANGED', 'CONTACT_LOGGED'] },
    ]);
    expect((await plan(`follow_up-${C}-1`)).context).toMatchObject({ grade: 'B', lastContactId: Number(logged!.id) });
    // Nothing left behind: a third start tells nothing.
    expect((await catchUp(api.deps)).followUps).toEqual({ checked: 0, synced: [], failed: [] });
  });

  test('with no worker polling, logging a contact still answers (the contact is kept) and the plan hears of it later', async () => {
    // On the real dev server: a worker stopped on the time-skipping server lets its clock run ahead.
    const live = await createHarness('follow_up_live', { requireCustomerRecord: true });
    const liveApi = await startTestApi(live);
    try {
      const ray = await liveApi.user('ray', ['sales_rep']);
      const C = 'CUST-F4';
      expect((await liveApi.call('POST', '/customers', { token: ray, body: { customerId: C, name: NAME } })).status).toBe(201);
      await liveApi.call('POST', `/customers/${C}/grade`, { token: ray, body: { intention: 'A', reason: 'Keen' } });
      const planId = `follow_up-${C}-1`;
      await live.stopWorker();
      liveApi.deps.followUps.answerWithinMs = 1500;
      const logged = await liveApi.call('POST', `/customers/${C}/contacts`, {
        token: ray,
        body: { channel: 'phone', direction: 'out', summary: SUMMARY },
      });
      expect(logged.status).toBe(201);
      expect(logged.body.followUp).toMatchObject({ caseId: planId, sent: [], pending: expect.stringContaining('catches up') });
      expect((await liveApi.call('GET', `/customers/${C}/contacts`, { token: ray })).body.contacts).toHaveLength(1);
      await live.startWorker();
      const told = await waitFor(
        () => live.docket.status(planId),
        (s) => s.context.lastContactId === Number(logged.body.id) && s.storedSeq === s.seq,
        'the plan to hear of the contact',
      );
      expect(told.context.contactsBeforeDue).toBe(1);
      expect((await catchUp(liveApi.deps)).followUps).toEqual({ checked: 0, synced: [], failed: [] });
      expect((await live.history(planId)).filter((r) => r.event === 'CONTACT_LOGGED')).toHaveLength(1);
    } finally {
      await liveApi.close();
      await live.close();
    }
  });
});

describe('handover', () => {
  const visitInput = (customer: string, owner: string) => ({
    customer,
    visitType: 'existing_customer',
    owner,
    purpose: 'Present the catalogue',
  });

  test('a sales manager hands a rep’s customers over: owners, open tasks and plans move, audited, and a repeat moves nothing', async () => {
    await customer('CUST-H1', t.ray!);
    await customer('CUST-H2', t.ray!);
    await customer('CUST-H3', t.rita!);
    await customer('CUST-H4', t.sam!, 'amy');
    await grade('CUST-H1', t.ray!, 'A');
    const visit = await api.call('POST', '/cases', { token: t.ray, body: { process: 'visit', input: visitInput('CUST-H2', 'ray') } });
    expect(visit.status).toBe(201);
    const visitId = visit.body.caseId as string;
    const planId = 'follow_up-CUST-H1-1';

    const res = await api.call('POST', '/customers/handover', {
      token: t.sam,
      headers: { 'idempotency-key': 'handover-ray-1' },
      body: { from: 'ray', to: 'rita', reason: 'Ray leaves at the end of the month' },
    });
    expect(res.status).toBe(200);
    const id = res.body.handover.handoverId as string;
    expect(res.body.handover).toMatchObject({ from: 'ray', to: 'rita', requested: null, by: { userId: 'sam', role: 'sales_manager' } });
    // Every customer ray owned moved (those of the earlier tests too); rita's own stayed hers.
    const moved = res.body.customers.map((c: { customerId: string }) => c.customerId);
    expect(moved).toEqual(expect.arrayContaining(['CUST-H1', 'CUST-H2']));
    expect(moved).not.toContain('CUST-H3');
    expect(res.body.customers.find((c: any) => c.customerId === 'CUST-H1')).toEqual({
      customerId: 'CUST-H1',
      owner: 'moved',
      previousOwner: 'ray',
      handoverId: id,
      moved: [{ caseId: planId, processId: 'follow_up', how: 'OWNER_CHANGED', as: { userId: 'system', role: 'system' } }],
      notMoved: [],
      done: true,
    });
    expect(res.body.customers.find((c: any) => c.customerId === 'CUST-H2')).toMatchObject({
      moved: [
        { caseId: visitId, processId: 'visit', how: 'task.reassign', task: 'planning', as: { userId: 'sam', role: 'sales_manager' } },
      ],
      done: true,
    });
    for (const c of ['CUST-H1', 'CUST-H2']) expect((await row(c)).owner_id).toBe('rita');
    expect((await row('CUST-H3')).owner_id).toBe('rita');
    expect((await h.docket.status(visitId)).work?.tasks[0]?.assignee).toBe('rita');
    expect((await h.history(visitId)).at(-1)).toMatchObject({
      event: 'task.reassign',
      actor: { userId: 'sam', role: 'sales_manager' },
      payload: { to: 'rita', state: 'planning', comment: `Handover #${id}: customer CUST-H2 from ray to rita` },
    });
    expect((await plan(planId)).context).toMatchObject({
      owner: 'rita',
      ownerChanges: [expect.objectContaining({ from: 'ray', to: 'rita', handoverId: Number(id) })],
    });
    // In the customer's timeline, for everyone who deals with customers.
    const timeline = await api.call('GET', '/customers/CUST-H1/timeline', { token: t.amy });
    expect(timeline.body.entries.find((e: any) => e.kind === 'handover')).toMatchObject({
      handoverId: id,
      from: 'ray',
      to: 'rita',
      previousOwner: 'ray',
      reason: 'Ray leaves at the end of the month',
      by: { userId: 'sam', role: 'sales_manager' },
      status: 'done',
      moved: [expect.objectContaining({ caseId: planId, how: 'OWNER_CHANGED' })],
    });

    // The same request again answers with the same handover; a new one finds nothing of ray's to move.
    const rows = async () => ({
      handovers: (await h.pool.query('SELECT count(*)::int AS n FROM docket.customer_handovers')).rows[0].n,
      visit: (await h.history(visitId)).length,
      plan: (await h.history(planId)).length,
    });
    const before = await rows();
    const replay = await api.call('POST', '/customers/handover', {
      token: t.sam,
      headers: { 'idempotency-key': 'handover-ray-1' },
      body: { from: 'ray', to: 'rita', reason: 'Ray leaves at the end of the month' },
    });
    expect(replay.body).toMatchObject({ replayed: true, handover: { handoverId: id } });
    const repeat = await api.call('POST', '/customers/handover', { token: t.sam, body: { from: 'ray', to: 'rita' } });
    expect(repeat.body).toEqual({ handover: null, replayed: false, customers: [] });
    const named = await api.call('POST', '/customers/handover', {
      token: t.sam,
      body: { from: 'ray', to: 'rita', customers: ['CUST-H2'] },
    });
    expect(named.body).toEqual({
      handover: null,
      replayed: false,
      customers: [
        { customerId: 'CUST-H2', owner: 'already', previousOwner: 'rita', handoverId: null, moved: [], notMoved: [], done: true },
      ],
    });
    expect(await rows()).toEqual(before);
  });

  test('an admin hands a customer back with the CLI: a task the admin may not reassign is reassigned by Docket on their word', async () => {
    const visits = await h.pool.query("SELECT case_id FROM docket.cases WHERE customer_id = 'CUST-H2' AND process_id = 'visit'");
    const visitId = visits.rows[0].case_id as string;
    const run = await overApi(
      t.adm!,
      'customer',
      'handover',
      '--from',
      'rita',
      '--to',
      'ray',
      '--customer',
      'CUST-H2',
      '--reason',
      'Ray stays after all',
    );
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
    expect(run.out).toMatch(/^Handover #\d+: 1 customer from rita to ray, by admin \(admin\)/);
    expect(run.out).toMatch(new RegExp(`CUST-H2 +rita → ray +${visitId} +task planning reassigned +system \\(system\\)`));
    expect((await row('CUST-H2')).owner_id).toBe('ray');
    expect((await h.history(visitId)).at(-1)).toMatchObject({
      event: 'task.reassign',
      actor: { userId: 'system', role: 'system' },
      payload: { to: 'ray', comment: expect.stringMatching(/^Handover #\d+: customer CUST-H2 from rita to ray$/) },
    });
    const json = await overApi(t.adm!, 'customer', 'handover', '--from', 'rita', '--to', 'ray', '--customer', 'CUST-H2', '--json');
    expect(JSON.parse(json.out)).toMatchObject({ handover: null, customers: [{ customerId: 'CUST-H2', owner: 'already', moved: [] }] });
  });

  test('refused: an unknown rep, a new rep who is no sales rep, a customer of someone else, a caller who is no manager — nothing changes', async () => {
    const snapshot = async () => ({
      owners: (await h.pool.query('SELECT customer_id, owner_id FROM docket.customers ORDER BY customer_id')).rows,
      handovers: (await h.pool.query('SELECT count(*)::int AS n FROM docket.customer_handovers')).rows[0].n,
      transitions: (await h.pool.query('SELECT count(*)::int AS n FROM docket.transitions')).rows[0].n,
    });
    const before = await snapshot();
    const refused = async (token: string, body: Record<string, unknown>, role?: string) => {
      const res = await api.call('POST', '/customers/handover', { token, body, ...(role && { role }) });
      return [res.status, res.body.error?.code];
    };
    expect(await refused(t.sam!, { from: 'ray', to: 'nobody' })).toEqual([422, 'UnknownUser']);
    expect(await refused(t.sam!, { from: 'ghost', to: 'rita' })).toEqual([422, 'UnknownUser']);
    expect(await refused(t.sam!, { from: 'ray', to: 'amy' })).toEqual([422, 'UnknownUser']);
    expect(await refused(t.sam!, { from: 'ray', to: 'ray' })).toEqual([422, 'ValidationError']);
    expect(await refused(t.sam!, { from: 'ray', to: 'rita', customers: ['CUST-H4'] })).toEqual([422, 'ValidationError']);
    expect(await refused(t.sam!, { from: 'ray', to: 'rita', customers: ['CUST-NONE'] })).toEqual([422, 'ValidationError']);
    expect(await refused(t.ray!, { from: 'ray', to: 'rita' })).toEqual([403, 'Forbidden']);
    expect(await refused(t.amy!, { from: 'ray', to: 'rita' })).toEqual([403, 'Forbidden']);
    const cli = await overApi(t.sam!, 'customer', 'handover', '--from', 'ray', '--to', 'nobody');
    expect(cli.code).toBe(2);
    expect(cli.out + cli.err).toContain('no user "nobody"');
    expect(await snapshot()).toEqual(before);
  });
});

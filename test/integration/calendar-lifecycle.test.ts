/**
 * Calendars with a lifecycle, on the real stack (time-skipping Temporal, PostgreSQL, the API):
 * a case started on a calendar that is about to end flags its deadline; a newer version with
 * a holiday on the due date is published through the API and the open case recounts its
 * deadline, records it and fires at the new time; a second delivery and a refused
 * publication change nothing. The calendars are made up (relative to the server's clock).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { addBusinessDays, localDate } from '../../engine/calendar';
import type { CalendarData } from '../../engine/types';
import { DocketError } from '../../client/docket-client';
import { recordIfAsked } from '../helpers/history-files';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, cs, skipPast, waitFor, type Harness } from '../helpers/harness';

const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let h: Harness;
let api: TestApi;
let dir: string;
let today: string;
/** Version 1: ends today, no holidays. */
let v1: CalendarData;

const base = (now: number, from: number, until: number): CalendarData => ({
  id: 'test-cal',
  timeZone: 'Asia/Shanghai',
  workingWeekdays: [1, 2, 3, 4, 5],
  workingHours: { start: '09:00', end: '18:00' },
  holidays: [],
  workingDays: [],
  coversFrom: localDate({ timeZone: 'Asia/Shanghai' } as CalendarData, now + from * DAY),
  coversUntil: localDate({ timeZone: 'Asia/Shanghai' } as CalendarData, now + until * DAY),
});

beforeAll(async () => {
  env = await startTimeSkippingEnv();
  const now = await env.currentTimeMs();
  dir = mkdtempSync(path.join(tmpdir(), 'docket-calendar-'));
  v1 = base(now, -30, 0);
  today = v1.coversUntil!;
  writeFileSync(path.join(dir, 'test-cal.json'), JSON.stringify(v1));
  h = await createHarness('calendar-lifecycle', { env, calendarFile: path.join(dir, 'test-cal.json') });
  api = await startTestApi(h);
}, 600_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
  await env?.teardown();
});

const admin = () => ({ token: api.adminToken });

test('a calendar that ends soon is warned about (API, CLI) and a deadline counted beyond it is flagged on the case', async () => {
  const current = await api.call('GET', '/calendars/current', admin());
  expect(current.status).toBe(200);
  expect(current.body).toMatchObject({ calendarId: 'test-cal', version: 1, coversUntil: today, daysLeft: 0, publishedBy: 'system' });
  expect(current.body.warning).toContain(`calendar "test-cal" (version 1) ends on ${today}, in 0 day(s)`);
  // Staff see it too (the banner of the web UI reads it).
  const staff = await api.user('amy', ['cs_agent']);
  expect((await api.call('GET', '/calendars', { token: staff })).body).toMatchObject({
    calendarId: 'test-cal',
    versions: [{ version: 1, coversUntil: today }],
    warning: expect.stringContaining('ends on'),
  });

  const cli = await runCli(['calendar', 'check', '--direct', '--json'], { config: h.config, cwd: dir, now: () => Date.now() });
  expect(cli.code).toBe(1);
  expect(JSON.parse(cli.out)).toMatchObject({ calendarId: 'test-cal', version: 1, coversUntil: today, warning: expect.any(String) });

  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const [deadline] = (await h.docket.status(caseId)).deadlines;
  expect(deadline).toMatchObject({ delay: 'acceptDue', beyondCalendar: `counted on weekends only: the calendar ends ${today}` });
  const view = await api.call('GET', `/cases/${caseId}`, { token: staff });
  expect(view.status).toBe(200);
  expect(view.body.deadlines[0].beyondCalendar).toBe(`counted on weekends only: the calendar ends ${today}`);
});

test('a newer version with a holiday on the due date moves the deadline of an open case, which fires at its new time', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const [before] = (await h.docket.status(caseId)).deadlines;
  expect(before?.countedFrom).toBeDefined();
  const holiday = localDate(v1, Date.parse(before!.dueAt));
  const now = await env.currentTimeMs();
  const v2: CalendarData = { ...base(now, -30, 400), holidays: [holiday] };
  const expected = new Date(addBusinessDays(v2, Date.parse(before!.countedFrom!), 1)).toISOString();
  expect(Date.parse(expected)).toBeGreaterThan(Date.parse(before!.dueAt));

  const published = await api.call('POST', '/calendars', { ...admin(), body: v2 });
  expect(published.status).toBe(201);
  expect(published.body).toMatchObject({ created: true, published: { calendarId: 'test-cal', version: 2, publishedBy: 'admin' } });
  // Both open cases (this one and the one of the test before) adopt it.
  expect(published.body.rollout).toEqual({ cases: 2, adopted: 2, unchanged: 0, failed: [] });
  const audit = await h.pool.query("SELECT user_id, message FROM docket.security_log WHERE code = 'CalendarPublished'");
  expect(audit.rows).toEqual([{ user_id: 'admin', message: expect.stringContaining(`version 2`) }]);
  expect(audit.rows[0].message).toContain(published.body.published.hash);

  const [after] = (await h.docket.status(caseId)).deadlines;
  expect(after).toMatchObject({ id: before!.id, dueAt: expected });
  expect(after!.beyondCalendar).toBeUndefined();
  const log = await h.history(caseId);
  expect(log.at(-1)).toMatchObject({
    seq: 1,
    event: 'calendar',
    actor: { userId: 'admin', role: 'admin' },
    fromState: 'received',
    toState: 'received',
    payload: {
      calendarId: 'test-cal',
      fromVersion: 1,
      toVersion: 2,
      moved: [{ id: before!.id, delay: 'acceptDue', from: before!.dueAt, to: expected }],
    },
  });

  // New cases pin the new version.
  const later = await h.docket.startCase('complaint', complaintInput, cs);
  const laterDue = (await h.docket.status(later.caseId)).deadlines[0]!;
  expect(localDate(v2, Date.parse(laterDue.dueAt))).not.toBe(holiday);

  // The old due time passes: nothing fires. The new one: the escalation fires.
  await skipPast(env, before!.dueAt);
  expect(await h.outbox(caseId)).toEqual([]);
  expect((await h.docket.status(caseId)).deadlines).toHaveLength(1);
  await skipPast(env, expected);
  const outbox = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length > 0,
    'the escalation at the new due time',
  );
  expect(outbox.map((r) => r.template)).toEqual(['acceptanceOverdue']);
  const fired = (await h.history(caseId)).at(-1)!;
  expect(fired).toMatchObject({ seq: 2, event: 'after:acceptDue' });
  expect(Date.parse(fired.at)).toBeGreaterThanOrEqual(Date.parse(expected));
  await recordIfAsked(h.client, caseId, 'robust-calendar-adopted');

  // A second delivery of the same version changes nothing: publishing again stores nothing, and the cases have it.
  const again = await api.call('POST', '/calendars', { ...admin(), body: v2 });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ created: false, published: { version: 2 } });
  expect(again.body.rollout).toMatchObject({ adopted: 0, failed: [] });
  expect(again.body.rollout.unchanged).toBe(again.body.rollout.cases);
  const direct = h.docket.adoptCalendar(caseId, { calendar: { ...v2, version: 2 }, actor: { userId: 'admin', role: 'admin' } });
  await expect(direct).rejects.toMatchObject({ code: 'CalendarCurrent' });
  await expect(
    h.docket.adoptCalendar(caseId, { calendar: { ...v1, version: 1 }, actor: { userId: 'admin', role: 'admin' } }),
  ).rejects.toBeInstanceOf(DocketError);
  expect(await h.history(caseId)).toHaveLength(3);
  expect((await h.pool.query("SELECT count(*)::int AS n FROM docket.security_log WHERE code = 'CalendarPublished'")).rows[0].n).toBe(1);
});

test('a refused publication (an invalid file) changes nothing; only admins publish', async () => {
  const versions = async () => (await api.call('GET', '/calendars', admin())).body.versions.length;
  const count = await versions();
  const now = await env.currentTimeMs();
  const bad = { ...base(now, -30, 400), holidays: ['2001-01-01', '2001-01-01'] };
  const refused = await api.call('POST', '/calendars', { ...admin(), body: bad });
  expect(refused.status).toBe(422);
  expect(refused.body.error.code).toBe('InvalidCalendar');
  expect(refused.body.error.issues).toEqual(
    expect.arrayContaining([expect.stringContaining('listed twice'), expect.stringContaining('outside the coverage')]),
  );
  const { coversFrom: _f, coversUntil: _u, ...noCoverage } = base(now, -30, 400);
  expect((await api.call('POST', '/calendars', { ...admin(), body: noCoverage })).body.error.code).toBe('InvalidCalendar');
  const staff = await api.user('bob', ['handler']);
  expect((await api.call('POST', '/calendars', { token: staff, body: base(now, -30, 500) })).status).toBe(403);
  expect(await versions()).toBe(count);
  // Published versions are immutable, even for the API's role.
  await expect(api.pool.query("UPDATE docket.calendar_versions SET published_by = 'mallory'")).rejects.toThrow();
});

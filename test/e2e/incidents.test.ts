/**
 * Incidents in the web UI, in headless Chromium on the real API, Temporal and PostgreSQL
 * with a store that refuses a case's rows: the case page shows the banner and no actions,
 * the auditor sees it too, an administrator finds it on the operators' page, a retry before
 * the fix fails again visibly, and after the fix a retry lets the case go on with nothing
 * lost or doubled. Screenshots at desktop and phone sizes go to test-output/e2e/.
 */
import type { Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { refusingStore } from '../helpers/refusing-store';
import { buildWeb, launchBrowser, newPage, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

/** The store refuses every row of the cases in `refused`, as PostgreSQL refuses a row it cannot store. */
const refused = new Set<string>();
const refusing = refusingStore((record) => refused.has(record.caseId));

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_incidents', { wrapStore: refusing });
  api = await startTestApi(h, { webRoot });
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.eve = await api.user('eve', ['auditor']);
  // The handler the complaints are accepted for (ACCEPT names an existing handler).
  await api.user('bob', ['handler']);
  // An operator who also works cases: she retries right on the case page.
  tokens.opal = await api.user('opal', ['cs_agent', 'admin']);
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

async function openCase(page: Page, caseId: string, hash = '#/cases/'): Promise<void> {
  await page.goto(`${api.url}/${hash}${caseId}`);
  await page.locator('h1').first().waitFor();
}

const banner = (page: Page) => page.locator('[data-testid=incident-banner]');

test('an incident holds the case on its page until an operator retries it after the fix; nothing is lost or doubled', async () => {
  const started = await api.call<{ caseId: string }>('POST', '/cases', {
    token: tokens.amy,
    body: { process: 'complaint', input: complaintInput },
  });
  expect(started.status).toBe(201);
  const { caseId } = started.body;
  refused.add(caseId);

  // Amy accepts the complaint; storing the transition fails for good.
  const amy = await newPage(b);
  await signIn(amy, api.url, tokens.amy!);
  await openCase(amy, caseId);
  await amy.locator('[data-testid=case-state]', { hasText: 'Received' }).waitFor();
  await amy.locator('.event-buttons button[data-event="ACCEPT"]').click();
  const form = amy.locator('.event-form[data-form="ACCEPT"]');
  await form.locator('#ev-ACCEPT-department').fill('after_sales');
  await form.locator('#ev-ACCEPT-assignee').fill('bob');
  await form.getByRole('button', { name: 'Send' }).click();

  // The page says the case is on hold, what failed and why, and offers no actions.
  await banner(amy).waitFor();
  expect(await banner(amy).getAttribute('role')).toBe('alert');
  const said = (await banner(amy).textContent()) ?? '';
  expect(said).toContain('This case is on hold: an effect failed for good');
  expect(said).toContain('takes no actions until an administrator fixes the cause and retries it');
  expect(said).toContain('Storing the transition · transition #1');
  expect(said).toContain('store transition 1 (ACCEPT)');
  expect(said).toContain('InvalidDataError: refused row 1 of the case (test store)');
  expect(await banner(amy).locator('[data-testid=attempts]').textContent()).toBe('1');
  expect(await amy.locator('.alert.error', { hasText: 'The action was taken, but one of its effects failed for good' }).count()).toBe(1);
  expect(await amy.locator('.event-buttons').count()).toBe(0);
  expect(await amy.locator('.event-form').count()).toBe(0);
  expect(await amy.locator('[data-testid=actions-held]').textContent()).toContain('No actions while the case is on hold');
  // Amy is no operator: no Retry for her.
  expect(await banner(amy).locator('[data-action=retry]').count()).toBe(0);
  await shotsAtBothSizes(amy, '30-incident-case-page');
  expect((await h.history(caseId)).map((r) => r.seq)).toEqual([0]);

  // The auditor's case view shows the banner, read-only.
  const eve = await newPage(b);
  await signIn(eve, api.url, tokens.eve!);
  await openCase(eve, caseId, '#/audit/');
  await banner(eve).waitFor();
  expect(await banner(eve).textContent()).toContain('refused row 1');
  expect(await banner(eve).locator('[data-action=retry]').count()).toBe(0);

  // The administrator finds it on the operators' page.
  const admin = await newPage(b);
  await signIn(admin, api.url, api.adminToken);
  await admin.locator('header nav a', { hasText: 'Incidents' }).click();
  await admin.locator('h1', { hasText: 'Open incidents' }).waitFor();
  const group = admin.locator(`tbody[data-case="${caseId}"]`);
  await group.waitFor();
  const cells = await group.locator('tr').first().locator('td').allTextContents();
  expect(cells.slice(0, 5)).toEqual([
    caseId,
    'complaint',
    'Storing the transition · transition #1 — store transition 1 (ACCEPT)',
    'InvalidDataError: refused row 1 of the case (test store)',
    '1',
  ]);
  // Filtered by its process it is there; the filter offers the processes of the incidents.
  await admin.locator('#incident-process').selectOption('complaint');
  await group.waitFor();
  await admin.locator('#incident-process').selectOption('');
  await shotsAtBothSizes(admin, '31-incidents-list');

  // A retry before the cause is fixed fails again, with the new error and one more attempt.
  await group.locator('[data-action=retry]').click();
  const failed = group.locator('[data-retry=failed]');
  await failed.waitFor();
  expect(await failed.textContent()).toContain('The retry failed again');
  expect(await failed.textContent()).toContain('refused row 1');
  await group.locator('[data-testid=attempts]', { hasText: '2' }).waitFor();
  await shotsAtBothSizes(admin, '32-incidents-retry-failed');
  expect((await api.call('GET', `/cases/${caseId}`, { token: tokens.amy })).body.incidents).toEqual([
    expect.objectContaining({ attempts: 2 }),
  ]);

  // The case link leads to that case's incidents, which an administrator can retry there too.
  await group.locator('a', { hasText: caseId }).click();
  await banner(admin).waitFor();
  expect(await banner(admin).locator('[data-testid=attempts]').textContent()).toBe('2');
  expect(await banner(admin).locator('[data-action=retry]').count()).toBe(1);
  await shotsAtBothSizes(admin, '32b-incident-case-operator');

  // The cause is fixed; an operator retries from the case page, and the case goes on.
  refused.delete(caseId);
  const opal = await newPage(b);
  await signIn(opal, api.url, tokens.opal!);
  await openCase(opal, caseId);
  await banner(opal).waitFor();
  await banner(opal).locator('[data-action=retry]').click();
  await opal.locator('[data-retry=resolved]', { hasText: 'the effect succeeded and the case goes on' }).waitFor();
  await opal.locator('[data-testid=case-state]', { hasText: 'Investigating' }).waitFor();
  await opal.locator('.event-buttons button').first().waitFor();
  expect(await banner(opal).count()).toBe(0);
  await shotsAtBothSizes(opal, '33-incident-resolved-case-page');

  // Amy's page, reloaded, shows the case moved on with no banner and her actions back.
  await amy.getByRole('button', { name: 'Reload' }).first().click();
  await amy.locator('[data-testid=case-state]', { hasText: 'Investigating' }).waitFor();
  await amy.locator('.event-buttons button').first().waitFor();
  expect(await banner(amy).count()).toBe(0);
  expect(await amy.locator('[data-testid=actions-held]').count()).toBe(0);

  // The operators' list is empty now.
  await admin.locator('header nav a', { hasText: 'Incidents' }).click();
  await admin.locator('[data-testid=no-incidents]', { hasText: 'No open incidents.' }).waitFor();
  await shotsAtBothSizes(admin, '34-incidents-empty');

  // Nothing lost or doubled: the accepted transition is stored once, after the start.
  expect((await h.history(caseId)).map((r) => [r.seq, r.event])).toEqual([
    [0, 'xstate.init'],
    [1, 'ACCEPT'],
  ]);
});

test('in Chinese the banner and the operators’ page speak Chinese', async () => {
  const started = await api.call<{ caseId: string }>('POST', '/cases', {
    token: tokens.amy,
    body: { process: 'complaint', input: { ...complaintInput, customer: 'CUST-ZH' } },
  });
  const { caseId } = started.body;
  refused.add(caseId);
  const sent = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(sent.status).toBe(503);

  const amy = await newPage(b, { locale: 'zh-CN' });
  await signIn(amy, api.url, tokens.amy!);
  await openCase(amy, caseId);
  await banner(amy).waitFor();
  expect(await banner(amy).textContent()).toContain('此工单已暂停');
  expect(await amy.locator('[data-testid=actions-held]').textContent()).toContain('工单暂停期间不能执行操作');
  await shotsAtBothSizes(amy, '35-incident-case-page-zh');

  const admin = await newPage(b, { locale: 'zh-CN' });
  await signIn(admin, api.url, api.adminToken);
  await admin.locator('header nav a', { hasText: '异常' }).click();
  const group = admin.locator(`tbody[data-case="${caseId}"]`);
  await group.waitFor();
  expect(await admin.locator('h1').textContent()).toBe('未处理的异常');
  await shotsAtBothSizes(admin, '36-incidents-list-zh');

  refused.delete(caseId);
  await group.locator('[data-action=retry]').click();
  await admin.locator(`[data-resolved="${caseId}"]`, { hasText: '重试成功' }).waitFor();
  await admin.locator('[data-testid=no-incidents]', { hasText: '没有未处理的异常' }).waitFor();
  expect((await h.history(caseId)).map((r) => r.seq)).toEqual([0, 1]);
});

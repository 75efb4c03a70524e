/**
 * The tasks panel of a case page, in headless Chromium on the real API, worker and PostgreSQL:
 * a complaint assigned to bob shows his task, its assignee and candidates; bob transfers it to
 * carol with a comment in the dialog; the case's log shows the operation with its actor and
 * comment; the same page in 中文. Screenshots at desktop and 390×844 (neither scrolls sideways).
 */
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { startTestApi, type TestApi } from '../helpers/api';
import { buildWeb, launchBrowser, newPage, PHONE, screenshot, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const tokens: Record<string, string> = {};

async function assignedToBob(): Promise<string> {
  const started = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;
  const accepted = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(accepted.status).toBe(200);
  return caseId;
}

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_tasks');
  api = await startTestApi(h, { webRoot });
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.carol = await api.user('carol', ['handler']);
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

test('the assignee transfers the task with a comment; the log shows it; desktop and phone', async () => {
  const caseId = await assignedToBob();
  const page = await newPage(b);
  await signIn(page, api.url, tokens.bob!);
  await page.goto(`${api.url}/#/cases/${caseId}`);
  const panel = page.locator('[data-testid=tasks-panel]');
  const task = panel.locator('[data-task=investigating]');
  await task.waitFor();
  expect(await task.locator('[data-testid=task-assignee]').textContent()).toBe('bob');
  expect(await task.textContent()).toContain('Complaint handler');
  await shotsAtBothSizes(page, 'tasks-panel');

  await page.setViewportSize(PHONE);
  await task.locator('[data-operation="task.transfer"]').click();
  const dialog = panel.locator('[role=dialog][data-operation="task.transfer"]');
  await dialog.locator('input[name=to]').fill('carol');
  await dialog.locator('textarea[name=comment]').fill('On leave next week');
  await screenshot(page, 'tasks-transfer-dialog-phone');
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBe(0);
  await dialog.locator('button[type=submit]').click();
  await page.locator('.alert.ok', { hasText: 'Transfer: done.' }).waitFor();
  await page.locator('[data-task=investigating] [data-testid=task-assignee]', { hasText: /^carol$/ }).waitFor();
  // The transfer is a row of the case's log: its label, who did it, and the comment.
  const row = page.locator('table.list.history tr', { hasText: 'Transfer' }).last();
  await row.waitFor();
  expect(await row.textContent()).toContain('bob');
  expect(await row.textContent()).toContain('On leave next week');
  await shotsAtBothSizes(page, 'tasks-after-transfer');
  // bob holds the task no more: the panel offers him no transfer.
  expect(await task.locator('[data-operation="task.transfer"]').count()).toBe(0);
  await page.close();
});

test('the panel and the log in 中文', async () => {
  const caseId = await assignedToBob();
  const moved = await api.call('POST', `/cases/${caseId}/tasks/transfer`, {
    token: tokens.bob,
    body: { to: 'carol', comment: '下周休假' },
  });
  expect(moved.status).toBe(200);
  const page = await newPage(b, { locale: 'zh-CN' });
  await signIn(page, api.url, tokens.carol!);
  await page.goto(`${api.url}/#/cases/${caseId}`);
  const panel = page.locator('[data-testid=tasks-panel]');
  await panel.locator('[data-task=investigating]').waitFor();
  expect(await panel.locator('h2').textContent()).toBe('任务');
  expect(await panel.textContent()).toContain('处理人');
  expect(await panel.locator('[data-operation="task.transfer"]').textContent()).toBe('转交');
  const row = page.locator('table.list.history tr', { hasText: '转交' }).last();
  await row.waitFor();
  expect(await row.textContent()).toContain('下周休假');
  await shotsAtBothSizes(page, 'tasks-panel-zh');
  await page.close();
});

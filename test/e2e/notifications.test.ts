/**
 * The notification centre in the web UI, in headless Chromium on the real API and PostgreSQL:
 * the header's unread badge, the page (mark one read, mark all read), the mail preference, and
 * the admins' outbox view; screenshots at desktop and 390×844 go to test-output/e2e/, neither
 * scrolling sideways.
 */
import type { Page } from 'playwright-core';
import { Pool } from 'pg';
import { DeliveryLoop, recordInOutbox } from '../../adapters/notify';
import { PostgresOutboxQueue } from '../../adapters/postgres/notification-store';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, roleDatabaseUrls, type Harness } from '../helpers/harness';
import { buildWeb, launchBrowser, newPage, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
let workerPool: Pool;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_notifications', { noWorker: true });
  api = await startTestApi(h, { webRoot });
  tokens.amy = await api.user('amy', ['handler']);
  workerPool = new Pool({ connectionString: roleDatabaseUrls(h.config.databaseUrl!).worker, max: 2 });
  for (let i = 1; i <= 3; i++) {
    await recordInOutbox(workerPool, {
      id: `case-e${i}:1:0`,
      caseId: `case-e${i}`,
      processId: 'complaint',
      kind: i === 3 ? 'escalation' : 'reminder',
      to: [{ role: 'handler' }],
      template: 'investigationOverdue',
      subject: { en: `Investigation overdue (${i})`, 'zh-CN': `调查已逾期（${i}）` },
      data: { state: 'investigating' },
      createdAt: new Date(Date.now() + i).toISOString(),
    });
  }
  await new DeliveryLoop(new PostgresOutboxQueue(workerPool), []).deliverDue();
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await workerPool?.end();
  await api?.close();
  await h?.close();
});

const badge = (page: Page) => page.locator('[data-testid=notification-badge]');

test('the badge counts the unread; the page lists them, marks read, and keeps the mail preference', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, tokens.amy!);
  await badge(page).locator('.count').waitFor();
  expect(await badge(page).locator('.count').textContent()).toBe('3');

  await badge(page).click();
  await page.locator('[data-testid=notification]').first().waitFor();
  expect(await page.locator('[data-testid=notification]').count()).toBe(3);
  expect(await page.locator('[data-testid=notification]').first().textContent()).toContain('Investigation overdue (3)');
  await shotsAtBothSizes(page, 'notifications');

  await page.locator('[data-testid=notification] [data-action=read]').first().click();
  await page.locator('[data-testid=notification-counts]', { hasText: '2 unread of 3' }).waitFor();
  await page.locator('[data-testid=notification-badge] .count', { hasText: /^2$/ }).waitFor();

  await page.locator('[data-action=read-all]').click();
  await page.locator('[data-testid=notification-counts]', { hasText: '0 unread of 3' }).waitFor();
  await page.locator('[data-testid=notification-badge] .count').waitFor({ state: 'detached' });

  await page.locator('[data-testid=mail-preference]').uncheck();
  await page.locator('[data-testid=mail-preference]:not(:checked)').waitFor();
  expect((await api.call('GET', '/me/notification-preferences', { token: tokens.amy })).body).toEqual({ inApp: true, mail: false });
  await page.close();
});

test('an admin sees the outbox with each row’s delivery status', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, api.adminToken);
  await page.goto(`${api.url}/#/notifications`);
  await page.locator('section.outbox td', { hasText: 'case-e1:1:0' }).waitFor();
  expect(await page.locator('section.outbox tbody tr').count()).toBe(3);
  expect(await page.locator('section.outbox tbody').textContent()).toContain('in-app');
  await shotsAtBothSizes(page, 'notifications-outbox');
  await page.close();
});

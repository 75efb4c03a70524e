/**
 * The Reports page in headless Chromium on the real API and PostgreSQL: a sales manager picks a
 * report and a period; the chart is drawn (SVG) beside a table of the seeded figures, in English and
 * in Chinese; screenshots at desktop and phone sizes, neither scrolling sideways.
 */
import type { Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';
import { seedCases, type SeedCase } from '../helpers/report-seed';
import { buildWeb, launchBrowser, newPage, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
let sam: string;

const lostDeal = (caseId: string, identified: string, dimensions: string[]): SeedCase => ({
  caseId,
  processId: 'lost_deal',
  customerId: `CUST-${caseId}`,
  context: { salesRep: 'rita', causes: dimensions.map((dimension) => ({ dimension, weight: 'primary', factor: 'f', detail: 'd' })) },
  steps: [
    { event: 'xstate.init', to: 'collectingInfo', at: '2024-02-01T00:00:00.000Z' },
    { event: 'CAUSES_IDENTIFIED', to: 'analysis.reporting', at: identified },
  ],
});

const escalated = (caseId: string, state: string, at: string): SeedCase => ({
  caseId,
  processId: 'complaint',
  customerId: `CUST-${caseId}`,
  context: { category: 'delivery', severity: 'low' },
  steps: [
    { event: 'xstate.init', to: 'received', at: '2024-03-01T00:00:00.000Z' },
    ...(state === 'investigating' ? [{ event: 'ACCEPT', to: 'investigating', at: '2024-03-01T01:00:00.000Z' }] : []),
    { event: 'after:escalation', to: state, at, escalates: true },
  ],
});

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_reports', { noWorker: true });
  api = await startTestApi(h, { webRoot });
  sam = await api.user('sam', ['sales_manager']);
  await seedCases(h, h.pool, [
    lostDeal('D1', '2024-03-05T00:00:00.000Z', ['price', 'product']),
    lostDeal('D2', '2024-03-06T00:00:00.000Z', ['price', 'competitor']),
    lostDeal('D3', '2024-03-07T00:00:00.000Z', ['price']),
    escalated('K1', 'investigating', '2024-03-05T00:00:00.000Z'),
    escalated('K2', 'investigating', '2024-03-06T00:00:00.000Z'),
    escalated('K3', 'received', '2024-03-07T00:00:00.000Z'),
  ]);
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

async function show(page: Page, name: string): Promise<void> {
  await page.locator('[data-testid=report-name]').selectOption(name);
  await page.locator('[data-testid=report-from]').fill('2024-03-01');
  await page.locator('[data-testid=report-to]').fill('2024-04-01');
  await page.locator('[data-testid=report-chart] svg').waitFor();
}

const cells = (page: Page) =>
  page
    .locator('[data-testid=report-table] tbody tr')
    .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));

test('a Pareto of lost-deal causes and the missed-deadline heatmap, drawn beside their tables', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, sam);
  await page.goto(`${api.url}/#/reports`);
  await show(page, 'lost-deal-causes');
  await page.locator('[data-testid=report-table] td', { hasText: '2024-Q1' }).first().waitFor();
  expect(await cells(page)).toEqual([
    ['2024-Q1', 'price', '3', '3', '60', '60'],
    ['2024-Q1', 'competitor', '1', '1', '20', '80'],
    ['2024-Q1', 'product', '1', '1', '20', '100'],
  ]);
  // bars and the cumulative line: SVG paths drawn in the chart
  expect(await page.locator('[data-testid=report-chart] svg path').count()).toBeGreaterThan(3);
  await shotsAtBothSizes(page, 'reports-pareto');

  await show(page, 'sla');
  await page.locator('[data-testid=report-table] td', { hasText: 'received' }).waitFor();
  expect(await cells(page)).toEqual([
    ['complaint', 'investigating', '2'],
    ['complaint', 'received', '1'],
  ]);
  expect(await page.locator('[data-testid=report-chart] svg text', { hasText: 'investigating' }).count()).toBeGreaterThan(0);
  await shotsAtBothSizes(page, 'reports-heatmap');
  await page.close();
});

test('in Chinese: the page, the report names and the column headings', async () => {
  const page = await newPage(b, { locale: 'zh-CN' });
  await signIn(page, api.url, sam);
  await page.goto(`${api.url}/#/reports`);
  await show(page, 'lost-deal-causes');
  await page.locator('h2', { hasText: '报表' }).waitFor();
  expect(await page.locator('[data-testid=report-table] th').allTextContents()).toEqual([
    '期间',
    '维度',
    '原因数',
    '主要原因',
    '占比 %',
    '累计 %',
  ]);
  await shotsAtBothSizes(page, 'reports-zh');
  await page.close();
});

/**
 * The auditors' sampling flow in headless Chromium on the real API, PostgreSQL and a worker: an
 * auditor draws a seeded sample of completed complaints, opens a sampled case, ticks its checklist,
 * records a finding, and reads the sampling report; the rep sees the review on the case page; the
 * case library page in Chinese; a service manager marks a closed complaint as a typical case from its
 * page, which then links the entry. Screenshots at desktop and phone sizes, neither scrolling sideways.
 */
import type { Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../helpers/api';
import { COMPLAINT_STEPS, complaintInput, createHarness, cs, type Harness } from '../helpers/harness';
import { buildWeb, launchBrowser, newPage, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const t: Record<string, string> = {};

/** A complaint driven to its end through the workflow, handled by `rep`. */
async function handled(rep: string): Promise<string> {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  for (const [type, data, actor] of COMPLAINT_STEPS) {
    const handler = actor.role === 'handler';
    await h.docket.send(caseId, {
      type,
      data: type === 'ACCEPT' ? { ...data, assignee: rep } : data,
      actor: handler ? { userId: rep, role: 'handler' } : actor,
    });
  }
  return caseId;
}

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_sampling');
  api = await startTestApi(h, { webRoot });
  t.eve = await api.user('eve', ['auditor']);
  t.bob = await api.user('bob', ['handler']);
  t.ben = await api.user('ben', ['handler']);
  t.sue = await api.user('sue', ['service_manager']);
  // Completed today: bob handled three complaints, ben two.
  for (const rep of ['bob', 'bob', 'bob', 'ben', 'ben']) await handled(rep);
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

const rows = (page: Page, testId: string) =>
  page
    .locator(`[data-testid=${testId}] tbody tr`)
    .evaluateAll((trs) => trs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent?.trim())));

test('an auditor draws a sample, reviews a case against its checklist and reads the report', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, t.eve!);
  await page.goto(`${api.url}/#/sampling`);
  await page.locator('[data-testid=draw-process]').selectOption('complaint');
  await page.locator('[data-testid=draw-from]').fill(today());
  await page.locator('[data-testid=draw-to]').fill(tomorrow());
  await page.locator('[data-testid=draw-amount]').fill('2');
  await page.locator('[data-testid=draw-seed]').fill('spring-2024');
  await shotsAtBothSizes(page, 'sampling-draw');
  await page.locator('[data-action=draw]').click();
  await page.locator('[data-testid=sample-cases]').waitFor();
  expect(await page.locator('[data-testid=sample-params]').textContent()).toContain('spring-2024');
  const drawn = await rows(page, 'sample-cases');
  expect(drawn.map((r) => r[0])).toEqual(['ben', 'ben', 'bob', 'bob']);
  // The same draw by the API with the same seed picks the same cases.
  const again = await api.call('POST', '/audit/samples', {
    token: t.eve!,
    body: { process: 'complaint', from: today(), to: tomorrow(), size: 2, seed: 'spring-2024' },
  });
  expect(again.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual(drawn.map((r) => r[2]));
  await shotsAtBothSizes(page, 'sampling-sample');

  // Open bob's first case and review it: one item fails, with what was found.
  const bobCase = drawn.find((r) => r[0] === 'bob')![2]!;
  await page.locator(`[data-case="${bobCase}"] a`).click();
  await page.locator('[data-testid=review-form]').waitFor();
  for (const id of ['accepted_in_time', 'findings_documented', 'satisfaction_confirmed'])
    await page.locator(`[data-item=${id}] input[value=pass]`).check();
  await page.locator('[data-item=compensation_justified] input[value=na]').check();
  await page.locator('[data-item=contact_logged] input[value=fail]').check();
  await page.locator('[data-finding=contact_logged]').fill('No call logged before the resolution');
  await page.locator('[data-testid=review-comment]').fill('Remind the team to log calls');
  await shotsAtBothSizes(page, 'sampling-review');
  await page.locator('[data-action=save-review]').click();

  // Back on the sample: the case shows its failed review, and the report counts it.
  await page.locator(`[data-case="${bobCase}"] .badge.danger`).waitFor();
  const report = await rows(page, 'sampling-report');
  expect(report.map((r) => r.slice(0, 7))).toEqual([
    ['ben', '2', '2', '0', '0', '0', '0'],
    ['bob', '3', '2', '1', '0', '1', '1'],
    ['(total)', '5', '4', '1', '0', '1', '1'],
  ]);
  expect(await page.locator('[data-testid=sampling-report] th').allTextContents()).toContain('Contact with the customer logged');
  await shotsAtBothSizes(page, 'sampling-report');

  // The review is an annotation on the case: shown on the audit page, verified with the chain.
  await page.goto(`${api.url}/#/audit/${bobCase}`);
  await page.locator('[data-testid=annotations] li[data-kind=review]').waitFor();
  expect(await page.locator('[data-testid=annotations]').textContent()).toContain('No call logged before the resolution');
  await page.locator('[data-action=verify]').click();
  await page.locator('[data-verified=true]').waitFor();
  await page.close();
});

test('the rep sees the review on the case page; the case library in Chinese', async () => {
  const samples = (await api.call('GET', '/audit/samples', { token: t.eve! })).body.samples;
  const reviewed = samples.find((s: { reviewed: number }) => s.reviewed === 1);
  const sample = await api.call('GET', `/audit/samples/${reviewed.sampleId}`, { token: t.eve! });
  const bobCase: string = sample.body.cases.find((c: { rep: string; review: unknown }) => c.rep === 'bob' && c.review !== null).caseId;
  // bob reads the review on his case (the API) …
  const stored = await api.call('GET', `/cases/${bobCase}/annotations`, { token: t.bob! });
  expect(stored.body.annotations.map((a: { kind: string; rep: string }) => [a.kind, a.rep])).toEqual([['review', 'bob']]);
  const page = await newPage(b);
  await signIn(page, api.url, t.bob!);
  await page.goto(`${api.url}/#/cases/${bobCase}`);
  await page.locator('[data-testid=annotations] li[data-kind=review]').waitFor();
  expect(await page.locator('[data-testid=annotations]').textContent()).toContain('No call logged before the resolution');
  await shotsAtBothSizes(page, 'sampling-rep-case');
  await page.close();

  const marked = await api.call('POST', '/library', {
    token: t.eve!,
    body: {
      caseId: sample.body.cases.find((c: { rep: string }) => c.rep === 'ben').caseId,
      title: '送货延误两天',
      summary: '安装工晚到两天；道歉并补偿运费后客户满意。',
      tags: ['送货', '补偿'],
    },
  });
  expect(marked.status).toBe(201);
  const zh = await newPage(b, { locale: 'zh-CN' });
  await signIn(zh, api.url, t.eve!);
  await zh.goto(`${api.url}/#/library`);
  await zh.locator('h1', { hasText: '案例库' }).waitFor();
  await zh.locator('[data-testid=library-entries] li').first().waitFor();
  expect(await zh.locator('[data-testid=library-entries]').textContent()).toContain('送货延误两天');
  await shotsAtBothSizes(zh, 'library-zh');
  await zh.goto(`${api.url}/#/sampling`);
  await zh.locator('h1', { hasText: '抽样复核' }).waitFor();
  await zh.locator('[data-testid=samples]').waitFor();
  await shotsAtBothSizes(zh, 'sampling-zh');
  await zh.close();
});

test('a service manager marks a closed complaint as a typical case from its page; then its page links the entry', async () => {
  const caseId = await handled('ben');
  // A handler may not mark typical cases: no control, and no link while it is not in the library.
  const ben = await newPage(b);
  await signIn(ben, api.url, t.ben!);
  await ben.goto(`${api.url}/#/cases/${caseId}`);
  await ben.locator('[data-testid=case-state]').waitFor();
  await ben.waitForLoadState('networkidle');
  expect(await ben.locator('[data-testid=case-library]').count()).toBe(0);
  await ben.close();

  const page = await newPage(b);
  await signIn(page, api.url, t.sue!);
  await page.goto(`${api.url}/#/cases/${caseId}`);
  await page.locator('button[data-action=mark-typical]').click();
  const form = page.locator('form[data-form=mark-typical]');
  await form.locator('#mark-typical-title').fill('Late installer, freight refunded');
  await form
    .locator('#mark-typical-summary')
    .fill('The installer came two days late; an apology and the freight refunded kept the customer.');
  await form.locator('#mark-typical-tags').fill('delivery, compensation');
  await shotsAtBothSizes(page, 'case-mark-typical');
  await form.locator('button[data-action=save-typical]').click();
  const link = page.locator('[data-testid=library-link] a');
  await link.waitFor();
  const entries = (await api.call('GET', `/library?caseId=${caseId}`, { token: t.eve! })).body.entries;
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ title: 'Late installer, freight refunded', tags: ['delivery', 'compensation'], markedBy: 'sue' });
  expect(await link.getAttribute('href')).toBe(`#/library/${entries[0].entryId}`);
  await shotsAtBothSizes(page, 'case-typical-linked');

  // Opened again, the page shows the link instead of the control, and the link opens the entry.
  await page.reload();
  await page.locator('[data-testid=library-link] a').click();
  await page.waitForURL(`**/#/library/${entries[0].entryId}`);
  await page.locator(`[data-entry="${entries[0].entryId}"]`, { hasText: 'Late installer, freight refunded' }).waitFor();
  await page.close();

  // In 中文: the control's labels.
  const other = await handled('bob');
  const zh = await newPage(b, { locale: 'zh-CN' });
  await signIn(zh, api.url, t.sue!);
  await zh.goto(`${api.url}/#/cases/${other}`);
  await zh.locator('button[data-action=mark-typical]', { hasText: '标记为典型案例' }).click();
  expect(await zh.locator('label[for=mark-typical-summary]').textContent()).toBe('摘要');
  await shotsAtBothSizes(zh, 'case-mark-typical-zh');
  await zh.close();
});

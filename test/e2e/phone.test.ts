/**
 * The inbox (views, filters, paging), the case page and an event form on a phone (390×844) and
 * on a desktop, in headless Chromium on the real API, Temporal and PostgreSQL: nothing wider than
 * the screen, and the main controls visible, inside the screen and not covered. Screenshots go to
 * test-output/e2e/.
 */
import type { Locator, Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { buildWeb, launchBrowser, screenshot, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const tokens: Record<string, string> = {};
const received: string[] = [];
let assigned: string;

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1400, height: 1000 },
] as const;

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_phone');
  api = await startTestApi(h, { webRoot });
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  // Long customer ids and texts, as field staff type them: they must wrap, not widen the page.
  // More than the page's 20, so that "show more" reads a second page.
  for (let i = 0; i < 23; i++) {
    const res = await api.call('POST', '/cases', {
      token: tokens.amy,
      body: {
        process: 'complaint',
        input: {
          ...complaintInput,
          customer: `CUSTOMER-${i}-SHANGHAI-PUDONG-XINQU-ZHANGJIANG-HI-TECH-PARK`,
          content: 'The delivered cabinet has a cracked door; the customer asks for a replacement before the weekend. '.repeat(3),
        },
      },
    });
    expect(res.status).toBe(201);
    received.push(res.body.caseId);
  }
  assigned = received.shift()!;
  const accepted = await api.call('POST', `/cases/${assigned}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(accepted.status).toBe(200);
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

async function pageOfSize(size: (typeof SIZES)[number]): Promise<Page> {
  const context = await b.browser.newContext({
    viewport: { width: size.width, height: size.height },
    locale: 'en-GB',
    ...(size.name === 'phone' && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Nothing is wider than the screen: no sideways scrolling. */
async function expectNoOverflow(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth })',
  );
  expect({ what, scrollWidth, fits: scrollWidth <= innerWidth }).toEqual({ what, scrollWidth, fits: true });
}

/**
 * A control one can hit: visible, inside the screen's width, on a phone at least 40 px high and
 * wide (on a desktop 24; the text of a link 16), and the topmost element at its centre once
 * scrolled to.
 */
async function expectTappable(control: Locator, what: string): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  const box = await control.boundingBox();
  expect({ what, visible: box !== null }).toEqual({ what, visible: true });
  const viewport = control.page().viewportSize()!;
  const isLink = await control.evaluate((el) => el.tagName === 'A');
  const minHeight = isLink ? 16 : viewport.width <= 700 ? 40 : 24;
  expect({
    what,
    inside: box!.x >= 0 && box!.x + box!.width <= viewport.width + 0.5,
    bigEnough: box!.height >= minHeight && box!.width >= Math.max(minHeight, isLink ? 16 : 40),
  }).toEqual({ what, inside: true, bigEnough: true });
  // In the page: `el.ownerDocument` is its document (the test's own code has no DOM types).
  const onTop = await control.evaluate((el) => {
    // The first line of a link that wraps: the middle of its whole box may fall between two lines.
    const r = el.getClientRects()[0] ?? el.getBoundingClientRect();
    const hit = el.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  });
  expect({ what, onTop }).toEqual({ what, onTop: true });
}

for (const size of SIZES) {
  test(`${size.name} (${size.width}×${size.height}): the inbox's views, filters, list and paging`, async () => {
    const page = await pageOfSize(size);
    await signIn(page, api.url, tokens.amy!);
    await page.goto(`${api.url}/#/inbox`);
    const list = page.locator('table.inbox');
    await list.waitFor();
    await expectNoOverflow(page, 'inbox');
    for (const view of ['actionable', 'assigned', 'claimable', 'started', 'done']) {
      await expectTappable(page.locator(`.view-tabs button[data-view="${view}"]`), `tab ${view}`);
    }
    for (const control of ['#filter-process', '#filter-state', '#filter-customer', '#filter-overdue', '[data-action=filter]']) {
      await expectTappable(page.locator(control), control);
    }
    // A row reads as a card on a phone: the case id and the customer are whole lines, not a letter per line.
    const firstRow = list.locator('tbody tr').first();
    const rowBox = await firstRow.boundingBox();
    expect(rowBox!.width).toBeGreaterThan(size.width * 0.8);
    const idCell = firstRow.locator('td.case-id');
    expect((await idCell.boundingBox())!.height).toBeLessThan(80);
    await expectTappable(firstRow.locator('td.case-id a'), 'the case link');
    await screenshot(page, `20-${size.name}-inbox`);

    // Claimable: none. A complaint (version 2) names its handler when it is accepted, so no complaint waits for
    // someone to claim it; the view says so in words.
    expect((await api.call('GET', '/inbox?view=claimable', { token: tokens.amy })).body.total).toBe(0);
    await page.locator('.view-tabs button[data-view="claimable"]').click();
    await page.getByText('No cases in this view.').waitFor();
    expect(await list.locator('tbody tr').count()).toBe(0);
    await expectNoOverflow(page, 'empty view');

    // Actionable: the open complaints where customer service has an event (ACCEPT while received; a contact or a
    // withdrawal later): all 23, twenty a page, with the total.
    const actionable = (await api.call('GET', '/inbox?view=actionable', { token: tokens.amy })).body.total as number;
    expect(actionable).toBeGreaterThanOrEqual(21);
    await page.locator('.view-tabs button[data-view="actionable"]').click();
    await page.locator('[data-testid=inbox-count]', { hasText: `20 of ${actionable}` }).waitFor();
    expect(await list.locator('tbody tr').count()).toBe(20);

    // A filter by customer narrows the list to one case.
    await page.locator('#filter-customer').fill('CUSTOMER-3-SHANGHAI-PUDONG-XINQU-ZHANGJIANG-HI-TECH-PARK');
    await page.locator('[data-action=filter]').click();
    await page.locator('[data-testid=inbox-count]', { hasText: '1 of 1' }).waitFor();
    await expectNoOverflow(page, 'filtered inbox');
    await page.locator('[data-action=clear-filters]').click();
    await page.locator('[data-testid=inbox-count]', { hasText: `20 of ${actionable}` }).waitFor();

    // Started by me: 23 cases, twenty a page; "show more" adds the rest through the API's cursor, each case once.
    await page.locator('.view-tabs button[data-view="started"]').click();
    await page.locator('[data-testid=inbox-count]', { hasText: '20 of 23' }).waitFor();
    const more = page.locator('[data-action=show-more]');
    await expectTappable(more, 'show more');
    await more.click();
    await page.locator('[data-testid=inbox-count]', { hasText: '23 of 23' }).waitFor();
    expect(await more.count()).toBe(0);
    const listed = await list.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')));
    expect(new Set(listed).size).toBe(23);
    expect([...listed].sort()).toEqual([assigned, ...received].sort());
    await expectNoOverflow(page, 'inbox, two pages');
    await screenshot(page, `21-${size.name}-inbox-started`);
    await page.close();
  });

  test(`${size.name} (${size.width}×${size.height}): the case page and an event form`, async () => {
    const page = await pageOfSize(size);
    await signIn(page, api.url, tokens.amy!);
    const caseId = received[SIZES.indexOf(size)]!;
    await page.goto(`${api.url}/#/cases/${caseId}`);
    await page.locator('[data-testid=case-state]', { hasText: 'Received' }).waitFor();
    await page.locator('.diagram svg').waitFor();
    await expectNoOverflow(page, 'case page');
    await expectTappable(page.locator('.event-buttons button[data-event="ACCEPT"]'), 'ACCEPT');
    await screenshot(page, `22-${size.name}-case-page`);

    await page.locator('.event-buttons button[data-event="ACCEPT"]').click();
    const form = page.locator('.event-form[data-form="ACCEPT"]');
    await form.waitFor();
    await expectNoOverflow(page, 'event form');
    for (const field of await form.locator('input, select, textarea').all()) {
      const id = (await field.getAttribute('id')) ?? 'field';
      if (await field.isVisible()) await expectTappable(field, `ACCEPT form: ${id}`);
    }
    await expectTappable(form.locator('button[type=submit]'), 'ACCEPT send');
    await screenshot(page, `23-${size.name}-event-form`);

    // The form works at this size: amy hands the case to bob.
    await form.locator('#ev-ACCEPT-department').fill('after_sales');
    await form.locator('#ev-ACCEPT-assignee').fill('bob');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-testid=case-state]', { hasText: 'Investigating' }).waitFor();
    await expectNoOverflow(page, 'case page after an event');
    await page.close();
  });
}

test('phone: the page of a case with a long history and a handler at work', async () => {
  const page = await pageOfSize(SIZES[0]);
  await signIn(page, api.url, tokens.bob!);
  await page.goto(`${api.url}/#/inbox`);
  await page.locator('.view-tabs button[data-view="assigned"]').click();
  const row = page.locator(`table.inbox tr[data-case="${assigned}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain('assigned to me');
  await row.locator('td.case-id a').click();
  await page.locator('[data-testid=case-state]', { hasText: 'Investigating' }).waitFor();
  await page.locator('.case-side .timeline li').first().waitFor();
  await expectNoOverflow(page, 'handler case page');
  await screenshot(page, '24-phone-handler-case-page');
  await page.close();
});

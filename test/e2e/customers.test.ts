/**
 * The customer pages in headless Chromium on the real API, worker and PostgreSQL (records
 * required for new cases): a sales rep finds no customer, creates one through the page (a refused
 * owner first: its error shown, nothing stored), edits it, grades it, logs a call; a case of the
 * customer shows in its timeline and links both ways; who may not grade or edit is offered neither; a
 * sales manager hands a customer over (a refused new rep first: nothing moves); a customer with more
 * cases than the timeline lists shows the rest on request;
 * the pages in 中文. Screenshots at desktop and 390×844 (neither scrolls sideways) in test-output/e2e/.
 */
import type { Page } from 'playwright-core';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { buildWeb, launchBrowser, newPage, PHONE, DESKTOP, screenshot, shotsAtBothSizes, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const tokens: Record<string, string> = {};

const ID = 'CUST-3001';
const NAME = 'Huamei Stores (Pudong) Co., Ltd.';

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_customers', { requireCustomerRecord: true });
  api = await startTestApi(h, { webRoot });
  tokens.ray = await api.user('ray', ['sales_rep']);
  tokens.rita = await api.user('rita', ['sales_rep']);
  tokens.sam = await api.user('sam', ['sales_manager']);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.eve = await api.user('eve', ['auditor']);
  tokens.lee = await api.user('lee', ['legal']);
  // Others' customers, so that the list has rows to find among.
  for (const [customerId, name, owner] of [
    ['CUST-1001', 'Li Hua Furniture', 'rita'],
    ['CUST-1002', 'Zhongshan Metro Media', 'rita'],
  ] as const) {
    const res = await api.call('POST', '/customers', { token: tokens.sam, body: { customerId, name, owner, industry: 'Retail' } });
    expect(res.status).toBe(201);
  }
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

const record = async (id: string) => api.call('GET', `/customers/${id}`, { token: tokens.sam });
const customerCount = async () => (await api.call('GET', '/customers?limit=1', { token: tokens.sam })).body.total as number;

/** Nothing wider than the screen at the page's current size. */
async function expectNoOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect({ what, overflow }).toEqual({ what, overflow: 0 });
}

test('a sales rep creates, edits and grades a customer and logs a call; a refused owner changes nothing; the case links both ways', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, tokens.ray!);
  await page.locator('header.top nav a', { hasText: 'Customers' }).click();
  await page.locator('table.list.customers tr[data-customer="CUST-1001"]').waitFor();
  expect(await page.locator('[data-testid=customers-count]').textContent()).toBe('2 of 2');

  // Find by part of the id, then by grade (none is graded yet).
  await page.locator('#find-search').fill('1002');
  await page.locator('button[data-action=find]').click();
  await page.waitForFunction("document.querySelectorAll('table.list.customers tbody tr').length === 1");
  expect(await page.locator('table.list.customers tbody tr').getAttribute('data-customer')).toBe('CUST-1002');
  await page.locator('button[data-action=clear-filters]').click();
  await page.locator('table.list.customers tr[data-customer="CUST-1001"]').waitFor();
  await shotsAtBothSizes(page, 'customers-list');

  // A new record, every field, at phone size: first with an owner who is no user.
  await page.setViewportSize(PHONE);
  await page.locator('button[data-action=new-customer]').click();
  const form = page.locator('form[data-form=new-customer]');
  await form.locator('#new-customer-customerId').fill(ID);
  await form.locator('#new-customer-name').fill(NAME);
  await form.locator('#new-customer-industry').fill('Retail');
  await form.locator('#new-customer-size').fill('200-500 staff');
  await form.locator('#new-customer-businessScope').fill('Furniture and home goods, 14 stores in Shanghai');
  await form.locator('#new-customer-needType').fill('Metro advertising');
  await form.locator('#new-customer-owner').fill('nobody');
  await form.locator('button[data-action=add-person]').click();
  await form.locator('#new-customer-contacts-0-name').fill('Wang Wei');
  await form.locator('#new-customer-contacts-0-position').fill('Purchasing manager');
  await form.locator('#new-customer-contacts-0-phone').fill('138 0000 0001');
  await form.locator('#new-customer-contacts-0-email').fill('wang.wei@example');
  await form.locator('#new-customer-contacts-0-wechat').fill('wangwei-hm');
  await form.locator('button[data-action=save-customer]').click();
  // The form's own check: the e-mail, at its field; nothing sent.
  await form.locator('.field.invalid #new-customer-contacts-0-email').waitFor();
  expect(await form.locator('#new-customer-contacts-0-email-error').textContent()).toBe('Enter an e-mail address');
  await form.locator('#new-customer-contacts-0-email').fill('wang.wei@example.cn');
  await form.locator('button[data-action=save-customer]').click();
  // The API refuses the owner: the reason above the form and at the field, the values kept, nothing stored.
  const alert = form.locator('.alert.error');
  await alert.locator('text=no user "nobody"').waitFor();
  expect(await alert.locator('strong').textContent()).toBe('Some of the entered values were not accepted.');
  expect(await form.locator('#new-customer-owner-error').textContent()).toContain('no user "nobody"');
  expect(await form.locator('#new-customer-name').inputValue()).toBe(NAME);
  expect((await record(ID)).status).toBe(404);
  expect(await customerCount()).toBe(2);
  await screenshot(page, 'customers-new-refused-phone');
  await expectNoOverflow(page, 'new customer form, refused, phone');

  // Left empty, the owner is ray, who creates it.
  await form.locator('#new-customer-owner').fill('');
  await form.locator('button[data-action=save-customer]').click();
  await page.waitForURL(`**/#/customers/${ID}`);
  await page.locator('[data-testid=record] [data-field=owner]', { hasText: 'ray' }).waitFor();
  expect(await page.locator('[data-testid=customer-name]').textContent()).toBe(NAME);
  expect(await page.locator('.person-card').textContent()).toContain('wang.wei@example.cn');
  const created = await record(ID);
  expect(created.body.customer).toMatchObject({
    name: NAME,
    owner: 'ray',
    industry: 'Retail',
    size: '200-500 staff',
    businessScope: 'Furniture and home goods, 14 stores in Shanghai',
    needType: 'Metro advertising',
    contacts: [
      { name: 'Wang Wei', position: 'Purchasing manager', phone: '138 0000 0001', email: 'wang.wei@example.cn', wechat: 'wangwei-hm' },
    ],
    createdBy: 'ray',
  });
  await page.setViewportSize(DESKTOP);

  // Edit: another industry and a second contact person.
  await page.locator('button[data-action=edit-customer]').click();
  const edit = page.locator('form[data-form=edit-customer]');
  await edit.locator('#edit-customer-industry').fill('Retail chain');
  await edit.locator('button[data-action=add-person]').click();
  await edit.locator('#edit-customer-contacts-1-name').fill('Chen Jing');
  await edit.locator('#edit-customer-contacts-1-phone').fill('+86 21 5555 0101');
  await shotsAtBothSizes(page, 'customer-edit-form');
  await edit.locator('button[data-action=save-customer]').click();
  await page.locator('.alert.ok', { hasText: 'Saved.' }).waitFor();
  await page.locator('[data-field=industry]', { hasText: 'Retail chain' }).waitFor();
  await page.locator('.person-card[data-person="1"]', { hasText: 'Chen Jing' }).waitFor();
  const edited = (await record(ID)).body.customer;
  expect(edited).toMatchObject({ industry: 'Retail chain', updatedBy: 'ray', name: NAME });
  expect(edited.contacts.map((c: { name: string }) => c.name)).toEqual(['Wang Wei', 'Chen Jing']);

  // Grade: without a grade chosen the form says so and nothing is sent.
  await page.locator('button[data-action=change-grades]').click();
  const grade = page.locator('form[data-form=grade]');
  await grade.locator('#grade-reason').fill('Budget confirmed for spring');
  await grade.locator('button[data-action=save-grades]').click();
  expect(await grade.locator('#grade-value-error').textContent()).toBe('Choose a value grade, an intention grade or both');
  expect((await record(ID)).body.gradeHistory).toEqual([]);
  await grade.locator('#grade-value').selectOption('high');
  await grade.locator('#grade-intention').selectOption('A');
  await grade.locator('button[data-action=save-grades]').click();
  await page.locator('.alert.ok', { hasText: 'Grades changed.' }).waitFor();
  await page.locator('[data-testid=intention-grade][data-grade=A]').waitFor();
  expect(await page.locator('[data-testid=value-grade]').textContent()).toBe('High');
  expect(await page.locator('[data-testid=intention-grade]').textContent()).toBe('A');
  const history = page.locator('.grade-history li');
  expect(await history.count()).toBe(2);
  expect(await history.first().textContent()).toContain('ray');
  expect(await history.first().textContent()).toContain('Sales representative');
  expect(await history.first().textContent()).toContain('Budget confirmed for spring');
  const graded = (await record(ID)).body;
  expect(graded.customer).toMatchObject({ valueGrade: 'high', intentionGrade: 'A' });
  expect(graded.gradeHistory.map((g: { grade: string; to: string }) => `${g.grade}:${g.to}`).sort()).toEqual(['intention:A', 'value:high']);

  // A case of the customer (started by a colleague): in the cases and the timeline, linked.
  const started = await api.call('POST', '/cases', {
    token: tokens.amy,
    body: { process: 'complaint', input: { ...complaintInput, customer: ID } },
  });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;

  // Log a call about that case: the contact log, then the timeline, show it.
  await page.locator('.customer-main > .heading button', { hasText: 'Reload' }).click();
  await page.locator(`.customer-cases li[data-case="${caseId}"]`).waitFor();
  await page.locator('button[data-action=log-contact]').click();
  const contact = page.locator('form[data-form=contact]');
  await contact.locator('#contact-channel').selectOption('phone');
  await contact.locator('#contact-direction').selectOption('out');
  await contact.locator('#contact-case').selectOption(caseId);
  await contact.locator('#contact-summary').fill('Offered the spring package; call back Friday');
  await shotsAtBothSizes(page, 'customer-contact-form');
  await contact.locator('button[data-action=save-contact]').click();
  await page.locator('.alert.ok', { hasText: 'Contact logged.' }).waitFor();
  const logged = page.locator('[data-testid=contact-log] li.contact');
  await logged.first().waitFor();
  expect(await logged.first().textContent()).toContain('Offered the spring package; call back Friday');
  expect(await logged.first().textContent()).toContain('Call · out');
  const timeline = page.locator('.customer-side [data-testid=timeline]');
  await timeline.locator('li.contact', { hasText: 'Offered the spring package' }).waitFor();
  // Newest first: the call (and the follow-up plan the grade started, told of the call), then the case's start.
  const items = timeline.locator('ol.timeline > li');
  await timeline.locator('li[data-case^="follow_up-"]').first().waitFor();
  const order = await items.evaluateAll((lis) =>
    lis.map((li) => (li.classList.contains('contact') ? 'contact' : (li.getAttribute('data-case') ?? ''))),
  );
  expect(order[0] === 'contact' || order[0]!.startsWith('follow_up-')).toBe(true);
  expect(order.indexOf('contact')).toBeLessThan(order.indexOf(caseId));
  expect(order.filter((o) => o.startsWith('follow_up-')).length).toBeGreaterThan(0);
  expect(await timeline.locator(`li[data-case="${caseId}"]`).last().textContent()).toContain('Case started');
  await shotsAtBothSizes(page, 'customer-page');

  // ray's role takes no part in complaints: the case is named, not linked (its page would refuse him).
  expect(await page.locator(`.customer-cases li[data-case="${caseId}"] a`).count()).toBe(0);
  expect(await timeline.locator(`li[data-case="${caseId}"] a`).count()).toBe(0);
  await page.close();

  // amy's is: from the timeline to the case; the case's side shows the call, and links back to its customer.
  const amy = await newPage(b);
  await signIn(amy, api.url, tokens.amy!);
  await amy.goto(`${api.url}/#/customers/${ID}`);
  const amyTimeline = amy.locator('.customer-side [data-testid=timeline]');
  await amyTimeline.locator(`li[data-case="${caseId}"] a[href="#/cases/${caseId}"]`).click();
  await amy.locator('[data-testid=case-state]').waitFor();
  await amy.locator('.case-side li.contact', { hasText: 'Offered the spring package' }).waitFor();
  await shotsAtBothSizes(amy, 'customer-case-page');
  await amy.locator('[data-testid=case-customer]').click();
  await amy.waitForURL(`**/#/customers/${ID}`);
  await amy.locator('[data-testid=customer-name]', { hasText: NAME }).waitFor();
  await amy.close();
});

test('a taken id is refused and changes nothing; who may not edit, grade or log is offered none of it', async () => {
  const before = await customerCount();
  const page = await newPage(b);
  await signIn(page, api.url, tokens.amy!);
  await page.goto(`${api.url}/#/customers`);
  await page.locator('button[data-action=new-customer]').click();
  const form = page.locator('form[data-form=new-customer]');
  await form.locator('#new-customer-customerId').fill('CUST-1001');
  await form.locator('#new-customer-name').fill('Somebody else');
  await form.locator('button[data-action=save-customer]').click();
  await form.locator('.alert.error', { hasText: 'A customer with this id exists already' }).waitFor();
  expect(await form.locator('#new-customer-customerId-error').textContent()).toBe('This id is taken');
  expect(await customerCount()).toBe(before);
  expect((await record('CUST-1001')).body.customer.name).toBe('Li Hua Furniture');
  await shotsAtBothSizes(page, 'customers-new-taken-id');
  // A customer service agent keeps records and logs contacts, but grades no one.
  await page.goto(`${api.url}/#/customers/CUST-1001`);
  await page.locator('[data-testid=record]').waitFor();
  expect(await page.locator('button[data-action=edit-customer]').count()).toBe(1);
  expect(await page.locator('button[data-action=log-contact]').count()).toBe(1);
  expect(await page.locator('button[data-action=change-grades]').count()).toBe(0);
  await page.close();

  // Another sales rep's customer: no grading, and the page says whom to ask.
  const ray = await newPage(b);
  await signIn(ray, api.url, tokens.ray!);
  await ray.goto(`${api.url}/#/customers/CUST-1001`);
  await ray.locator('[data-testid=record]').waitFor();
  expect(await ray.locator('button[data-action=change-grades]').count()).toBe(0);
  await ray.locator('[data-testid=grades]', { hasText: 'ask a sales manager' }).waitFor();
  await ray.close();

  // An auditor reads everything and changes nothing; a handler may log contacts only.
  const eve = await newPage(b);
  await signIn(eve, api.url, tokens.eve!);
  await eve.locator('header.top nav a', { hasText: 'Customers' }).click();
  await eve.locator(`table.list.customers tr[data-customer="${ID}"]`).click();
  await eve.locator('.person-card', { hasText: 'Wang Wei' }).waitFor();
  for (const action of ['new-customer', 'edit-customer', 'change-grades', 'log-contact']) {
    expect({ action, count: await eve.locator(`button[data-action=${action}]`).count() }).toEqual({ action, count: 0 });
  }
  await eve.locator('[data-testid=contact-log] li.contact').first().waitFor();
  await eve.close();

  const bob = await newPage(b);
  await signIn(bob, api.url, tokens.bob!);
  await bob.goto(`${api.url}/#/customers/${ID}`);
  await bob.locator('[data-testid=record]').waitFor();
  expect(await bob.locator('button[data-action=edit-customer]').count()).toBe(0);
  expect(await bob.locator('button[data-action=log-contact]').count()).toBe(1);
  // An id that cases may name without a record: said so, not an error.
  await bob.goto(`${api.url}/#/customers/CUST-NONE`);
  await bob.locator('[data-testid=no-record]', { hasText: 'No record of this customer.' }).waitFor();
  await bob.locator('[data-testid=timeline]', { hasText: 'Nothing has happened with this customer yet.' }).waitFor();
  expect(await bob.locator('.alert.error').count()).toBe(0);
  await bob.close();

  // A role that does not deal with customers has no Customers entry.
  const lee = await newPage(b);
  await signIn(lee, api.url, tokens.lee!);
  await lee.locator('header.top nav a').first().waitFor();
  expect(await lee.locator('header.top nav a', { hasText: 'Customers' }).count()).toBe(0);
  await lee.close();
});

test('a sales manager hands a customer over: a refused new rep changes nothing, then the owner and the cases move', async () => {
  const OTHER = 'CUST-1002';
  const started = await api.call('POST', '/cases', {
    token: tokens.amy,
    body: { process: 'complaint', input: { ...complaintInput, customer: OTHER } },
  });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;

  // A sales rep is offered no handover.
  const ray = await newPage(b);
  await signIn(ray, api.url, tokens.ray!);
  await ray.goto(`${api.url}/#/customers/${OTHER}`);
  await ray.locator('[data-testid=record]').waitFor();
  expect(await ray.locator('[data-testid=handover]').count()).toBe(0);
  await ray.close();

  const page = await newPage(b);
  await signIn(page, api.url, tokens.sam!);
  await page.goto(`${api.url}/#/customers/${OTHER}`);
  await page.locator('[data-testid=record] [data-field=owner]', { hasText: 'rita' }).waitFor();

  // At phone size: amy holds no sales_rep role; the refusal is shown at the field and nothing moves.
  await page.setViewportSize(PHONE);
  await page.locator('button[data-action=hand-over]').click();
  const form = page.locator('form[data-form=handover]');
  await form.locator('#handover-to').fill('amy');
  await form.locator('#handover-reason').fill('Rita leaves the Pudong team');
  await form.locator('button[data-action=save-handover]').click();
  await form.locator('.alert.error', { hasText: 'The new sales rep was refused: nothing changed.' }).waitFor();
  expect(await form.locator('#handover-to-error').textContent()).toContain('does not hold sales_rep');
  expect((await record(OTHER)).body.customer.owner).toBe('rita');
  expect(await page.locator('[data-testid=record] [data-field=owner]').textContent()).toBe('rita');
  await screenshot(page, 'customer-handover-refused-phone');
  await expectNoOverflow(page, 'handover refused, phone');
  // Nobody of that name: refused too.
  await form.locator('#handover-to').fill('nobody');
  await form.locator('button[data-action=save-handover]').click();
  await form.locator('#handover-to-error', { hasText: 'no user "nobody"' }).waitFor();
  expect((await record(OTHER)).body.customer.owner).toBe('rita');

  // ray is a sales rep: the owner moves, the page says what moved and shows the new owner.
  await page.setViewportSize(DESKTOP);
  await form.locator('#handover-to').fill('ray');
  await shotsAtBothSizes(page, 'customer-handover-form');
  await form.locator('button[data-action=save-handover]').click();
  const result = page.locator('[data-testid=handover-result]');
  await result.waitFor();
  expect(await result.locator('strong').textContent()).toBe('Handed over: owner rita → ray.');
  await page.locator('[data-testid=record] [data-field=owner]', { hasText: 'ray' }).waitFor();
  expect(await page.locator('form[data-form=handover]').count()).toBe(0);
  const moved = (await record(OTHER)).body.customer;
  expect(moved.owner).toBe('ray');
  // The complaint's case is either moved or named with a reason.
  expect((await result.textContent()) ?? '').toMatch(/Cases whose tasks moved: \d+/);
  expect((await result.textContent()) ?? '').toMatch(/Cases not moved: \d+/);
  const listed = await result.locator(`li[data-case="${caseId}"]`).count();
  expect(listed).toBeLessThanOrEqual(1);
  // The timeline shows the handover.
  await page.locator('.customer-side [data-testid=timeline]', { hasText: 'ray' }).waitFor();
  await shotsAtBothSizes(page, 'customer-handover-done');
  await page.close();
});

test('the customer pages in 中文', async () => {
  const page = await newPage(b, { locale: 'zh-CN' });
  await signIn(page, api.url, tokens.sam!);
  await page.locator('header.top nav a', { hasText: '客户' }).click();
  await page.locator('h1', { hasText: '客户' }).waitFor();
  expect(await page.locator('label[for=find-search]').textContent()).toBe('名称或编号');
  await page.locator('button[data-action=new-customer]').click();
  await page.locator('form[data-form=new-customer] button[data-action=add-person]').click();
  expect(await page.locator('label[for=new-customer-contacts-0-wechat]').textContent()).toBe('微信');
  await shotsAtBothSizes(page, 'customers-list-zh');
  await page.goto(`${api.url}/#/customers/${ID}`);
  await page.locator('[data-testid=grades] h2', { hasText: '客户分级' }).waitFor();
  expect(await page.locator('[data-testid=value-grade]').textContent()).toBe('高');
  expect(await page.locator('[data-testid=contact-log] h2').textContent()).toBe('电话联系登记表');
  await page.locator('[data-testid=contact-log] li.contact', { hasText: '电话 · 呼出' }).waitFor();
  await page.locator('button[data-action=change-grades]').click();
  expect(await page.locator('label[for=grade-reason]').textContent()).toContain('原因');
  await shotsAtBothSizes(page, 'customer-page-zh');
  await page.close();
});

test('a customer with more cases than the timeline lists: Show more reads the rest, each case once', async () => {
  // 130 cases of CUST-1002, older ones first, as a busy customer has them (seeded rows of a published version).
  const { rows } = await h.pool.query<{ hash: string }>(
    `SELECT hash FROM docket.definition_versions WHERE process_id = 'complaint' AND status = 'published' ORDER BY version DESC LIMIT 1`,
  );
  await h.pool.query(
    `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                               last_seq, opened_at, updated_at, closed_at)
     SELECT 'busy-' || lpad(g::text, 3, '0'), 'complaint', 2, $1, 'CUST-1002', 'received', 'open', '{}', '[]', 0,
            '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 minute', now(), null
       FROM generate_series(1, 130) g`,
    [rows[0]!.hash],
  );
  // Newest first, as the API lists them (with the customer's own cases of the tests above).
  const expected = (
    await h.pool.query<{ case_id: string }>(
      `SELECT case_id FROM docket.cases WHERE customer_id = 'CUST-1002' ORDER BY opened_at DESC, case_id DESC`,
    )
  ).rows.map((r) => r.case_id);
  expect(expected.length).toBeGreaterThanOrEqual(130);
  const page = await newPage(b);
  await signIn(page, api.url, tokens.sam!);
  await page.goto(`${api.url}/#/customers/CUST-1002`);
  const listed = page.locator('ul.customer-cases > li');
  await page.locator('button[data-action=more-cases]').waitFor();
  expect(await listed.count()).toBe(100);
  await page.locator('button[data-action=more-cases]').click();
  await page.locator('ul.customer-cases > li[data-case=busy-001]').waitFor();
  const ids = await listed.evaluateAll((items) => items.map((li) => li.getAttribute('data-case')));
  expect(ids).toEqual(expected);
  expect(await page.locator('button[data-action=more-cases]').count()).toBe(0);
  await page.close();
});

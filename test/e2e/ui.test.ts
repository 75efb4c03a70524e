/**
 * The web UI in headless Chromium on the real API, Temporal and PostgreSQL: a
 * complaint driven from start to close by three users (with one refused action),
 * a process owner changing a parameter and publishing, and an auditor reading,
 * verifying and exporting a case. Screenshots go to test-output/e2e/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { verifyExport } from '../../audit/export';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { buildWeb, cspViolations, launchBrowser, newPage, screenshot, SHOTS, signIn, type TestBrowser } from './browser';

let h: Harness;
let api: TestApi;
let b: TestBrowser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const webRoot = buildWeb();
  h = await createHarness('e2e_ui');
  api = await startTestApi(h, { webRoot });
  for (const [user, role] of [
    ['amy', 'cs_agent'],
    ['bob', 'handler'],
    ['carol', 'service_manager'],
    ['olga', 'process_owner'],
    ['eve', 'auditor'],
  ] as const) {
    tokens[user] = await api.user(user, [role]);
  }
  b = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await h?.close();
});

const state = (page: Page) => page.locator('[data-testid=case-state]');

async function waitForState(page: Page, label: string): Promise<void> {
  await page.locator('[data-testid=case-state]', { hasText: label }).waitFor();
}

async function openEvent(page: Page, type: string) {
  await page.locator(`.event-buttons button[data-event="${type}"]`).click();
  const form = page.locator(`.event-form[data-form="${type}"]`);
  await form.waitFor();
  return form;
}

async function caseState(caseId: string): Promise<string> {
  const res = await api.call<{ state: string }>('GET', `/cases/${caseId}`, { token: tokens.eve });
  return res.body.state;
}

test('an administrator adds a user with two roles; the token it shows signs in, and the user switches roles', async () => {
  const admin = await newPage(b);
  await signIn(admin, api.url, api.adminToken);
  await admin.locator('#user-id').fill('dora');
  await admin.locator('#user-name').fill('Dora Deng');
  await admin.locator('fieldset.roles input[value=cs_agent]').check();
  await admin.locator('fieldset.roles input[value=handler]').check();
  await admin.locator('[data-action=add-user]').click();
  const issued = admin.locator('[data-testid=issued-token] .mono');
  await issued.waitFor();
  const token = (await issued.textContent())!.trim();
  expect(token).toMatch(/^dkt_/);
  await admin.locator('tr[data-user="dora"]').waitFor();
  await screenshot(admin, '00-admin-users');
  // A user id that exists already is refused in words, and nothing changes.
  await admin.locator('#user-id').fill('dora');
  await admin.locator('fieldset.roles input[value=auditor]').check();
  await admin.locator('[data-action=add-user]').click();
  await admin.locator('.alert.error').waitFor();
  expect((await api.call('GET', '/users/dora', { token: api.adminToken })).body.roles).toEqual(['cs_agent', 'handler']);

  const dora = await newPage(b);
  await signIn(dora, api.url, token);
  expect(await dora.locator('[data-testid=who]').textContent()).toContain('Dora Deng');
  const role = dora.locator('select[data-testid=role]');
  expect(await role.inputValue()).toBe('cs_agent');
  await role.selectOption('handler');
  await dora.locator('h1', { hasText: 'Inbox' }).waitFor();
  expect(await dora.evaluate('sessionStorage.getItem("docket.role")')).toBe('handler');
  // A wrong token is refused in plain words.
  const stranger = await newPage(b);
  await stranger.goto(`${api.url}/`);
  await stranger.locator('#token').fill('dkt_not_a_token');
  await stranger.getByRole('button', { name: 'Sign in' }).click();
  await stranger.locator('.alert.error', { hasText: 'Your sign-in is no longer valid' }).waitFor();

  // A second token that expires in 30 days; the list shows both with who issued them; revoking the second leaves the first working.
  await admin.locator('#token-expiry').selectOption('30');
  await admin.locator('tr[data-user="dora"] button', { hasText: 'New token' }).click();
  await admin.locator('[data-testid=issued-token] .mono', { hasNotText: token }).waitFor();
  const second = (await issued.textContent())!.trim();
  await admin.locator('tr[data-user="dora"] [data-action=show-tokens]').click();
  const rows = admin.locator('table[data-tokens-of="dora"] tbody tr');
  await rows.nth(1).waitFor();
  expect(await rows.count()).toBe(2);
  const secondRow = admin.locator(`tr[data-token="${second.slice(4, 20)}"]`);
  expect(await secondRow.locator('td').nth(3).textContent()).toBe('admin');
  expect(await secondRow.locator('td').nth(4).textContent()).not.toBe('never');
  expect(
    await admin
      .locator(`tr[data-token="${token.slice(4, 20)}"] td`)
      .nth(4)
      .textContent(),
  ).toBe('never');
  await screenshot(admin, '01-admin-tokens');
  await secondRow.locator('[data-action=revoke-token]').click();
  await admin.locator(`tr[data-token="${second.slice(4, 20)}"][data-status="revoked"]`).waitFor();
  expect((await api.call('GET', '/me', { token: second })).status).toBe(401);
  expect((await api.call('GET', '/me', { token })).status).toBe(200);
});

test('a complaint from start to close through the UI by three users, with one refused action', async () => {
  const amy = await newPage(b);
  const bob = await newPage(b);
  const carol = await newPage(b);

  // Amy (customer service) signs in and starts a complaint from the form of its input schema.
  await signIn(amy, api.url, tokens.amy!);
  await amy.locator('header nav a', { hasText: 'Start a case' }).click();
  await amy.locator('#start-customer').waitFor();
  // Enums are choices, required fields are marked.
  expect(await amy.locator('#start-channel option').allTextContents()).toEqual([
    '— choose —',
    'Phone',
    'Email',
    'Online',
    'Visit',
    'Other',
  ]);
  expect(await amy.locator('label[for=start-customer] .req').count()).toBe(1);
  await amy.locator('#start-customer').fill(complaintInput.customer);
  await amy.locator('#start-contact').fill(complaintInput.contact);
  await amy.locator('#start-channel').selectOption('phone');
  await amy.locator('#start-content').fill(complaintInput.content);
  await amy.locator('#start-category').selectOption('product_quality');
  await amy.locator('#start-severity').selectOption('high');
  await screenshot(amy, '01-staff-start-complaint');
  await amy.getByRole('button', { name: 'Start', exact: true }).click();
  await waitForState(amy, 'Received');
  const caseId = decodeURIComponent(new URL(amy.url()).hash.replace('#/cases/', ''));
  expect(caseId).toMatch(/^complaint-/);
  expect(await caseState(caseId)).toBe('received');
  // The diagram highlights the current state.
  await amy.locator('.diagram g.state.current[data-state="received"]').waitFor();
  expect(await amy.locator('.diagram g.state.current').count()).toBe(1);

  // Accepting without the required fields shows messages and sends nothing.
  let form = await openEvent(amy, 'ACCEPT');
  await form.getByRole('button', { name: 'Send' }).click();
  await form.locator('.field-error').first().waitFor();
  expect(await form.locator('#ev-ACCEPT-department-error').textContent()).toBe('Required');
  expect(await form.locator('#ev-ACCEPT-assignee-error').textContent()).toBe('Required');
  await screenshot(amy, '02-staff-accept-validation');
  expect(await caseState(caseId)).toBe('received');
  // The promised response time is a date-time picker.
  expect(await form.locator('#ev-ACCEPT-promisedResponseBy').getAttribute('type')).toBe('datetime-local');
  await form.locator('#ev-ACCEPT-department').fill('after_sales');
  await form.locator('#ev-ACCEPT-assignee').fill('bob');
  await form.locator('#ev-ACCEPT-promisedResponseBy').fill('2030-12-02T18:00');
  await form.getByRole('button', { name: 'Send' }).click();
  await waitForState(amy, 'Investigating');
  const accepted = await api.call<{ context: Record<string, unknown> }>('GET', `/cases/${caseId}`, { token: tokens.eve });
  expect(accepted.body.context.assignee).toBe('bob');
  expect(Date.parse(String(accepted.body.context.promisedResponseBy))).toBe(new Date(2030, 11, 2, 18, 0).getTime());

  // Bob (handler) finds it in his inbox, assigned to him, and works on it.
  await signIn(bob, api.url, tokens.bob!);
  const row = bob.locator(`table.inbox tr[data-case="${caseId}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain('assigned to me');
  await screenshot(bob, '03-staff-inbox');
  await row.click();
  await waitForState(bob, 'Investigating');
  await bob.locator('.case-side .timeline li').first().waitFor();
  await bob.locator('.diagram g.state.current[data-state="investigating"]').waitFor();
  await screenshot(bob, '04-staff-case-page');
  form = await openEvent(bob, 'SUBMIT_FINDINGS');
  await form.locator('#ev-SUBMIT_FINDINGS-findings').fill('Door cracked in transit');
  await form.locator('#ev-SUBMIT_FINDINGS-customerExpectation').fill('A replacement door');
  await form.getByRole('button', { name: 'Send' }).click();
  await waitForState(bob, 'Planning a resolution');
  form = await openEvent(bob, 'PROPOSE_RESOLUTION');
  await form.locator('#ev-PROPOSE_RESOLUTION-proposal').fill('Replace the door and refund delivery');
  await form.locator('#ev-PROPOSE_RESOLUTION-compensationAmount').fill('-5');
  await form.getByRole('button', { name: 'Send' }).click();
  expect(await form.locator('#ev-PROPOSE_RESOLUTION-compensationAmount-error').textContent()).toBe('At least 0');
  await form.locator('#ev-PROPOSE_RESOLUTION-compensationAmount').fill('8000');
  await form.getByRole('button', { name: 'Send' }).click();
  await waitForState(bob, 'Awaiting approval');

  // Carol (service manager) approves the compensation above the limit.
  await signIn(carol, api.url, tokens.carol!);
  await carol.locator(`table.inbox tr[data-case="${caseId}"]`).click();
  await waitForState(carol, 'Awaiting approval');
  expect((await carol.locator('.event-buttons button[data-event]').allTextContents()).sort()).toEqual(['Approve', 'Reject']);
  // The approval step is a task: as a manager of the process she may also return it to planning, remind or cc.
  const operations = await carol
    .locator('[data-testid=tasks-panel] button[data-operation]')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-operation')));
  expect(operations.sort()).toEqual(['task.cc', 'task.remind', 'task.return']);
  await openEvent(carol, 'APPROVE');
  await carol.locator('.event-form').getByRole('button', { name: 'Send' }).click();
  await waitForState(carol, 'Communicating the proposal');

  // The refused action: Amy has the case open and starts to record a rejection…
  await amy.getByRole('button', { name: 'Reload' }).first().click();
  await waitForState(amy, 'Communicating the proposal');
  form = await openEvent(amy, 'CUSTOMER_REJECTED');
  const reason = 'Customer wants a full refund instead';
  await form.locator('#ev-CUSTOMER_REJECTED-reason').fill(reason);
  // …while Bob records that the customer accepted.
  await bob.getByRole('button', { name: 'Reload' }).first().click();
  await waitForState(bob, 'Communicating the proposal');
  await openEvent(bob, 'CUSTOMER_ACCEPTED');
  await bob.locator('.event-form').getByRole('button', { name: 'Send' }).click();
  await waitForState(bob, 'Executing');
  // Amy's send is refused in plain words, and what she typed is still there.
  await form.getByRole('button', { name: 'Send' }).click();
  const alert = form.locator('.alert.error');
  await alert.waitFor();
  expect(await alert.textContent()).toContain('The case has moved on');
  expect(await form.locator('#ev-CUSTOMER_REJECTED-reason').inputValue()).toBe(reason);
  await screenshot(amy, '05-staff-refused-action');
  expect(await caseState(caseId)).toBe('executing');
  const history = await h.history(caseId);
  expect(history.map((t) => t.event)).not.toContain('CUSTOMER_REJECTED');

  // Bob carries the resolution out; Amy closes the case with the customer's score.
  form = await openEvent(bob, 'RESOLUTION_EXECUTED');
  await form.locator('#ev-RESOLUTION_EXECUTED-summary').fill('Door replaced, delivery refunded');
  await form.getByRole('button', { name: 'Send' }).click();
  await waitForState(bob, 'Following up');
  await amy.getByRole('button', { name: 'Reload' }).first().click();
  await waitForState(amy, 'Following up');
  form = await openEvent(amy, 'CUSTOMER_SATISFIED');
  await form.locator('#ev-CUSTOMER_SATISFIED-score').fill('5');
  await form.getByRole('button', { name: 'Send' }).click();
  await waitForState(amy, 'Closed');
  expect(await caseState(caseId)).toBe('closed');
  expect(await amy.locator('.event-buttons').count()).toBe(0);

  // In Chinese, the labels come from the definition.
  await amy.locator('[data-testid=lang]').selectOption('zh-CN');
  await state(amy).filter({ hasText: '已结案' }).waitFor();
  expect(await amy.locator('h2').first().textContent()).toBe('您现在可以执行的操作');
  // …and so do the names of the case data and the values chosen (x-labels, x-enum-labels).
  const details = amy.locator('table.kv-table');
  // The work bookkeeping ($work) is the Tasks panel's, not case data.
  await details.locator('th').first().waitFor();
  expect(await details.locator('th', { hasText: '$work' }).count()).toBe(0);
  expect(
    await details
      .locator('tr', { has: amy.locator('th', { hasText: '严重程度' }) })
      .locator('td')
      .textContent(),
  ).toBe('高');
  expect(
    await details
      .locator('tr', { has: amy.locator('th', { hasText: '投诉类别' }) })
      .locator('td')
      .textContent(),
  ).toBe('产品质量');
  expect(await amy.locator('.payload .kv', { hasText: '处理人' }).first().textContent()).toBe('处理人: bob');
  expect(await amy.locator('.payload .kv', { hasText: '渠道' }).first().textContent()).toBe('渠道: 电话');
  await screenshot(amy, '06-staff-closed-zh');
  await amy.locator('header nav a', { hasText: '新建工单' }).click();
  await amy.locator('#start-severity').waitFor();
  expect(await amy.locator('label[for=start-severity]').textContent()).toContain('严重程度');
  expect(await amy.locator('#start-severity option').allTextContents()).toEqual(['— 请选择 —', '低', '一般', '高']);
  await screenshot(amy, '07-staff-start-zh');
  await amy.locator('[data-testid=lang]').selectOption('en');

  const events = (await h.history(caseId)).map((t) => `${t.event}:${t.actor.userId}`);
  expect(events).toEqual([
    expect.stringMatching(/:amy$/),
    'ACCEPT:amy',
    'SUBMIT_FINDINGS:bob',
    'PROPOSE_RESOLUTION:bob',
    'APPROVE:carol',
    'CUSTOMER_ACCEPTED:bob',
    'RESOLUTION_EXECUTED:bob',
    'CUSTOMER_SATISFIED:amy',
  ]);
});

test('a process owner changes a parameter, reviews the diff and the impact, and publishes', async () => {
  const page = await newPage(b);
  await signIn(page, api.url, tokens.olga!);
  await page.locator('tr[data-process="complaint"] a').click();
  await page.locator('#param-approvalLimit').waitFor();
  // The shipped versions 1 and 2.
  expect(await page.locator('tr[data-version]').count()).toBe(2);
  await screenshot(page, '10-owner-process');

  await page.locator('#param-approvalLimit').fill('8000');
  await page.locator('[data-action=save-parameters]').click();
  await page.locator('.alert.ok', { hasText: 'Saved to the draft' }).waitFor();
  await page.locator('tr[data-version="3"][data-status="draft"]').waitFor();
  const diff = page.locator('ul.diff li');
  await diff.first().waitFor();
  expect((await diff.allTextContents()).join('\n')).toMatch(/approvalLimit.*5000.*8000/s);
  // The diff in Chinese.
  await page.locator('[data-testid=lang]').selectOption('zh-CN');
  await page.locator('ul.diff li', { hasText: '从 5000 CNY 改为 8000 CNY' }).waitFor();
  expect(await diff.first().textContent()).toBe('修改 参数 "需经理审批的补偿金额上限"（approvalLimit） 从 5000 CNY 改为 8000 CNY。');
  await screenshot(page, '10b-owner-diff-zh');
  await page.locator('[data-testid=lang]').selectOption('en');

  // The editor marks a problem at its line.
  const editor = page.getByRole('textbox', { name: 'Draft editor' });
  const text = await editor.inputValue();
  expect(JSON.parse(text).parameters.approvalLimit.default).toBe(8000);
  const broken = text.replace('"initial": "received"', '"initial": "nowhere"');
  expect(broken).not.toBe(text);
  await editor.fill(broken);
  const problem = page.locator('[data-testid=problems] li').first();
  await problem.waitFor();
  expect(await problem.textContent()).toContain('nowhere');
  const line = Number(await problem.getAttribute('data-line'));
  expect(broken.split('\n')[line - 1]).toContain('"initial": "nowhere"');
  expect(await page.locator('.editor .gutter .mark').first().textContent()).toBe(`●${line}`);
  await screenshot(page, '11-owner-editor-problem');
  await editor.fill(text);
  await page.locator('[data-testid=problems] .ok-text').waitFor();
  await page.locator('.editor-diagram svg').waitFor();

  await page.locator('[data-action=preview]').click();
  const impact = page.locator('[data-testid=impact]');
  await impact.waitFor();
  expect(await impact.textContent()).toContain('v3');
  await screenshot(page, '12-owner-diff-impact');
  await page.locator('[data-action=publish]').click();
  await page.locator('.alert.ok', { hasText: 'Published version v3' }).waitFor();
  await page.locator('tr[data-version="3"][data-status="published"]').waitFor();
  await screenshot(page, '13-owner-published');

  const latest = await api.call<{ version: number; definition: { parameters: { approvalLimit: { default: number } } } }>(
    'GET',
    '/definitions/complaint',
    { token: tokens.olga },
  );
  expect(latest.body.version).toBe(3);
  expect(latest.body.definition.parameters.approvalLimit.default).toBe(8000);
});

test('an auditor searches, steps through a case timeline on the diagram, verifies and exports it', async () => {
  // A case of its own, driven through the API.
  const started = await api.call<{ caseId: string }>('POST', '/cases', {
    token: tokens.amy,
    body: { process: 'complaint', input: { ...complaintInput, customer: 'CUST-AUDIT' } },
  });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId;
  const send = async (user: string, type: string, data?: Record<string, unknown>) => {
    const res = await api.call('POST', `/cases/${caseId}/events`, { token: tokens[user], body: { type, ...(data && { data }) } });
    expect(res.status).toBe(200);
  };
  await send('amy', 'ACCEPT', { department: 'after_sales', assignee: 'bob' });
  await send('bob', 'LOG_CONTACT', { channel: 'phone', summary: 'Called the customer' });
  await send('bob', 'SUBMIT_FINDINGS', { findings: 'Scratched panel', customerExpectation: 'Repair' });

  const page = await newPage(b);
  await signIn(page, api.url, tokens.eve!);
  await page.locator('#q-customer').fill('CUST-AUDIT');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const result = page.locator(`table.results tr[data-case="${caseId}"]`);
  await result.waitFor();
  // The list may still show the unfiltered search for a moment: wait for the filtered one.
  // (Polled from here: a waitForFunction expression is an eval in the page, which its CSP refuses.)
  for (const until = Date.now() + 10_000; Date.now() < until && (await page.locator('table.results tbody tr').count()) !== 1;)
    await page.waitForTimeout(100);
  expect(await page.locator('table.results tbody tr').count()).toBe(1);
  await screenshot(page, '20-auditor-search');
  await result.click();

  const rows = page.locator('table.history tbody tr');
  await rows.first().waitFor();
  expect(await rows.count()).toBe(4);
  const cells = await rows.nth(1).locator('td').allTextContents();
  expect(cells[2]).toBe('amy');
  expect(cells[3]).toBe('Customer service agent');
  expect(cells[4]).toBe('Accept');
  expect(cells[5]).toContain('assignee: bob');
  expect(cells[6]).toBe('Received → Investigating');
  // The owner's test published v3 before this case started.
  const version = (await api.call('GET', `/cases/${caseId}`, { token: tokens.eve })).body.definitionVersion;
  expect(cells[7]).toBe(`v${version}`);

  // Step-through: the last step first, then back one step at a time.
  await page.locator('.diagram g.state.current[data-state="planning"]').waitFor();
  await page.locator('[data-action=step-back]').click();
  await page.locator('[data-testid=step-label]', { hasText: 'Step 3 of 4' }).waitFor();
  await page.locator('.diagram g.state.current[data-state="investigating"]').waitFor();
  expect(await page.locator('.diagram g.transition.taken').getAttribute('data-event')).toBe('LOG_CONTACT');
  await page.locator('[data-action=step-back]').click();
  await page.locator('.diagram g.transition.taken[data-event="ACCEPT"]').waitFor();
  expect(await page.locator('table.history tr.selected').getAttribute('data-seq')).toBe('1');
  await screenshot(page, '21-auditor-step-through');

  await page.locator('[data-action=verify]').click();
  const verdict = page.locator('[data-verified]');
  await verdict.waitFor();
  expect(await verdict.getAttribute('data-verified')).toBe('true');
  expect(await verdict.textContent()).toContain('The audit chain is intact');

  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action=export-json]').click()]);
  const jsonFile = path.join(SHOTS, `audit-${caseId}.json`);
  await jsonDownload.saveAs(jsonFile);
  const exported = JSON.parse(readFileSync(jsonFile, 'utf8'));
  expect(exported.format).toBe('docket-audit-export');
  expect(exported.exportedBy).toEqual({ userId: 'eve', role: 'auditor' });
  expect(exported.cases[0].transitions).toHaveLength(4);
  expect(verifyExport(exported).ok).toBe(true);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action=export-csv]').click()]);
  const csvFile = path.join(SHOTS, `audit-${caseId}.csv`);
  await csvDownload.saveAs(csvFile);
  const csv = readFileSync(csvFile, 'utf8').trim().split('\n');
  expect(csv).toHaveLength(5);
  expect(csv[0]).toContain('seq');
  await screenshot(page, '22-auditor-verified-exported');
});

test('no page reported a Content-Security-Policy violation', () => {
  expect(cspViolations).toEqual([]);
});

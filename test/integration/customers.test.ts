/**
 * Customer records, grades, contacts and timelines on the real stack (API, CLI, PostgreSQL,
 * Temporal), with records required for new cases; and that nothing personal reaches the API's log
 * or the security log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CustomerTimeline } from '../../cli/customer';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
const logLines: string[] = [];
const t: Record<string, string> = {};

// Personal data used below: none of it may appear in a log.
const NAME = 'Zhang Wei Trading';
const PHONE = '138 0013 8000';
const EMAIL = 'zhang.wei@example.cn';
const SUMMARY = 'Mr Zhang asked about the late cabinet';

const ROLES = ['sales_rep', 'sales_manager', 'cs_agent', 'handler', 'service_manager', 'analyst', 'management', 'auditor'];

beforeAll(async () => {
  h = await createHarness('customers', { requireCustomerRecord: true });
  api = await startTestApi(h, { logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } } });
  t.rita = await api.user('rita', ['sales_rep']);
  t.ray = await api.user('ray', ['sales_rep']);
  t.sam = await api.user('sam', ['sales_manager']);
  t.amy = await api.user('amy', ['cs_agent']);
  t.bob = await api.user('bob', ['handler']);
  t.mia = await api.user('mia', ['service_manager']);
  t.ann = await api.user('ann', ['analyst']);
  t.max = await api.user('max', ['management']);
  t.eve = await api.user('eve', ['auditor']);
  t.olga = await api.user('olga', ['process_owner']);
}, 600_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const tokenOfRole: Record<string, () => string> = {
  sales_rep: () => t.rita!,
  sales_manager: () => t.sam!,
  cs_agent: () => t.amy!,
  handler: () => t.bob!,
  service_manager: () => t.mia!,
  analyst: () => t.ann!,
  management: () => t.max!,
  auditor: () => t.eve!,
};

const count = async (table: string) => Number((await h.pool.query(`SELECT count(*) AS n FROM docket.${table}`)).rows[0].n);
const rowOf = async (id: string) => (await h.pool.query('SELECT * FROM docket.customers WHERE customer_id = $1', [id])).rows[0];

function overApi(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

describe('records', () => {
  test('a sales rep creates a record they own; a second of the same id is a conflict', async () => {
    const res = await api.call('POST', '/customers', {
      token: t.rita,
      body: {
        customerId: 'CUST-Z1',
        name: NAME,
        contacts: [{ name: 'Zhang Wei', position: 'Purchasing manager', phone: PHONE, email: EMAIL, wechat: 'zw-trading' }],
        industry: 'Retail',
        size: '50-200',
        businessScope: 'Furniture retail',
        needType: 'Advertising',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      customerId: 'CUST-Z1',
      name: NAME,
      owner: 'rita',
      valueGrade: null,
      intentionGrade: null,
      createdBy: 'rita',
    });
    const again = await api.call('POST', '/customers', { token: t.sam, body: { customerId: 'CUST-Z1', name: 'Other' } });
    expect(again.status).toBe(409);
    // It names the id and what to do, not the database's constraint.
    expect(again.body.error).toEqual({
      code: 'Conflict',
      message: 'a customer record "CUST-Z1" exists already: choose another id, or leave customerId out for a generated one',
      requestId: expect.any(String),
    });
    expect((await rowOf('CUST-Z1')).name).toBe(NAME);
    // Without an id, one is made; it names no one.
    const made = await api.call('POST', '/customers', { token: t.amy, body: { name: 'Li Hua Stores' } });
    expect(made.status).toBe(201);
    expect(made.body.customerId).toMatch(/^CUST-[0-9A-F]{8}$/);
    expect(made.body.owner).toBeNull();
  });

  test('bad input is refused (400, 422) and nothing is stored', async () => {
    const before = await count('customers');
    const bad = [
      { name: '' },
      { name: 'A', contacts: [{ name: 'B', email: 'not-an-address' }] },
      { name: 'A', contacts: [{ name: 'B', phone: 'call me' }] },
      { name: 'A', unknownField: 1 },
      { customerId: 'Zhang Wei', name: 'A' },
    ];
    for (const body of bad) {
      const res = await api.call('POST', '/customers', { token: t.rita, body });
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({ body, status: 400, code: 'InvalidRequest' });
    }
    const owner = await api.call('POST', '/customers', { token: t.sam, body: { customerId: 'CUST-Z9', name: 'A', owner: 'nobody' } });
    expect(owner.status).toBe(422);
    expect(owner.body.error.message).toContain('no user "nobody"');
    expect(await count('customers')).toBe(before);

    const edit = await api.call('PUT', '/customers/CUST-Z1', { token: t.amy, body: { industry: '' } });
    expect(edit.status).toBe(400);
    const empty = await api.call('PUT', '/customers/CUST-Z1', { token: t.amy, body: {} });
    expect(empty.status).toBe(400);
    expect((await rowOf('CUST-Z1')).industry).toBe('Retail');
    expect((await api.call('PUT', '/customers/CUST-NONE', { token: t.amy, body: { industry: 'X' } })).status).toBe(404);
  });

  test('who may do what: readers read, editors edit, others are refused (403) and nothing changes', async () => {
    for (const role of ROLES) {
      const res = await api.call('GET', '/customers/CUST-Z1', { token: tokenOfRole[role]!() });
      expect({ role, status: res.status }).toEqual({ role, status: 200 });
    }
    for (const token of [api.adminToken, t.olga!]) {
      expect((await api.call('GET', '/customers/CUST-Z1', { token })).status).toBe(403);
      expect((await api.call('GET', '/customers/CUST-Z1/timeline', { token })).status).toBe(403);
    }
    const before = await count('customers');
    for (const token of [t.bob!, t.eve!, t.max!]) {
      expect((await api.call('POST', '/customers', { token, body: { name: 'X' } })).status).toBe(403);
      expect((await api.call('PUT', '/customers/CUST-Z1', { token, body: { industry: 'X' } })).status).toBe(403);
    }
    expect(await count('customers')).toBe(before);
    expect((await rowOf('CUST-Z1')).industry).toBe('Retail');

    const edited = await api.call('PUT', '/customers/CUST-Z1', { token: t.amy, body: { industry: 'Home furnishing' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ industry: 'Home furnishing', name: NAME, updatedBy: 'amy' });
  });
});

describe('grades', () => {
  test('grade changes keep who, when, from, to and why, newest first; a rep grades only their own customers', async () => {
    const own = await api.call('POST', '/customers/CUST-Z1/grade', {
      token: t.rita,
      body: { value: 'high', intention: 'B', reason: 'Large order volume' },
    });
    expect(own.status).toBe(200);
    expect(own.body.customer).toMatchObject({ valueGrade: 'high', intentionGrade: 'B' });

    // Refused: another rep, a cs agent, no reason, an unknown grade. Nothing changes.
    const historyBefore = await count('customer_grade_changes');
    expect((await api.call('POST', '/customers/CUST-Z1/grade', { token: t.ray, body: { intention: 'A', reason: 'x' } })).status).toBe(403);
    expect((await api.call('POST', '/customers/CUST-Z1/grade', { token: t.amy, body: { intention: 'A', reason: 'x' } })).status).toBe(403);
    expect((await api.call('POST', '/customers/CUST-Z1/grade', { token: t.rita, body: { intention: 'A' } })).status).toBe(400);
    expect((await api.call('POST', '/customers/CUST-Z1/grade', { token: t.rita, body: { value: 'huge', reason: 'x' } })).status).toBe(400);
    expect((await api.call('POST', '/customers/CUST-Z1/grade', { token: t.rita, body: { reason: 'x' } })).status).toBe(400);
    expect((await api.call('POST', '/customers/CUST-NONE/grade', { token: t.sam, body: { value: 'low', reason: 'x' } })).status).toBe(404);
    expect(await count('customer_grade_changes')).toBe(historyBefore);
    expect(await rowOf('CUST-Z1')).toMatchObject({ value_grade: 'high', intention_grade: 'B' });
    // The refusal of another rep is in the security log.
    const logged = await h.pool.query("SELECT user_id, code FROM docket.security_log WHERE user_id = 'ray' AND code = 'Forbidden'");
    expect(logged.rowCount).toBeGreaterThan(0);

    const manager = await api.call('POST', '/customers/CUST-Z1/grade', {
      token: t.sam,
      body: { intention: 'A', value: 'high', reason: 'Signed a letter of intent' },
    });
    expect(manager.status).toBe(200);
    expect(manager.body.gradeHistory.map((g: any) => [g.grade, g.from, g.to, g.by.userId, g.by.role, g.reason])).toEqual([
      ['intention', 'B', 'A', 'sam', 'sales_manager', 'Signed a letter of intent'],
      ['intention', null, 'B', 'rita', 'sales_rep', 'Large order volume'],
      ['value', null, 'high', 'rita', 'sales_rep', 'Large order volume'],
    ]);
    const read = await api.call('GET', '/customers/CUST-Z1', { token: t.eve });
    expect(read.body.gradeHistory).toEqual(manager.body.gradeHistory);
  });

  test('the grade history and the contact log are append-only, even for the database owner', async () => {
    await expect(h.pool.query("UPDATE docket.customer_grade_changes SET reason = 'x'")).rejects.toMatchObject({ code: 'DKT01' });
    await expect(h.pool.query('DELETE FROM docket.customer_grade_changes')).rejects.toMatchObject({ code: 'DKT01' });
    await expect(h.pool.query('TRUNCATE docket.customer_contacts')).rejects.toMatchObject({ code: 'DKT01' });
    // The API's login role may not remove records either.
    await expect(api.pool.query("DELETE FROM docket.customers WHERE customer_id = 'CUST-Z1'")).rejects.toMatchObject({ code: '42501' });
  });
});

describe('find', () => {
  test('by name, name or id, industry, grade and owner, a page at a time with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api.call('POST', '/customers', {
        token: t.ray,
        body: { customerId: `CUST-P${i}`, name: `Paging Store ${i}`, industry: 'Paging' },
      });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `/customers?industry=paging&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.call('GET', q, { token: t.bob });
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(5);
      seen.push(...page.body.customers.map((c: any) => c.customerId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(['CUST-P4', 'CUST-P3', 'CUST-P2', 'CUST-P1', 'CUST-P0']);

    const byName = await api.call('GET', `/customers?name=${encodeURIComponent('zhang wei')}`, { token: t.amy });
    expect(byName.body.customers.map((c: any) => c.customerId)).toEqual(['CUST-Z1']);
    // One box for both: part of the name or of the id, any case.
    const byId = await api.call('GET', '/customers?search=cust-p3', { token: t.amy });
    expect(byId.body.customers.map((c: any) => c.customerId)).toEqual(['CUST-P3']);
    const byNamePart = await api.call('GET', `/customers?search=${encodeURIComponent('WEI TRAD')}`, { token: t.amy });
    expect(byNamePart.body.customers.map((c: any) => c.customerId)).toEqual(['CUST-Z1']);
    const bothWays = await api.call('GET', '/customers?search=p&industry=Paging&limit=10', { token: t.amy });
    expect(bothWays.body.total).toBe(5);
    expect((await api.call('GET', '/customers?search=%20', { token: t.amy })).status).toBe(400);
    const byGrade = await api.call('GET', '/customers?valueGrade=high&intentionGrade=A', { token: t.amy });
    expect(byGrade.body.customers.map((c: any) => c.customerId)).toEqual(['CUST-Z1']);
    const byOwner = await api.call('GET', '/customers?owner=ray&limit=10', { token: t.amy });
    expect(byOwner.body.total).toBe(5);

    const first = await api.call('GET', '/customers?industry=Paging&limit=2', { token: t.bob });
    const other = await api.call('GET', `/customers?owner=ray&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
      token: t.bob,
    });
    expect(other.status).toBe(400);
    expect((await api.call('GET', '/customers?valueGrade=top', { token: t.bob })).status).toBe(400);
  });
});

describe('cases need a record', () => {
  test('a case for a customer without a record is refused (422 UnknownCustomer) and nothing starts', async () => {
    const res = await api.call('POST', '/cases', {
      token: t.amy,
      body: { process: 'complaint', input: { ...complaintInput, customer: 'CUST-NORECORD' } },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('UnknownCustomer');
    expect(res.body.error.message).toContain('CUST-NORECORD');
    expect((await h.pool.query("SELECT 1 FROM docket.cases WHERE customer_id = 'CUST-NORECORD'")).rowCount).toBe(0);
    const ok = await api.call('POST', '/cases', {
      token: t.amy,
      body: { process: 'complaint', input: { ...complaintInput, customer: 'CUST-Z1' } },
    });
    expect(ok.status).toBe(201);
  });

  test('with DOCKET_REQUIRE_CUSTOMER_RECORD=false a case starts anyway; import-from-cases then records its customer', async () => {
    const loose = { ...h.config, requireCustomerRecord: false };
    const input = JSON.stringify({ ...complaintInput, customer: 'CUST-OLD1' });
    const started = await runCli(['--direct', 'start', 'complaint', '--input', input, '--as', 'amy:cs_agent'], {
      config: loose,
      cwd: PROJECT_ROOT,
    });
    expect({ code: started.code, err: started.err }).toEqual({ code: 0, err: '' });
    const strict = await runCli(
      ['--direct', 'start', 'complaint', '--input', JSON.stringify({ ...complaintInput, customer: 'CUST-OLD2' }), '--as', 'amy:cs_agent'],
      {
        config: h.config,
        cwd: PROJECT_ROOT,
      },
    );
    expect(strict.code).toBe(2);
    expect(strict.err).toContain('UnknownCustomer');

    const timeline = await api.call('GET', '/customers/CUST-OLD1/timeline', { token: t.amy });
    expect(timeline.body.customer).toBeNull();
    expect(timeline.body.cases).toHaveLength(1);

    expect((await api.call('POST', '/customers/import-from-cases', { token: t.amy })).status).toBe(403);
    const imported = await api.call('POST', '/customers/import-from-cases', { token: api.adminToken });
    expect(imported.status).toBe(200);
    expect(imported.body.imported).toEqual(['CUST-OLD1']);
    const again = await runCli(['--direct', 'customer', 'import-from-cases', '--json'], { config: h.config, cwd: PROJECT_ROOT });
    expect(JSON.parse(again.out)).toEqual({ imported: [] });
    const record = await api.call('GET', '/customers/CUST-OLD1', { token: t.amy });
    expect(record.body.customer).toMatchObject({ customerId: 'CUST-OLD1', name: 'CUST-OLD1', origin: 'imported' });
  });
});

describe('one customer with a complaint, a visit and a contract', () => {
  const C = 'CUST-TL';
  const rep = { userId: 'rita', role: 'sales_rep' };
  const caseIds: string[] = [];

  beforeAll(async () => {
    expect((await api.call('POST', '/customers', { token: t.rita, body: { customerId: C, name: 'Timeline Furniture' } })).status).toBe(201);
    const example = (name: string) => ({
      ...JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', `${name}.json`), 'utf8')),
      customer: C,
    });
    const complaint = (await h.docket.startCase('complaint', { ...complaintInput, customer: C }, cs)).caseId;
    await h.docket.send(complaint, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
    const visit = (await h.docket.startCase('visit', { ...example('visit'), owner: 'rita' }, rep)).caseId;
    const contract = (await h.docket.startCase('contract', example('contract'), rep)).caseId;
    caseIds.push(complaint, visit, contract);
    await h.docket.send(complaint, {
      type: 'SUBMIT_FINDINGS',
      data: { findings: 'Cracked door', customerExpectation: 'Replacement' },
      actor: handler,
    });
  });

  test('contacts are logged by any staff role; bad ones are refused and nothing is logged', async () => {
    const before = await count('customer_contacts');
    const bad = [
      { channel: 'fax', direction: 'in', summary: 's' },
      { channel: 'phone', direction: 'sideways', summary: 's' },
      { channel: 'phone', direction: 'in', summary: '' },
      { channel: 'phone', direction: 'in', summary: 's', at: 'yesterday' },
    ];
    for (const body of bad) expect((await api.call('POST', `/customers/${C}/contacts`, { token: t.amy, body })).status).toBe(400);
    const otherCase = await api.call('POST', `/customers/${C}/contacts`, {
      token: t.amy,
      body: { channel: 'phone', direction: 'in', summary: 's', caseId: 'complaint-nope' },
    });
    expect(otherCase.status).toBe(422);
    expect(
      (await api.call('POST', `/customers/${C}/contacts`, { token: t.eve, body: { channel: 'phone', direction: 'in', summary: 's' } }))
        .status,
    ).toBe(403);
    expect(
      (await api.call('POST', '/customers/CUST-NONE/contacts', { token: t.amy, body: { channel: 'phone', direction: 'in', summary: 's' } }))
        .status,
    ).toBe(404);
    expect(await count('customer_contacts')).toBe(before);

    const calls = [
      [t.amy, { channel: 'phone', direction: 'in', summary: SUMMARY, caseId: caseIds[0] }],
      [t.bob, { channel: 'email', direction: 'out', summary: 'Sent the inspection report' }],
      [t.rita, { channel: 'visit', direction: 'out', summary: 'Visited the head office', caseId: caseIds[1] }],
    ] as const;
    for (const [token, body] of calls) expect((await api.call('POST', `/customers/${C}/contacts`, { token, body })).status).toBe(201);
    const listed = await api.call('GET', `/customers/${C}/contacts`, { token: t.max });
    expect(listed.body.contacts.map((k: any) => [k.channel, k.direction, k.by.userId])).toEqual([
      ['visit', 'out', 'rita'],
      ['email', 'out', 'bob'],
      ['phone', 'in', 'amy'],
    ]);
    const shown = await api.call('GET', `/customers/${C}`, { token: t.bob });
    expect(shown.body.latestContacts.map((k: any) => k.summary)).toEqual(listed.body.contacts.map((k: any) => k.summary));
  });

  test('every role that deals with customers sees every case and every contact, newest first, a page at a time', async () => {
    const full = await api.call<CustomerTimeline>('GET', `/customers/${C}/timeline?limit=1000`, { token: t.eve });
    expect(full.status).toBe(200);
    const all = full.body;
    expect(all.customer?.name).toBe('Timeline Furniture');
    expect(all.cases.map((c) => c.caseId).sort()).toEqual([...caseIds].sort());
    const expectedTransitions = (await Promise.all(caseIds.map((id) => h.history(id)))).flat().length;
    expect(all.entries.filter((e) => e.kind === 'transition')).toHaveLength(expectedTransitions);
    expect(all.entries.filter((e) => e.kind === 'contact')).toHaveLength(3);
    const times = all.entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const key = (e: CustomerTimeline['entries'][number]) =>
      e.kind === 'contact' ? `contact:${e.id}` : e.kind === 'handover' ? `handover:${e.handoverId}` : `${e.caseId}#${e.seq}`;

    for (const role of ROLES) {
      const res = await api.call<CustomerTimeline>('GET', `/customers/${C}/timeline?limit=1000`, { token: tokenOfRole[role]!() });
      expect({ role, status: res.status }).toEqual({ role, status: 200 });
      expect({ role, cases: res.body.cases.map((c) => c.caseId).sort() }).toEqual({ role, cases: [...caseIds].sort() });
      expect({ role, entries: res.body.entries.map(key) }).toEqual({ role, entries: all.entries.map(key) });
    }

    // Paging: three at a time gives the same list.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.call('GET', `/customers/${C}/timeline?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
        token: t.amy,
      });
      expect(res.status).toBe(200);
      paged.push(...res.body.entries.map(key));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all.entries.map(key));
  });

  test('the CLI: a sales rep creates and grades a customer, logs a call and reads the latest contacts first', async () => {
    const created = await overApi(
      t.ray!,
      'customer',
      'create',
      '--id',
      'CUST-CLI',
      '--name',
      'Cli Furniture',
      '--industry',
      'Retail',
      '--contact',
      `name=Wang Wei;position=Buyer;phone=${PHONE}`,
      '--json',
    );
    expect({ code: created.code, err: created.err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(created.out)).toMatchObject({
      customerId: 'CUST-CLI',
      owner: 'ray',
      contacts: [{ name: 'Wang Wei', position: 'Buyer', phone: PHONE }],
    });
    const graded = await overApi(
      t.ray!,
      'customer',
      'grade',
      'CUST-CLI',
      '--value',
      'medium',
      '--intention',
      'A',
      '--reason',
      'Wants a spring campaign',
    );
    expect(graded.code).toBe(0);
    expect(graded.out).toMatch(/intention +- → A +ray \(sales_rep\) +Wants a spring campaign/);
    const noReason = await overApi(t.ray!, 'customer', 'grade', 'CUST-CLI', '--value', 'low');
    expect(noReason.code).toBe(2);
    const logged = await overApi(
      t.ray!,
      'customer',
      'contact',
      'CUST-CLI',
      '--channel',
      'phone',
      '--direction',
      'out',
      '--summary',
      'Offered the spring package',
    );
    expect(logged.code).toBe(0);
    expect(logged.out).toMatch(/phone +out +ray \(sales_rep\) +- +Offered the spring package/);
    const shown = await overApi(t.amy!, 'customer', 'show', 'CUST-CLI');
    expect(shown.code).toBe(0);
    expect(shown.out.split('\n')[0]).toBe('Latest contacts (read before you call)');
    expect(shown.out.indexOf('Offered the spring package')).toBeLessThan(shown.out.indexOf('Customer CUST-CLI: Cli Furniture'));
    const bad = await overApi(t.amy!, 'customer', 'contact', 'CUST-CLI', '--channel', 'fax', '--direction', 'in', '--summary', 'x');
    expect(bad.code).toBe(2);
    const found = await overApi(t.amy!, 'customer', 'find', '--intention', 'A', '--json');
    expect(
      JSON.parse(found.out)
        .customers.map((c: any) => c.customerId)
        .sort(),
    ).toEqual(['CUST-CLI', 'CUST-Z1']);
    // --search finds by part of the id as well as of the name.
    const byId = await overApi(t.amy!, 'customer', 'find', '--search', 'cust-cl', '--json');
    expect(JSON.parse(byId.out).customers.map((c: any) => c.customerId)).toEqual(['CUST-CLI']);
    const timeline = await overApi(t.bob!, 'customer', C);
    expect(timeline.code).toBe(0);
    expect(timeline.out.split('\n')[0]).toMatch(/^Customer CUST-TL · Timeline Furniture: 3 cases, \d+ transitions, 3 contacts$/);
    expect(timeline.out).toMatch(/contact +\S+ +visit out +rita \(sales_rep\) +Visited the head office/);
  });
});

test('no name, phone, e-mail or contact summary reaches the API log or the security log', async () => {
  // A refused search by name and a refused record with personal data, so the security log has rows of both.
  expect((await api.call('GET', `/customers?name=${encodeURIComponent(NAME)}`, { token: api.adminToken })).status).toBe(403);
  expect(
    (await api.call('POST', '/customers', { token: t.bob, body: { name: NAME, contacts: [{ name: 'Z', email: EMAIL }] } })).status,
  ).toBe(403);
  const text = logLines.join('');
  // The log is there: one line per request, customer routes included.
  expect(text).toContain('"route":"/customers"');
  expect(text).toContain('"route":"/customers/:customerId/contacts"');
  for (const secret of [NAME, 'Zhang', PHONE, EMAIL, SUMMARY, encodeURIComponent(NAME)])
    expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
  const security = JSON.stringify((await h.pool.query('SELECT * FROM docket.security_log')).rows);
  expect(security).toContain('/customers?name=***');
  for (const secret of [NAME, 'Zhang', EMAIL, encodeURIComponent(NAME)])
    expect({ secret, found: security.includes(secret) }).toEqual({ secret, found: false });
});

/**
 * The case library on the real API: closed complaints and lost deals marked as typical cases by the
 * roles that may, searched by words, tags and process, unmarked (kept, with who and why); refusals
 * (an open case, a process without `caseLibrary`, a case marked twice, a role that may not) change
 * nothing; a lost deal's LESSONS_SHARED may name entries, and naming one that is not in the library is
 * refused before anything is sent.
 */
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { createHarness, type Harness } from '../helpers/harness';
import { seedCases, type SeedCase } from '../helpers/report-seed';

let h: Harness;
let api: TestApi;
const t: Record<string, string> = {};

const seed = (
  caseId: string,
  processId: string,
  states: string[],
  completed: boolean,
  context: Record<string, unknown> = {},
): SeedCase => ({
  caseId,
  processId,
  customerId: 'CUST-1001',
  context,
  steps: states.map((to, i) => ({ event: i === 0 ? 'xstate.init' : `TO_${to.toUpperCase()}`, to, at: `2025-05-0${i + 1}T08:00:00.000Z` })),
  completed,
});

const entries = async () => (await h.pool.query('SELECT count(*)::int AS n FROM docket.case_library')).rows[0].n as number;

beforeAll(async () => {
  h = await createHarness('case_library');
  api = await startTestApi(h);
  for (const [name, roles] of [
    ['sam', ['service_manager']],
    ['eve', ['auditor']],
    ['olga', ['process_owner']],
    ['mona', ['sales_manager']],
    ['ray', ['sales_rep']],
    ['amy', ['cs_agent']],
  ] as const) {
    t[name] = await api.user(name, [...roles]);
  }
  await seedCases(h, h.pool, [
    seed('complaint-door', 'complaint', ['received', 'investigating', 'closed'], true),
    seed('complaint-late', 'complaint', ['received', 'investigating', 'closed'], true),
    seed('complaint-open', 'complaint', ['received', 'investigating'], false),
    seed('lost_deal-price', 'lost_deal', ['collectingInfo', 'evaluating', 'closed'], true),
    seed('lost_deal-sharing', 'lost_deal', ['collectingInfo', 'evaluating', 'sharing'], false, { salesRep: 'ray' }),
    seed('visit-done', 'visit', ['planning', 'completed'], true),
  ]);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const mark = (token: string, body: Record<string, unknown>) => api.call('POST', '/library', { token, body });
const ids: Record<string, string> = {};

test('managers (of the processes they see), process owners and auditors mark closed complaints and lost deals, with tags and a summary', async () => {
  const door = await mark(t.sam!, {
    caseId: 'complaint-door',
    title: 'Cracked door on delivery',
    summary: 'Packaging failed in transit; replaced within 48 hours, customer kept.',
    tags: ['packaging', 'delivery', 'packaging'],
  });
  expect(door.status).toBe(201);
  expect(door.body.entry).toMatchObject({
    caseId: 'complaint-door',
    processId: 'complaint',
    tags: ['packaging', 'delivery'],
    markedBy: 'sam',
    markedAs: 'service_manager',
    unmarked: null,
  });
  expect(door.body.entry.entryId).toMatch(/^lib-[a-z0-9]{12}$/);
  ids.door = door.body.entry.entryId;
  ids.late = (
    await mark(t.eve!, { caseId: 'complaint-late', title: 'Late installer', summary: 'Installer came two days late.', tags: ['delivery'] })
  ).body.entry.entryId;
  const price = await mark(t.olga!, {
    caseId: 'lost_deal-price',
    title: 'Lost on price to digital screens',
    summary: 'Our offer was 23% above the competitor, who bundled digital screens.',
    tags: ['price', 'competitor'],
  });
  expect(price.status).toBe(201);
  ids.price = price.body.entry.entryId;
  expect(await entries()).toBe(3);
});

test('what the library does not take is refused and nothing is stored', async () => {
  const before = await entries();
  const open = await mark(t.sam!, { caseId: 'complaint-open', title: 'x', summary: 'y' });
  expect([open.status, open.body.error.code]).toEqual([422, 'NotForLibrary']);
  const visit = await mark(t.mona!, { caseId: 'visit-done', title: 'x', summary: 'y' });
  expect([visit.status, visit.body.error.code]).toEqual([422, 'NotForLibrary']);
  const twice = await mark(t.eve!, { caseId: 'complaint-door', title: 'again', summary: 'again' });
  expect([twice.status, twice.body.error.code]).toEqual([409, 'AlreadyInLibrary']);
  const rep = await mark(t.ray!, { caseId: 'complaint-late', title: 'x', summary: 'y' });
  expect([rep.status, rep.body.error.code]).toEqual([403, 'Forbidden']);
  // A sales manager marks the processes their role sees (lost deals), not complaints.
  const other = await mark(t.mona!, { caseId: 'complaint-late', title: 'x', summary: 'y' });
  expect([other.status, other.body.error.code]).toEqual([403, 'Forbidden']);
  const agent = await api.call('POST', `/library/${ids.door}/unmark`, { token: t.amy!, body: {} });
  expect(agent.status).toBe(403);
  expect(await entries()).toBe(before);
  const unmarked = await h.pool.query('SELECT count(*)::int AS n FROM docket.case_library WHERE unmarked_at IS NOT NULL');
  expect(unmarked.rows[0].n).toBe(0);
});

test('every staff role searches by words, tags and process', async () => {
  const search = async (query: string, token = t.ray!) =>
    (await api.call('GET', `/library${query}`, { token })).body.entries.map((e: { entryId: string }) => e.entryId);
  expect(await search('')).toEqual([ids.price, ids.late, ids.door]);
  expect(await search('?tag=delivery')).toEqual([ids.late, ids.door]);
  expect(await search('?tag=delivery,packaging')).toEqual([ids.door]);
  expect(await search('?process=lost_deal')).toEqual([ids.price]);
  expect(await search('?q=digital%20competitor')).toEqual([ids.price]);
  expect(await search('?q=INSTALLER', t.amy)).toEqual([ids.late]);
  expect(await search('?q=100%25')).toEqual([]);
  const one = await api.call('GET', `/library/${ids.door}`, { token: t.amy! });
  expect(one.body.entry.summary).toContain('Packaging failed');
  expect((await api.call('GET', '/library/lib-000000000000', { token: t.amy! })).body.error.code).toBe('EntryNotFound');
  expect((await api.call('GET', '/library', { token: api.adminToken })).status).toBe(403);
});

test("a lost deal's lessons name library entries: an entry not in the library is refused before anything is sent", async () => {
  const send = (libraryEntries: string[]) =>
    api.call('POST', '/cases/lost_deal-sharing/events', {
      token: t.mona!,
      body: { type: 'LESSONS_SHARED', data: { format: 'case_study', audience: 'cross_department', date: '2025-06-01', libraryEntries } },
    });
  const unknown = await send([ids.price!, 'lib-nothere00000']);
  expect(unknown.status).toBe(422);
  expect(unknown.body.error).toMatchObject({
    code: 'UnknownLibraryEntry',
    issues: [{ path: 'libraryEntries', message: 'no entry "lib-nothere00000" in the case library' }],
  });
  // Entries that are in the library pass the check: the event goes on to the case (this seeded case
  // has no workflow, so Temporal answers that it does not know it).
  const known = await send([ids.price!]);
  expect(known.body.error.code).toBe('CaseNotFound');
  expect((await h.history('lost_deal-sharing')).map((r) => r.event)).toEqual(['xstate.init', 'TO_EVALUATING', 'TO_SHARING']);
});

test('unmarking keeps the entry with who, when and why; it leaves searches and a lesson may no longer name it', async () => {
  const out = await api.call('POST', `/library/${ids.late}/unmark`, { token: t.mona!, body: { reason: 'Not typical after all' } });
  expect(out.status).toBe(200);
  expect(out.body.entry.unmarked).toMatchObject({ by: 'mona', as: 'sales_manager', reason: 'Not typical after all' });
  const again = await api.call('POST', `/library/${ids.late}/unmark`, { token: t.mona!, body: {} });
  expect(again.status).toBe(409);
  const live = (await api.call('GET', '/library?tag=delivery', { token: t.ray! })).body.entries.map((e: { entryId: string }) => e.entryId);
  expect(live).toEqual([ids.door]);
  const all = (await api.call('GET', '/library?tag=delivery&unmarked=true', { token: t.ray! })).body.entries;
  expect(all.map((e: { entryId: string }) => e.entryId)).toEqual([ids.late, ids.door]);
  // The case may be marked again: a new entry.
  const remarked = await mark(t.eve!, {
    caseId: 'complaint-late',
    title: 'Late installer, again',
    summary: 'Re-read: typical of the spring rush.',
  });
  expect(remarked.status).toBe(201);
  expect(remarked.body.entry.entryId).not.toBe(ids.late);
  const lesson = await api.call('POST', '/cases/lost_deal-sharing/events', {
    token: t.mona!,
    body: { type: 'LESSONS_SHARED', data: { format: 'training', audience: 'sales', date: '2025-06-01', libraryEntries: [ids.late] } },
  });
  expect(lesson.body.error.code).toBe('UnknownLibraryEntry');
});

test('the CLI marks, searches, shows and unmarks', async () => {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  const cli = (token: string, ...args: string[]) => runCli(['--api', api.url, '--token', token, ...args], { config, cwd: PROJECT_ROOT });
  await seedCases(h, h.pool, [seed('complaint-cli', 'complaint', ['received', 'closed'], true)]);
  const marked = await cli(
    t.sam!,
    'library',
    'mark',
    'complaint-cli',
    '--title',
    'Refund by phone',
    '--summary',
    'Refunded on the first call.',
    '--tag',
    'refund,phone',
  );
  expect(marked.code).toBe(0);
  const entryId = /as (lib-[a-z0-9]+)/.exec(marked.out)![1]!;
  const found = await cli(t.ray!, 'library', 'search', '--tag', 'refund');
  expect(found.out).toMatch(new RegExp(`${entryId}\\s+complaint\\s+complaint-cli\\s+Refund by phone\\s+refund, phone`));
  const shown = await cli(t.ray!, 'library', 'show', entryId);
  expect(shown.out).toContain('Refunded on the first call.');
  const refused = await cli(t.ray!, 'library', 'unmark', entryId);
  expect(refused.code).toBe(2);
  const unmarked = await cli(t.sam!, 'library', 'unmark', entryId, '--reason', 'duplicate');
  expect(unmarked.out).toContain(`Took ${entryId} (complaint-cli) out of the case library`);
});

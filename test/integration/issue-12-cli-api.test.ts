/**
 * Issue #12: the CLI acts only through the API when one is configured (the token decides who acts;
 * `--as` only picks the role), `--direct` is an operator's recorded way around it, every acting route
 * needs the role named, and a start with a reused Idempotency-Key and another body is refused.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DocketError } from '../../client/docket-client';
import { runCli, type CliRun } from '../helpers/cli';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';
import { PROJECT_ROOT } from '../../config';

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};
let caseId: string;

const complaintInput = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', 'complaint.json'), 'utf8')) as Record<string, unknown>;
const visitInput = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', 'visit.json'), 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  h = await createHarness('issue12_cli');
  api = await startTestApi(h);
  for (const [user, roles] of [
    ['amy', ['cs_agent']],
    ['bob', ['handler']],
    ['olga', ['process_owner']],
    ['ray', ['sales_rep']],
    ['eve', ['auditor']],
    ['multi', ['cs_agent', 'sales_rep']],
  ] as const) {
    tokens[user] = await api.user(user, [...roles]);
  }
  const started = await h.docket.startCase('complaint', complaintInput, { userId: 'amy', role: 'cs_agent' });
  caseId = started.caseId;
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** `docket …` over the API with a token; the configuration names no database and no Temporal. */
function docket(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv, '--json'], { config, cwd: PROJECT_ROOT });
}

/** The refusal a `--json` run printed. */
function refusal(run: CliRun): { exit: number; code: string } {
  return { exit: run.code, code: (JSON.parse(run.out) as { error?: { code: string } }).error?.code ?? '(none)' };
}

const FORBIDDEN = { exit: 2, code: 'Forbidden' };

const versions = async () => (await h.lifecycle.versions('complaint')).map((v) => `${v.version}:${v.status}:${v.hash.slice(0, 8)}`);
const caseCount = async () => (await api.deps.caseStore.listCases({})).length;
const historyOf = async (id: string) => (await h.history(id)).map((r) => `${r.seq}:${r.event}:${r.definitionVersion}`);

test('the forgery of the issue: a cs_agent token with --as someone:process_owner saves no draft', async () => {
  const before = await versions();
  const forged = await docket(tokens.amy!, 'definitions', 'set-param', 'complaint', 'approvalLimit', '2', '--as', 'someone:process_owner');
  expect(refusal(forged)).toEqual(FORBIDDEN);
  expect(await versions()).toEqual(before);
});

test('each command that acts, over the API with a role that may not: exit 2 Forbidden and nothing changes', async () => {
  const cases = await caseCount();
  const history = await historyOf(caseId);
  const defs = await versions();

  expect(refusal(await docket(tokens.bob!, 'start', 'complaint', '--input', '@examples/complaint.json', '--as', 'handler'))).toEqual(
    FORBIDDEN,
  );
  expect(
    refusal(await docket(tokens.bob!, 'send', caseId, 'ACCEPT', '--data', '{"department":"x","assignee":"bob"}', '--as', 'handler')),
  ).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'definitions', 'set-param', 'complaint', 'approvalLimit', '9', '--as', 'cs_agent'))).toEqual(
    FORBIDDEN,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-12-'));
  const file = path.join(dir, 'complaint.json');
  writeFileSync(file, readFileSync(path.join(PROJECT_ROOT, 'definitions', 'complaint.json')));
  expect(refusal(await docket(tokens.amy!, 'definitions', 'draft', 'complaint', `@${file}`, '--as', 'cs_agent'))).toEqual(FORBIDDEN);
  expect(await caseCount()).toBe(cases);
  expect(await historyOf(caseId)).toEqual(history);
  expect(await versions()).toEqual(defs);

  // A process owner's draft of version 3 (the store holds the shipped versions 1 and 2), which others may neither publish nor discard.
  const drafted = await docket(tokens.olga!, 'definitions', 'set-param', 'complaint', 'approvalLimit', '8000', '--as', 'process_owner');
  expect({ code: drafted.code, err: drafted.err }).toEqual({ code: 0, err: '' });
  expect(JSON.parse(drafted.out)).toMatchObject({ draft: { version: 3, status: 'draft', createdBy: 'olga' }, ok: true });
  const withDraft = await versions();
  expect(refusal(await docket(tokens.amy!, 'definitions', 'publish', 'complaint', '--as', 'cs_agent'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'definitions', 'publish', 'complaint', '--dry-run', '--as', 'cs_agent'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'definitions', 'discard', 'complaint', '--as', 'cs_agent'))).toEqual(FORBIDDEN);
  expect(await versions()).toEqual(withDraft);

  // The process owner reads and publishes it over the API.
  expect(JSON.parse((await docket(tokens.olga!, 'definitions', 'validate', 'complaint')).out)).toMatchObject({ ok: true, version: 3 });
  const diff = JSON.parse((await docket(tokens.olga!, 'definitions', 'diff', 'complaint', '2', 'draft')).out) as { changes: unknown[] };
  expect(JSON.stringify(diff.changes)).toContain('approvalLimit');
  expect(JSON.parse((await docket(tokens.olga!, 'definitions', 'diagram', 'complaint', '--version', 'draft')).out).diagram).toMatch(
    /stateDiagram/,
  );
  const published = await docket(tokens.olga!, 'definitions', 'publish', 'complaint', '--as', 'process_owner');
  expect({ code: published.code, err: published.err }).toEqual({ code: 0, err: '' });
  expect(JSON.parse(published.out)).toMatchObject({ published: { version: 3, publishedBy: 'olga' } });

  // Migration, one case and a batch, dry runs too.
  const onV3 = await versions();
  for (const dry of [[], ['--dry-run']]) {
    expect(refusal(await docket(tokens.amy!, 'migrate', caseId, '--to', '3', ...dry, '--as', 'someone:process_owner'))).toEqual(FORBIDDEN);
    expect(refusal(await docket(tokens.ray!, 'migrate', caseId, '--to', '3', ...dry, '--as', 'sales_rep'))).toEqual(FORBIDDEN);
    expect(
      refusal(
        await docket(tokens.ray!, 'migrate', '--process', 'complaint', '--from-version', '2', '--to', '3', ...dry, '--as', 'sales_rep'),
      ),
    ).toEqual(FORBIDDEN);
  }
  expect(await historyOf(caseId)).toEqual(history);
  expect((await api.deps.caseStore.getCase(caseId))?.definitionVersion).toBe(2);
  expect(await versions()).toEqual(onV3);

  const plan = await docket(
    tokens.olga!,
    'migrate',
    '--process',
    'complaint',
    '--from-version',
    '2',
    '--to',
    '3',
    '--dry-run',
    '--as',
    'process_owner',
  );
  expect(plan.code).toBe(0);
  expect(JSON.parse(plan.out)).toEqual([expect.objectContaining({ caseId, plan: expect.objectContaining({ ok: true, toVersion: 3 }) })]);
  expect(await historyOf(caseId)).toEqual(history);
  const migrated = await docket(tokens.olga!, 'migrate', caseId, '--to', '3', '--as', 'process_owner');
  expect({ code: migrated.code, err: migrated.err }).toEqual({ code: 0, err: '' });
  expect(JSON.parse(migrated.out)).toMatchObject({ caseId, result: { toVersion: 3 } });
  expect((await h.history(caseId)).at(-1)).toMatchObject({ event: 'migrate', actor: { userId: 'olga', role: 'process_owner' } });
});

test('users, incidents and audit over the API with a role that may not: exit 2 Forbidden and nothing changes', async () => {
  const users = (await api.deps.users.listUsers()).map((u) => `${u.userId}:${u.status}`);
  const bobTokens = (await api.deps.users.listTokens('bob')).length;
  expect(refusal(await docket(tokens.amy!, 'users', 'add', 'zed', '--name', 'Zed', '--roles', 'admin'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'users', 'token', 'bob'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'users', 'disable', 'bob'))).toEqual(FORBIDDEN);
  expect((await api.deps.users.listUsers()).map((u) => `${u.userId}:${u.status}`)).toEqual(users);
  expect((await api.deps.users.listTokens('bob')).length).toBe(bobTokens);

  const history = await historyOf(caseId);
  expect(refusal(await docket(tokens.amy!, 'incidents', 'retry', caseId, '--as', 'someone:admin'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.amy!, 'incidents', 'retry', caseId, '--as', 'cs_agent'))).toEqual(FORBIDDEN);
  expect(await historyOf(caseId)).toEqual(history);

  expect(refusal(await docket(tokens.amy!, 'audit', 'verify', '--all'))).toEqual(FORBIDDEN);
  expect(refusal(await docket(tokens.ray!, 'audit', 'verify', caseId))).toEqual(FORBIDDEN);
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'docket-12-')), 'export.json');
  expect(refusal(await docket(tokens.ray!, 'audit', 'export', caseId, '--out', out))).toEqual(FORBIDDEN);
  expect(existsSync(out)).toBe(false);
  // The auditor may.
  expect(JSON.parse((await docket(tokens.eve!, 'audit', 'verify', caseId)).out)).toMatchObject({ ok: true });
});

test('--direct goes straight to the servers and leaves a DirectAccess row in the security log first', async () => {
  const run = await runCli(
    ['--direct', 'definitions', 'set-param', 'complaint', 'acceptDays', '3', '--as', 'mallory:process_owner', '--json'],
    { config: h.config, cwd: PROJECT_ROOT },
  );
  expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
  expect(JSON.parse(run.out)).toMatchObject({ draft: { status: 'draft', createdBy: 'mallory' } });
  const [row] = await api.deps.securityLog.list({ userId: 'mallory' });
  expect(row).toMatchObject({
    code: 'DirectAccess',
    userId: 'mallory',
    role: 'process_owner',
    method: 'CLI',
    path: 'docket definitions set-param complaint acceptDays 3',
  });
  expect(row!.message).toMatch(/--direct .*OS user ".+" on .+, claiming --as mallory:process_owner/);

  // Without an API and without --direct, a command that needs servers says how to configure one.
  const none = await runCli(['definitions', 'versions', 'complaint', '--json'], { config: h.config, cwd: PROJECT_ROOT });
  expect(refusal(none)).toEqual({ exit: 2, code: 'NotConfigured' });
  expect(JSON.parse(none.out).error.message).toMatch(/DOCKET_API_URL.*--direct/);
});

test('a user with several roles must name one on every acting route: 400 RoleRequired, nothing changes', async () => {
  const cases = await caseCount();
  const history = await historyOf(caseId);
  const start = await api.call('POST', '/cases', { token: tokens.multi, body: { process: 'complaint', input: complaintInput } });
  expect([start.status, start.body.error.code]).toEqual([400, 'RoleRequired']);
  const send = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.multi,
    body: { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'called' } },
  });
  expect([send.status, send.body.error.code]).toEqual([400, 'RoleRequired']);
  expect(await caseCount()).toBe(cases);
  expect(await historyOf(caseId)).toEqual(history);
  // A read open to every role reads in the first role held.
  const read = await api.call('GET', `/cases/${caseId}`, { token: tokens.multi });
  expect([read.status, read.body.role]).toEqual([200, 'cs_agent']);
  // Named, it acts.
  const named = await api.call('POST', '/cases', {
    token: tokens.multi,
    role: 'cs_agent',
    body: { process: 'complaint', input: complaintInput },
  });
  expect(named.status).toBe(201);
});

test('a start with a reused Idempotency-Key: the same body gives the same case, another body 409 RequestIdReused', async () => {
  const headers = { 'idempotency-key': 'start-12' };
  const first = await api.call('POST', '/cases', {
    token: tokens.multi,
    role: 'cs_agent',
    headers,
    body: { process: 'complaint', input: complaintInput },
  });
  expect(first.status).toBe(201);
  const again = await api.call('POST', '/cases', {
    token: tokens.multi,
    role: 'cs_agent',
    headers,
    body: { process: 'complaint', input: complaintInput },
  });
  expect([again.status, again.body.caseId]).toEqual([201, first.body.caseId]);
  const cases = await caseCount();
  const other = await api.call('POST', '/cases', {
    token: tokens.multi,
    role: 'cs_agent',
    headers,
    body: { process: 'complaint', input: { ...complaintInput, severity: 'low' } },
  });
  expect([other.status, other.body.error.code]).toEqual([409, 'RequestIdReused']);
  const otherProcess = await api.call('POST', '/cases', {
    token: tokens.multi,
    role: 'sales_rep',
    headers,
    body: { process: 'visit', input: visitInput },
  });
  expect([otherProcess.status, otherProcess.body.error.code]).toEqual([409, 'RequestIdReused']);
  expect(await caseCount()).toBe(cases);
  // One case, with its first row only, on the newest version (3 once olga published hers above, else the shipped 2).
  const newest = (await h.definitions.latest('complaint'))!.version;
  expect(await historyOf(first.body.caseId)).toEqual([`0:xstate.init:${newest}`]);
  // The key is the user's: another user's same key is another case.
  const amy = await api.call('POST', '/cases', {
    token: tokens.amy,
    headers,
    body: { process: 'complaint', input: { ...complaintInput, severity: 'low' } },
  });
  expect(amy.status).toBe(201);
  expect(amy.body.caseId).not.toBe(first.body.caseId);

  // The client refuses the same way.
  const actor = { userId: 'carl', role: 'cs_agent' };
  const started = await h.docket.startCase('complaint', complaintInput, actor, { requestId: 'client-12' });
  expect((await h.docket.startCase('complaint', complaintInput, actor, { requestId: 'client-12' })).caseId).toBe(started.caseId);
  const reused = await h.docket
    .startCase('complaint', { ...complaintInput, content: 'Another complaint' }, actor, { requestId: 'client-12' })
    .catch((e: unknown) => e);
  expect(reused).toBeInstanceOf(DocketError);
  expect((reused as DocketError).code).toBe('RequestIdReused');
  expect(await historyOf(started.caseId)).toEqual([`0:xstate.init:${newest}`]);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli, type CliRun } from '../helpers/cli';
import { DocketError } from '../../client/docket-client';
import { ImmutableDefinitionError } from '../../adapters/postgres/definition-store';
import { PostgresDefinitionStore } from '../../adapters/postgres/definition-store';
import { definitionHash } from '../../audit/definition-hash';
import { complaintInput, createHarness, cs, handler, manager, type Harness } from '../helpers/harness';
import { complaintShipped, complaintShippedWithReview, complaintV1 } from '../helpers/definition-fixtures';

const owner = { userId: 'olga', role: 'process_owner' };
let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await createHarness('definition_lifecycle');
  dir = mkdtempSync(path.join(tmpdir(), 'docket-defs-'));
});
afterAll(async () => {
  await h?.close();
});

function docket(...argv: string[]): Promise<CliRun> {
  return runCli(['--direct', ...argv], { config: h.config, cwd: dir });
}

const rows = async () =>
  (await h.pool.query('SELECT process_id, version, status, hash FROM docket.definition_versions ORDER BY process_id, version')).rows;

test('on first use the shipped versions are imported as versions 1 and 2, once, even with several stores at once', async () => {
  const stores = Array.from({ length: 4 }, () => new PostgresDefinitionStore(h.pool, { importDir: h.config.definitionsDir }));
  await Promise.all(stores.map((s) => s.ensureImported()));
  const stored = await rows();
  expect(stored.filter((r) => r.process_id === 'complaint')).toEqual([
    { process_id: 'complaint', version: 1, status: 'published', hash: definitionHash(complaintV1()) },
    { process_id: 'complaint', version: 2, status: 'published', hash: definitionHash(complaintShipped()) },
  ]);
  const latest = await h.definitions.latest('complaint');
  expect(latest).toMatchObject({ processId: 'complaint', version: 2, hash: definitionHash(complaintShipped()) });
});

test('refusals: a definition failing the linter is not published, other roles are forbidden, published versions never change', async () => {
  const before = await rows();
  const broken = complaintShipped();
  broken.machine.states.received.on.ACCEPT.target = 'investigatng';
  writeFileSync(path.join(dir, 'broken.json'), JSON.stringify(broken));
  const drafted = await docket('definitions', 'draft', 'complaint', '@broken.json', '--as', 'olga:process_owner');
  expect(drafted.code).toBe(0);
  expect(drafted.out).toMatch(/Linter: 1 problem/);
  expect(drafted.out).toMatch(/did you mean "investigating"/);
  const validated = await docket('definitions', 'validate', 'complaint', '--json');
  expect(validated.code).toBe(2);
  expect(JSON.parse(validated.out)).toMatchObject({ ok: false, version: 3 });
  const refused = await docket('definitions', 'publish', 'complaint', '--as', 'olga:process_owner', '--json');
  expect(refused.code).toBe(2);
  expect(JSON.parse(refused.out).error).toMatchObject({ code: 'InvalidDefinition', message: expect.stringContaining('investigatng') });
  expect((await h.definitions.latest('complaint'))!.version).toBe(2);

  await expect(h.lifecycle.publish(cs, 'complaint')).rejects.toMatchObject({ code: 'Forbidden' });
  const forbidden = await docket('definitions', 'set-param', 'complaint', 'approvalLimit', '8000', '--as', 'amy:cs_agent', '--json');
  expect(forbidden.code).toBe(2);
  expect(JSON.parse(forbidden.out).error.code).toBe('Forbidden');

  writeFileSync(path.join(dir, 'v1-edited.json'), JSON.stringify({ ...complaintV1(), description: 'edited' }));
  const immutable = await docket(
    'definitions',
    'draft',
    'complaint',
    '@v1-edited.json',
    '--version',
    '1',
    '--as',
    'olga:process_owner',
    '--json',
  );
  expect(immutable.code).toBe(2);
  expect(JSON.parse(immutable.out).error).toMatchObject({
    code: 'DefinitionImmutable',
    message: expect.stringContaining('v1 is published'),
  });
  // The database itself refuses to change or remove a published row.
  await expect(
    h.pool.query(`UPDATE docket.definition_versions SET definition = '{}' WHERE process_id = 'complaint' AND version = 1`),
  ).rejects.toMatchObject({
    code: 'DKT02',
  });
  await expect(h.pool.query(`DELETE FROM docket.definition_versions WHERE process_id = 'complaint' AND version = 1`)).rejects.toMatchObject(
    { code: 'DKT02' },
  );

  const discarded = await docket('definitions', 'discard', 'complaint', '--as', 'olga:process_owner');
  expect(discarded.code).toBe(0);
  expect(await rows()).toEqual(before);
  expect(ImmutableDefinitionError).toBeDefined();
});

test('pinned versions: set-param and an added state make v3; v2 cases finish on v2 while new cases run on v3', async () => {
  // A case on the latest shipped version, v2, open while v3 is published.
  const old = await h.docket.startCase('complaint', complaintInput, cs);
  expect(old.definitionVersion).toBe(2);
  await h.docket.send(old.caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });

  // The process owner raises approvalLimit and adds a state.
  const param = await docket('definitions', 'set-param', 'complaint', 'approvalLimit', '8000', '--as', 'olga:process_owner');
  expect(param.code).toBe(0);
  expect(param.out).toContain('changes from 5000 CNY to 8000 CNY');
  writeFileSync(path.join(dir, 'v3.json'), JSON.stringify(complaintShippedWithReview()));
  const draft = await docket('definitions', 'draft', 'complaint', '@v3.json', '--as', 'olga:process_owner');
  expect(draft.code).toBe(0);
  expect(draft.out).toContain('Linter: OK');
  const diff = await docket('definitions', 'diff', 'complaint', '2', 'draft');
  expect(diff.out).toContain('New state "Reviewing findings" (reviewingFindings).');
  expect(diff.out).toContain('approvalLimit) changes from 5000 CNY to 8000 CNY');
  const picture = await docket('definitions', 'diagram', 'complaint', '--version', 'draft', '--format', 'mermaid');
  expect(picture.out).toContain('investigating --> reviewingFindings : SUBMIT_FINDINGS');
  const svg = await docket('definitions', 'diagram', 'complaint', '--version', 'draft', '--format', 'svg', '--out', 'v3.svg');
  expect(svg.code).toBe(0);

  const preview = await docket('definitions', 'publish', 'complaint', '--dry-run', '--as', 'olga:process_owner', '--json');
  expect(preview.code).toBe(0);
  expect(JSON.parse(preview.out)).toMatchObject({
    dryRun: true,
    impact: { replacedVersion: 2, newVersion: 3, byState: [{ state: 'investigating', count: 1 }], inRemovedStates: [] },
  });
  expect((await h.definitions.latest('complaint'))!.version).toBe(2);
  const published = await docket('definitions', 'publish', 'complaint', '--as', 'olga:process_owner');
  expect(published.code).toBe(0);
  expect(published.out).toMatch(/Open cases on v2 \(the version being replaced\): 1/);
  expect(published.out).toMatch(/Published complaint v3 \(hash [0-9a-f]{12}\) by olga at /);

  const versions = JSON.parse((await docket('definitions', 'versions', 'complaint', '--json')).out);
  expect(versions).toEqual([
    expect.objectContaining({ version: 1, status: 'published', publishedBy: 'system', openCases: 0 }),
    expect.objectContaining({ version: 2, status: 'published', publishedBy: 'system', openCases: 1 }),
    expect.objectContaining({ version: 3, status: 'published', publishedBy: 'olga', createdBy: 'olga', openCases: 0 }),
  ]);
  const v3 = await h.definitions.latest('complaint');
  expect(v3).toMatchObject({ version: 3, hash: definitionHash(v3!.raw) });
  expect((v3!.raw as { version: number }).version).toBe(3);

  // A new case runs on v3.
  const fresh = await h.docket.startCase('complaint', complaintInput, cs);
  expect(fresh.definitionVersion).toBe(3);
  await h.docket.send(fresh.caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });

  const findings = { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler };
  const propose = { type: 'PROPOSE_RESOLUTION', data: { proposal: 'refund', compensationAmount: 6000 }, actor: handler };
  // v2: findings go to planning; 6000 is above its limit of 5000.
  expect((await h.docket.send(old.caseId, findings)).state).toBe('planning');
  expect((await h.docket.send(old.caseId, propose)).state).toBe('awaitingApproval');
  await h.docket.send(old.caseId, { type: 'APPROVE', actor: manager });
  // v3: findings are reviewed first; 6000 is within its limit of 8000.
  expect((await h.docket.send(fresh.caseId, findings)).state).toBe('reviewingFindings');
  expect((await h.docket.send(fresh.caseId, { type: 'FINDINGS_REVIEWED', actor: manager })).state).toBe('planning');
  expect((await h.docket.send(fresh.caseId, propose)).state).toBe('communicating');

  for (const caseId of [old.caseId, fresh.caseId]) {
    await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', actor: cs });
    await h.docket.send(caseId, { type: 'RESOLUTION_EXECUTED', data: { summary: 'done' }, actor: handler });
    expect((await h.docket.send(caseId, { type: 'CUSTOMER_SATISFIED', data: { score: 5 }, actor: cs })).status).toBe('completed');
  }
  const oldLog = await h.history(old.caseId);
  const freshLog = await h.history(fresh.caseId);
  expect(new Set(oldLog.map((r) => r.definitionVersion))).toEqual(new Set([2]));
  expect(new Set(freshLog.map((r) => r.definitionVersion))).toEqual(new Set([3]));
  expect(freshLog.map((r) => r.toState)).toContain('reviewingFindings');
});

test('unknown processes and versions are refused with their names', async () => {
  await expect(h.lifecycle.versions('complaitn')).rejects.toMatchObject({
    code: 'UnknownProcess',
    message: expect.stringContaining('did you mean "complaint"'),
  });
  const r = await docket('definitions', 'diff', 'complaint', '1', '9', '--json');
  expect(r.code).toBe(2);
  expect(JSON.parse(r.out).error.code).toBe('UnknownVersion');
  await expect(h.lifecycle.setParameter(owner, 'complaint', 'approvalLimt', 1)).rejects.toBeInstanceOf(DocketError);
});

/** The API routes the web UI uses: processes, case diagrams, the definition lifecycle of process owners, and serving the UI. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApi } from '../../api/app';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
const tok: Record<string, string> = {};
let caseId: string;

beforeAll(async () => {
  h = await createHarness('api_definitions');
  api = await startTestApi(h);
  for (const [user, role] of [
    ['amy', 'cs_agent'],
    ['bob', 'handler'],
    ['sam', 'sales_rep'],
    ['olga', 'process_owner'],
    ['eve', 'auditor'],
  ] as const) {
    tok[user] = await api.user(user, [role]);
  }
  const started = await api.call('POST', '/cases', { token: tok.amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  caseId = started.body.caseId;
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const versions = async () =>
  (await api.call<{ versions: Array<{ version: number; status: string }> }>('GET', '/definitions/complaint/versions', { token: tok.olga }))
    .body.versions;

describe('processes and case pages', () => {
  test('GET /processes lists the processes of the role, whether it may start one, and the input schema', async () => {
    const amy = await api.call('GET', '/processes', { token: tok.amy });
    expect(amy.status).toBe(200);
    const complaint = amy.body.processes.find((p: { processId: string }) => p.processId === 'complaint');
    expect(complaint.canStart).toBe(true);
    expect(complaint.input.required).toContain('customer');
    expect(complaint.stateLabels.received).toEqual({ en: 'Received', 'zh-CN': '受理' });
    expect(complaint.events.ACCEPT.roles).toEqual(['cs_agent']);
    const bob = await api.call('GET', '/processes', { token: tok.bob });
    expect(bob.body.processes.find((p: { processId: string }) => p.processId === 'complaint').canStart).toBe(false);
    const sam = await api.call('GET', '/processes', { token: tok.sam });
    expect(sam.body.processes.map((p: { processId: string }) => p.processId)).not.toContain('complaint');
    expect((await api.call('GET', '/processes')).status).toBe(401);
  });

  test('GET /cases/{id} names the customer; the diagram marks states and transitions for highlighting', async () => {
    const view = await api.call('GET', `/cases/${caseId}`, { token: tok.amy });
    expect(view.body.customerId).toBe(complaintInput.customer);
    const svg = await api.call('GET', `/cases/${caseId}/diagram`, { token: tok.bob });
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.text).toContain('<g class="state" data-state="received">');
    expect(svg.text).toMatch(/<g class="transition event" data-event="ACCEPT" data-from="received" data-to="investigating">/);
    const refused = await api.call('GET', `/cases/${caseId}/diagram`, { token: tok.sam });
    expect(refused.status).toBe(403);
    expect((await api.call('GET', '/cases/complaint-nope/diagram', { token: tok.eve })).status).toBe(404);
  });
});

describe('the definition lifecycle', () => {
  test('reading versions is for process owners and auditors', async () => {
    // The shipped chain: version 1, and version 2 that new cases (the one started above) run on.
    expect(await versions()).toEqual([
      expect.objectContaining({ version: 1, status: 'published', openCases: 0 }),
      expect.objectContaining({ version: 2, status: 'published', openCases: 1 }),
    ]);
    expect((await api.call('GET', '/definitions/complaint/versions', { token: tok.eve })).status).toBe(200);
    expect((await api.call('GET', '/definitions/complaint/versions', { token: tok.amy })).status).toBe(403);
    const latest = await api.call('GET', '/definitions/complaint/versions/latest', { token: tok.eve });
    expect(latest.body).toMatchObject({ version: 2, status: 'published', ok: true, problems: [] });
    expect(latest.body.definition.process).toBe('complaint');
    const none = await api.call('GET', '/definitions/complaint/versions/draft', { token: tok.olga });
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('NoDraft');
    expect((await api.call('GET', '/definitions/complaint/versions/7', { token: tok.olga })).body.error.code).toBe('UnknownVersion');
    expect((await api.call('GET', '/definitions/complaint/versions/v1', { token: tok.olga })).status).toBe(400);
    expect((await api.call('GET', '/definitions/nothing/versions', { token: tok.olga })).body.error.code).toBe('UnknownProcess');
  });

  test('bad parameter values and other roles are refused and change nothing', async () => {
    const low = await api.call('POST', '/definitions/complaint/parameters', {
      token: tok.olga,
      body: { name: 'approvalLimit', value: -5 },
    });
    expect(low.status).toBe(422);
    expect(low.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('at least 0') });
    const unknown = await api.call('POST', '/definitions/complaint/parameters', {
      token: tok.olga,
      body: { name: 'aprovalLimit', value: 1 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UnknownParameter');
    expect(unknown.body.error.message).toContain('approvalLimit');
    const handler = await api.call('POST', '/definitions/complaint/parameters', {
      token: tok.bob,
      body: { name: 'approvalLimit', value: 1 },
    });
    expect(handler.status).toBe(403);
    const auditor = await api.call('POST', '/definitions/complaint/publish', { token: tok.eve, body: {} });
    expect(auditor.status).toBe(403);
    const extra = await api.call('POST', '/definitions/complaint/parameters', {
      token: tok.olga,
      body: { name: 'approvalLimit', value: 1, x: 1 },
    });
    expect(extra.status).toBe(400);
    expect(await versions()).toHaveLength(2);
    const noDraft = await api.call('POST', '/definitions/complaint/publish', { token: tok.olga, body: {} });
    expect(noDraft.status).toBe(404);
    expect(noDraft.body.error.code).toBe('NoDraft');
  });

  test('a parameter change makes a draft with a diff; the impact preview changes nothing; publishing makes it the latest', async () => {
    const set = await api.call('POST', '/definitions/complaint/parameters', {
      token: tok.olga,
      body: { name: 'approvalLimit', value: 8000 },
    });
    expect(set.status).toBe(200);
    expect(set.body.draft).toMatchObject({ version: 3, status: 'draft', createdBy: 'olga' });
    expect(set.body.ok).toBe(true);
    expect(set.body.diff.changes).toEqual([expect.objectContaining({ area: 'parameter', name: 'approvalLimit' })]);

    const diff = await api.call('GET', '/definitions/complaint/diff?from=latest&to=draft', { token: tok.eve });
    expect(diff.body).toMatchObject({ process: 'complaint', from: 2, to: 3 });
    expect(diff.body.changes[0].text).toContain('8000');
    expect(diff.body.changes[0].textZh).toBe('参数 "需经理审批的补偿金额上限"（approvalLimit） 从 5000 CNY 改为 8000 CNY。');

    const svg = await api.call('GET', '/definitions/complaint/diagram?version=draft', { token: tok.olga });
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.text).toContain('<svg');
    const mermaid = await api.call('GET', '/definitions/complaint/diagram?version=1&format=mermaid', { token: tok.olga });
    expect(mermaid.text).toContain('stateDiagram-v2');

    const preview = await api.call('POST', '/definitions/complaint/publish', { token: tok.olga, body: { dryRun: true } });
    expect(preview.status).toBe(200);
    expect(preview.body.dryRun).toBe(true);
    expect(preview.body.published).toBeUndefined();
    expect(preview.body.impact).toMatchObject({ replacedVersion: 2, newVersion: 3, byState: [{ state: 'received', count: 1 }] });
    expect((await versions()).map((v) => v.status)).toEqual(['published', 'published', 'draft']);

    const published = await api.call('POST', '/definitions/complaint/publish', { token: tok.olga });
    expect(published.status).toBe(200);
    expect(published.body.published).toMatchObject({ version: 3, status: 'published', publishedBy: 'olga' });
    expect((await versions()).map((v) => v.status)).toEqual(['published', 'published', 'published']);
    const latest = await api.call('GET', '/definitions/complaint', { token: tok.eve });
    expect(latest.body.version).toBe(3);
    expect(latest.body.definition.parameters.approvalLimit.default).toBe(8000);
  });

  test('a draft with problems is stored with its problems and cannot be published; discarding removes it', async () => {
    const latest = await api.call('GET', '/definitions/complaint/versions/latest', { token: tok.olga });
    const broken = structuredClone(latest.body.definition);
    broken.machine.initial = 'nowhere';
    const saved = await api.call('POST', '/definitions/complaint/draft', { token: tok.olga, body: broken });
    expect(saved.status).toBe(200);
    expect(saved.body.ok).toBe(false);
    expect(saved.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'machine.initial' })]));
    const draft = await api.call('GET', '/definitions/complaint/versions/draft', { token: tok.olga });
    expect(draft.body).toMatchObject({ version: 4, status: 'draft', ok: false });

    const refused = await api.call('POST', '/definitions/complaint/publish', { token: tok.olga, body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('InvalidDefinition');
    expect((await api.call('GET', '/definitions/complaint', { token: tok.olga })).body.version).toBe(3);

    const drawn = await api.call('POST', '/definitions/diagram', { token: tok.olga, body: broken });
    expect(drawn.status).toBe(422);
    expect(drawn.body.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'machine.initial' })]));
    const good = await api.call('POST', '/definitions/diagram', { token: tok.olga, body: latest.body.definition });
    expect(good.status).toBe(200);
    expect(good.text).toContain('data-state="received"');
    expect((await api.call('POST', '/definitions/diagram', { token: tok.eve, body: latest.body.definition })).status).toBe(403);

    const otherProcess = await api.call('POST', '/definitions/complaint/draft', {
      token: tok.olga,
      body: { ...broken, process: 'visit_x' },
    });
    expect(otherProcess.status).toBe(422);

    const discarded = await api.call('POST', '/definitions/complaint/draft/discard', { token: tok.olga });
    expect(discarded.body).toEqual({ processId: 'complaint', discarded: true });
    expect((await api.call('GET', '/definitions/complaint/versions/draft', { token: tok.olga })).status).toBe(404);
    expect((await api.call('POST', '/definitions/complaint/draft/discard', { token: tok.olga })).body.error.code).toBe('NoDraft');
  });

  test('a draft that would hang the engine (an always loop, a catastrophic pattern) gets its findings, and even a dry-run publish is refused', async () => {
    const latest = await api.call('GET', '/definitions/complaint/versions/latest', { token: tok.olga });
    const hanging = structuredClone(latest.body.definition);
    hanging.machine.states.received.always = { target: 'investigating' };
    hanging.machine.states.investigating.always = { target: 'received' };
    hanging.events.LOG_CONTACT.payload.properties.summary.pattern = '^(a+)+$';
    const saved = await api.call('POST', '/definitions/complaint/draft', { token: tok.olga, body: hanging });
    expect(saved.status).toBe(200);
    expect(saved.body.ok).toBe(false);
    expect(saved.body.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'eventless-cycle',
          path: 'machine.states.received.always',
          message: expect.stringContaining('received → investigating → received'),
        }),
        expect.objectContaining({ code: 'unsafe-pattern', path: 'events.LOG_CONTACT.payload.properties.summary.pattern' }),
      ]),
    );

    const preview = await api.call('POST', '/definitions/complaint/publish', { token: tok.olga, body: { dryRun: true } });
    expect(preview.status).toBe(422);
    expect(preview.body.error.code).toBe('InvalidDefinition');
    expect(preview.body.error.message).toContain('machine.states.received.always');
    expect((await api.call('GET', '/definitions/complaint', { token: tok.olga })).body.version).toBe(3);
    expect((await api.call('POST', '/definitions/complaint/draft/discard', { token: tok.olga })).body.discarded).toBe(true);
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = await api.call('GET', '/openapi.json');
    for (const p of ['/processes', '/cases/{caseId}/diagram', '/definitions/{processId}/versions', '/definitions/{processId}/publish']) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
  });
});

describe('serving the web UI', () => {
  test('index.html at /, files under /assets/, nothing outside them', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'docket-web-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Docket</title>');
    writeFileSync(path.join(root, 'assets', 'app-1.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
    const app = buildApi(api.deps, { webRoot: root });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const get = async (url: string) => {
      const res = await fetch(`${base}${url}`);
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    };
    try {
      const index = await get('/');
      expect(index.status).toBe(200);
      expect(index.type).toContain('text/html');
      expect(index.body).toContain('<title>Docket</title>');
      const js = await get('/assets/app-1.js');
      expect(js.type).toContain('text/javascript');
      expect(js.body).toBe('console.log(1)');
      for (const url of ['/assets/..%2fsecret.txt', '/assets/%2e%2e/secret.txt', '/assets/missing.js', '/secret.txt']) {
        const res = await get(url);
        expect(res.status).toBe(404);
        expect(res.body).not.toContain('TOP-SECRET-CONTENT');
      }
      // The API is unchanged beside it.
      expect((await get('/me')).status).toBe(401);
    } finally {
      await app.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

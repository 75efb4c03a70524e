/**
 * Issue 14, item 1: the document GET /openapi.json serves is valid OpenAPI for a standard
 * validator (@readme/openapi-parser), the web UI's types generated from it (openapi-typescript)
 * are web/src/api-types.ts as `npm install` and `npm run lint` write it, and a method a path does not take answers 405.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

let h: Harness;
let api: TestApi;
let amy: string;

beforeAll(async () => {
  h = await createHarness('issue_14_openapi');
  api = await startTestApi(h);
  amy = await api.user('amy', ['cs_agent']);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** Runs scripts/write-openapi-types.ts --check on a document: the validator's verdict and whether the generated types match. */
async function check(document: unknown): Promise<{ code: number; report: { valid: boolean; errors: string[]; current: boolean } }> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'docket-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const script = path.join(root, 'scripts', 'write-openapi-types.ts');
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const done = await run(tsx, [script, '--from', file, '--check'], { cwd: root }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: done.code, report: JSON.parse(done.stdout.trim().split('\n').pop()!) };
}

test('the served document validates, and the web types generated at install are current', async () => {
  const res = await api.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.0.3');
  const { code, report } = await check(res.body);
  expect(report).toEqual({ valid: true, errors: [], current: true });
  expect(code).toBe(0);
});

test('the check fails on a document that points at #/definitions (as the API once served) and on one that drifted', async () => {
  const res = await api.call('GET', '/openapi.json');
  const broken = structuredClone(res.body);
  broken.paths['/health'].get.responses['200'].content['application/json'].schema = { $ref: '#/definitions/Error' };
  const invalid = await check(broken);
  expect(invalid.code).toBe(1);
  expect(invalid.report.valid).toBe(false);
  expect(invalid.report.errors.join('\n')).toContain('#/definitions/Error');

  const drifted = structuredClone(res.body);
  drifted.components.schemas.Case.properties.newField = { type: 'string' };
  const stale = await check(drifted);
  expect(stale.report).toEqual({ valid: true, errors: [], current: false });
  expect(stale.code).toBe(1);
});

test('a method a path does not take answers 405 with Allow and the error body; an unknown path stays 404', async () => {
  for (const [method, url, allow] of [
    ['DELETE', '/cases', 'GET, HEAD, POST'],
    ['GET', '/cases/C-1/events', 'POST'],
    ['PUT', '/users/amy', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ] as const) {
    const res = await api.call(method, url, { token: amy, ...(method !== 'GET' && { body: {} }) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.body.error).toMatchObject({ code: 'MethodNotAllowed', requestId: res.headers.get('x-request-id') });
    expect(res.body.error.message).toContain(allow);
  }
  for (const [method, url] of [
    ['GET', '/no-such-route'],
    ['POST', '/cases/C-1/no-such-action'],
  ] as const) {
    const res = await api.call(method, url, { token: amy });
    expect(res.status).toBe(404);
    expect(res.headers.get('allow')).toBeNull();
    expect(res.body.error.code).toBe('NotFound');
  }
});

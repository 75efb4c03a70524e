/**
 * Issue 14: the OpenAPI document describes every route fastify registered (including one added
 * after the app is built, as health, readiness and metrics routes are), with the error codes,
 * headers and security of each operation. The document's validity against a standard validator
 * and the web UI's generated types are checked on the served document in
 * test/integration/issue-14-openapi.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { unconnectedApi } from '../../api/document';
import { DOCKET_CODES } from '../../engine/refusals';

type Json = Record<string, any>;

/** Every route as fastify lists it (`printRoutes`), read independently of the API's own route table. */
function listedRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    prefixes.length = depth;
    const url = prefixes.join('') + m[2]!;
    prefixes.push(m[2]!);
    for (const method of (m[3] ?? '').split(', ').filter((x) => x !== '')) out.push({ method, url });
  }
  return out;
}

const pathOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

let app: FastifyInstance;
let doc: Json;

beforeAll(async () => {
  app = unconnectedApi();
  // Registered the way the operational routes are, after the app is built: it must be described too.
  app.get('/added-later', { config: { openapi: { summary: 'A route added after buildApi', tag: 'operations' } } }, async () => ({ ok: 1 }));
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => app.close());

test('every route fastify registered is in the document (a HEAD beside a GET is the GET)', () => {
  const listed = listedRoutes(app);
  expect(listed.length).toBeGreaterThan(40);
  const missing = listed
    .filter((r) => r.method !== 'HEAD')
    .filter((r) => doc.paths[pathOf(r.url)]?.[r.method.toLowerCase()] === undefined)
    .map((r) => `${r.method} ${r.url}`);
  expect(missing).toEqual([]);
  for (const url of ['/health', '/openapi.json', '/added-later']) expect(doc.paths[url].get).toBeDefined();
  // And nothing is described that is not served.
  const served = new Set(listed.map((r) => `${r.method.toLowerCase()} ${pathOf(r.url)}`));
  const described = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as Json).map((m) => `${m} ${p}`));
  expect(described.filter((d) => !served.has(d))).toEqual([]);
});

test('shared schemas are components, referenced as #/components/schemas, and every reference resolves', () => {
  const text = JSON.stringify(doc);
  expect(text).not.toContain('#/definitions/');
  expect(text).not.toContain('"$id"');
  const refs = [...text.matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)];
  expect(refs.length).toBeGreaterThan(50);
  for (const [, kind, name] of refs) expect(doc.components[kind!][name!]).toBeDefined();
  for (const name of ['Case', 'CaseSummary', 'InboxItem', 'Transition', 'Incident', 'User', 'TokenInfo', 'Error']) {
    expect(doc.components.schemas[name]).toBeDefined();
  }
  const operationIds = Object.values(doc.paths).flatMap((ops) => Object.values(ops as Json).map((o: Json) => o.operationId));
  expect(new Set(operationIds).size).toBe(operationIds.length);
});

test('the one error body lists every code, the engine refusals among them', () => {
  const codes: string[] = doc.components.schemas.Error.properties.error.properties.code.enum;
  for (const code of Object.keys(DOCKET_CODES)) expect(codes).toContain(code);
  for (const code of ['MethodNotAllowed', 'NotFound', 'RoleRequired', 'TooManyRequests', 'InvalidRequest', 'Internal']) {
    expect(codes).toContain(code);
  }
  expect(doc.components.schemas.Error.required).toEqual(['error']);
  expect(doc.components.responses.Error.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops as Json)) expect(op.responses.default).toBeDefined();
});

test('bearer security on protected operations, none on public ones; role and idempotency headers where they apply', () => {
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(doc.security).toEqual([{ bearer: [] }]);
  for (const url of ['/health', '/openapi.json', '/added-later']) expect(doc.paths[url].get.security).toEqual([]);
  const headers = (op: Json) => (op.parameters ?? []).filter((p: Json) => p.in === 'header').map((p: Json) => p.name);

  const protectedOp = doc.paths['/cases/{caseId}'].get;
  expect(protectedOp.security).toBeUndefined();
  expect(Object.keys(protectedOp.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429', 'default']));
  expect(headers(protectedOp)).toEqual(['X-Docket-Role']);

  for (const op of [doc.paths['/cases'].post, doc.paths['/cases/{caseId}/events'].post]) {
    expect(headers(op)).toEqual(['X-Docket-Role', 'Idempotency-Key']);
  }
  expect(headers(doc.paths['/users'].post)).toEqual(['X-Docket-Role']);
  expect(headers(doc.paths['/health'].get)).toEqual([]);
});

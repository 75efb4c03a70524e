import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
let amy: string;
let eve: string;
let caseId: string;

const INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE docket.transitions; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  "complaint' UNION SELECT * FROM docket.users --",
];
const MB = 'x'.repeat(1024 * 1024);

beforeAll(async () => {
  h = await createHarness('api_hostile');
  api = await startTestApi(h);
  amy = await api.user('amy', ['cs_agent']);
  eve = await api.user('eve', ['auditor']);
  const started = await api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: complaintInput } });
  caseId = started.body.caseId as string;
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function counts(): Promise<{ transitions: number; cases: number; users: number }> {
  const { rows } = await h.pool.query<{ t: string; c: string; u: string }>(
    'SELECT (SELECT count(*) FROM docket.transitions) AS t, (SELECT count(*) FROM docket.cases) AS c, (SELECT count(*) FROM docket.users) AS u',
  );
  return { transitions: Number(rows[0]!.t), cases: Number(rows[0]!.c), users: Number(rows[0]!.u) };
}

/** Every answer is a 4xx; JSON answers carry an error code; nothing is stored; the server still serves. */
async function expectRefused(requests: Array<() => Promise<{ status: number; body: any; text: string }>>, label: string) {
  const before = await counts();
  const wrong: string[] = [];
  for (const [i, request] of requests.entries()) {
    const res = await request();
    const jsonError = typeof res.body === 'object' && res.body !== null && typeof res.body.error?.code === 'string';
    if (res.status < 400 || res.status >= 500 || (res.status !== 431 && !jsonError))
      wrong.push(`${label} #${i}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  expect(wrong).toEqual([]);
  expect(await counts()).toEqual(before);
  expect((await api.call('GET', '/health')).status).toBe(200);
  expect((await api.call('GET', `/cases/${caseId}`, { token: amy })).status).toBe(200);
}

test('SQL injection strings in paths, queries, headers and bodies', async () => {
  const requests = INJECTIONS.flatMap((s) => {
    const e = encodeURIComponent(s);
    return [
      () => api.call('GET', `/cases/${e}`, { token: amy }),
      () => api.call('GET', `/cases/${e}/history`, { token: amy }),
      () => api.call('POST', `/cases/${e}/events`, { token: amy, body: { type: 'ACCEPT', data: {} } }),
      () => api.call('GET', `/cases?process=${e}`, { token: amy }),
      () => api.call('GET', `/cases?actor=${e}`, { token: amy }),
      () => api.call('GET', `/cases?limit=${e}`, { token: amy }),
      () => api.call('GET', `/inbox?mine=${e}`, { token: amy }),
      () => api.call('POST', '/cases', { token: amy, body: { process: s, input: complaintInput } }),
      () => api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: { ...complaintInput, channel: s } } }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, body: { type: s, data: {} } }),
      () =>
        api.call('POST', `/cases/${caseId}/events`, {
          token: amy,
          body: { type: 'ACCEPT', data: { department: 'd', assignee: 'a', x: s } },
        }),
      () => api.call('POST', '/users', { token: api.adminToken, body: { userId: s, displayName: s, roles: ['cs_agent'] } }),
      () => api.call('POST', `/users/${e}/tokens`, { token: api.adminToken }),
      () => api.call('GET', '/inbox', { token: s }),
      () => api.call('GET', '/inbox', { token: amy, role: s }),
      () =>
        api.call('POST', `/cases/${caseId}/events`, { token: amy, headers: { 'idempotency-key': `${s}\u00e9` }, body: { type: 'ACCEPT' } }),
    ];
  });
  await expectRefused(requests, 'injection');
  // Searching for a customer named like an injection finds nothing rather than everything.
  const search = await api.call('GET', `/cases?customer=${encodeURIComponent(INJECTIONS[0]!)}`, { token: eve });
  expect(search.body.cases).toEqual([]);
});

test('1 MB strings in every place a string goes', async () => {
  await expectRefused(
    [
      () => api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: { ...complaintInput, content: MB } } }),
      () => api.call('POST', '/cases', { token: amy, body: { process: MB, input: complaintInput } }),
      () =>
        api.call('POST', `/cases/${caseId}/events`, { token: amy, body: { type: 'ACCEPT', data: { department: MB, assignee: 'bob' } } }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, body: { type: MB } }),
      () => api.call('POST', '/users', { token: api.adminToken, body: { userId: 'big', displayName: MB, roles: ['cs_agent'] } }),
      () => api.call('GET', `/cases?customer=${MB}`, { token: amy }),
      () => api.call('GET', `/cases/${MB}`, { token: amy }),
      () => api.call('GET', '/inbox', { token: MB.slice(0, 8000) }),
      // Below the body limit but above every field's maximum.
      () =>
        api.call('POST', `/cases/${caseId}/events`, {
          token: amy,
          body: { type: 'ACCEPT', data: { department: 'x'.repeat(200_000), assignee: 'bob' } },
        }),
    ],
    '1MB',
  );
});

test('invalid UTF-8, broken JSON, deeply nested JSON, wrong content types', async () => {
  const invalidUtf8 = Buffer.concat([
    Buffer.from('{"type":"ACCEPT","data":{"department":"'),
    Buffer.from([0xc3, 0x28, 0xff]),
    Buffer.from('","assignee":"bob"}}'),
  ]);
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const deepArray = (n: number) => `{"type":"ACCEPT","data":{"department":${'['.repeat(n)}${']'.repeat(n)},"assignee":"bob"}}`;
  await expectRefused(
    [
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: invalidUtf8 }),
      () => api.call('POST', '/cases', { token: amy, raw: invalidUtf8 }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: '{"type": "ACCEPT", ' }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: '{"__proto__": {"admin": true}, "type": "ACCEPT"}' }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: deep(100) }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: deep(20_000) }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: deepArray(50_000) }),
      () => api.call('POST', '/cases', { token: amy, raw: `{"process":"complaint","input":${deep(5000)}}` }),
      () =>
        api.call('POST', `/cases/${caseId}/events`, {
          token: amy,
          raw: 'type=ACCEPT',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: '"ACCEPT"' }),
      () => api.call('POST', `/cases/${caseId}/events`, { token: amy, raw: '' }),
    ],
    'encoding',
  );
});

test('wrong types in every field of every endpoint', async () => {
  const WRONG: unknown[] = [null, 1, -1.5, true, [], {}, 'text', [1, 2]];
  const bodies: Array<[string, string, Record<string, unknown>, string]> = [
    ['POST', '/cases', { process: 'complaint', input: complaintInput }, amy],
    ['POST', `/cases/${caseId}/events`, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } }, amy],
    ['POST', '/users', { userId: 'wrongtypes', displayName: 'W', email: 'w@example.com', roles: ['cs_agent'] }, api.adminToken],
  ];
  const requests: Array<() => Promise<{ status: number; body: any; text: string }>> = [];
  for (const [method, url, valid, token] of bodies) {
    const fields = [
      ...Object.keys(valid),
      ...Object.keys(valid.input ?? valid.data ?? {}).map((k) => `${valid.input ? 'input' : 'data'}.${k}`),
    ];
    for (const field of fields) {
      for (const value of WRONG) {
        const body = structuredClone(valid);
        const [top, sub] = field.split('.') as [string, string | undefined];
        const original = sub ? (body[top] as Record<string, unknown>)[sub] : body[top];
        if (typeof value === typeof original && Array.isArray(value) === Array.isArray(original)) continue; // not a wrong type
        if (sub) (body[top] as Record<string, unknown>)[sub] = value;
        else body[top] = value;
        requests.push(() => api.call(method, url, { token, body }));
      }
    }
    requests.push(() => api.call(method, url, { token, body: [valid] }));
    requests.push(() => api.call(method, url, { token, body: { ...valid, extra: 1 } }));
  }
  const queries = [
    '/cases?limit=abc',
    '/cases?limit=-1',
    '/cases?limit=100000',
    '/cases?offset=x',
    '/cases?overdue=maybe',
    '/cases?openedFrom=yesterday',
    '/cases?status=closed',
    '/cases?process=Complaint',
    '/cases?limit=1&limit=2',
    '/cases?unknown=1',
    '/inbox?limit=0',
    '/inbox?mine=1',
    `/cases/${caseId}/audit/export?format=xml`,
    '/security-log?limit=abc',
    `/customers/x/timeline?limit=-5`,
  ];
  for (const q of queries) requests.push(() => api.call('GET', q, { token: q.startsWith('/security') ? eve : amy }));
  expect(requests.length).toBeGreaterThan(80);
  await expectRefused(requests, 'types');
});

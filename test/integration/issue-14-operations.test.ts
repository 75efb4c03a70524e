/**
 * Issue 14: liveness, readiness that really asks PostgreSQL and Temporal, and Prometheus metrics
 * counted from real requests and real cases.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PostgresCaseStore } from '../../adapters/postgres';
import { createPool } from '../../adapters/postgres/pool';
import { buildApi } from '../../api/app';
import { apiDeps } from '../../api/server';
import { DocketClient } from '../../client/docket-client';
import { loadCalendar } from '../../client/setup';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { COMPLAINT_STEPS, complaintInput, createHarness, cs, type Harness } from '../helpers/harness';
import { freePort } from '../../infra/net';
import { parsePrometheus, sampleValue } from '../helpers/prometheus';

let h: Harness;
let api: TestApi;

beforeAll(async () => {
  h = await createHarness('issue14-operations');
  api = await startTestApi(h, { metrics: { businessCacheMs: 0 } });
}, 120_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

async function scrape() {
  const res = await api.call('GET', '/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.text);
}

async function historyUntil(caseId: string, done: (events: string[]) => boolean): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const events = (await h.history(caseId)).map((r) => r.event);
    if (done(events)) return;
    if (Date.now() > until) throw new Error(`case ${caseId} never got there: ${events.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('GET /health answers without asking anything; /health, /ready and /metrics are routes of the OpenAPI document', async () => {
  const res = await api.call('GET', '/health');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ ok: true });
  const doc = (await api.call('GET', '/openapi.json')).body;
  for (const p of ['/health', '/ready', '/metrics']) {
    expect(doc.paths[p].get).toMatchObject({ tags: ['operations'], security: [] });
  }
  expect(Object.keys(doc.paths['/ready'].get.responses)).toEqual(expect.arrayContaining(['200', '503']));
  expect(Object.keys(doc.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain; version=0.0.4']);
});

test('GET /ready answers 200 when PostgreSQL and Temporal both answer', async () => {
  const res = await api.call('GET', '/ready');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    ready: true,
    checks: { postgres: { ok: true, ms: expect.any(Number) }, temporal: { ok: true, ms: expect.any(Number) } },
  });
});

test('GET /ready answers 503 naming PostgreSQL when the database does not answer (and /health still 200)', async () => {
  const pool = createPool({ connectionString: `postgres://docket_api:x@127.0.0.1:${await freePort()}/docket`, max: 1 });
  const app = buildApi(apiDeps(h.docket, pool), { logger: { level: 'silent' } });
  try {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      ready: false,
      checks: { postgres: { ok: false, ms: expect.any(Number), error: 'ECONNREFUSED' }, temporal: { ok: true, ms: expect.any(Number) } },
    });
    // Nothing of the address or the login is told to whoever asks.
    expect(ready.body).not.toMatch(/127\.0\.0\.1|docket_api/);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // The metrics still answer; the business counters say they could not be read.
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    const samples = parsePrometheus(metrics.body);
    expect(sampleValue(samples, 'docket_business_metrics_up')).toBe(0);
    expect(sampleValue(samples, 'docket_cases_opened_total', { process: 'complaint' })).toBeUndefined();
  } finally {
    await app.close();
    await pool.end();
  }
});

test('GET /ready answers 503 naming Temporal when Temporal does not answer', async () => {
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
  const docket = new DocketClient({
    temporal: new Client({ connection, namespace: 'default' }),
    store: new PostgresCaseStore(h.apiPool),
    definitions: h.definitions,
    calendar: await loadCalendar(h.config),
    taskQueue: h.taskQueue,
  });
  const app = buildApi(apiDeps(docket, h.apiPool), { logger: { level: 'silent' }, readyTimeoutMs: 1500 });
  try {
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    const body = ready.json();
    expect(body.checks.postgres).toEqual({ ok: true, ms: expect.any(Number) });
    expect(body.checks.temporal).toMatchObject({ ok: false, error: expect.stringMatching(/^(grpc-14|timeout)$/) });
  } finally {
    await app.close();
    await connection.close().catch(() => undefined);
  }
}, 30_000);

test('the metrics count the requests answered, by route pattern and status, refusals by code and failed authentication', async () => {
  const before = await scrape();
  const count = (samples: ReturnType<typeof parsePrometheus>, name: string, labels: Record<string, string>) =>
    sampleValue(samples, name, labels) ?? 0;
  const agent = await api.user('amy', ['cs_agent']);

  for (let i = 0; i < 3; i++) expect((await api.call('GET', '/me', { token: agent })).status).toBe(200);
  expect((await api.call('GET', '/cases/complaint-nobody', { token: agent })).status).toBe(404);
  expect((await api.call('GET', '/cases/complaint-nobody-else', { token: agent })).status).toBe(404);
  expect((await api.call('GET', '/me', { token: 'dkt_not_a_token' })).status).toBe(401);
  expect((await api.call('GET', '/users', { token: agent })).status).toBe(403);
  expect((await api.call('GET', '/no/such/path/4711')).status).toBe(404);

  const after = await scrape();
  const delta = (name: string, labels: Record<string, string>) => count(after, name, labels) - count(before, name, labels);
  expect(delta('docket_api_requests_total', { method: 'GET', route: '/me', status: '200' })).toBe(3);
  expect(delta('docket_api_requests_total', { method: 'GET', route: '/cases/:caseId', status: '404' })).toBe(2);
  expect(delta('docket_api_requests_total', { method: 'GET', route: '/me', status: '401' })).toBe(1);
  expect(delta('docket_api_requests_total', { method: 'GET', route: '(unmatched)', status: '404' })).toBe(1);
  expect(delta('docket_api_request_duration_seconds_count', { method: 'GET', route: '/me', status: '200' })).toBe(3);
  expect(count(after, 'docket_api_request_duration_seconds_bucket', { method: 'GET', route: '/me', status: '200', le: '+Inf' })).toBe(
    count(after, 'docket_api_requests_total', { method: 'GET', route: '/me', status: '200' }),
  );
  expect(delta('docket_api_refusals_total', { code: 'CaseNotFound' })).toBe(2);
  expect(delta('docket_api_refusals_total', { code: 'Forbidden' })).toBe(1);
  expect(delta('docket_api_auth_failures_total', { reason: 'unauthenticated' })).toBe(1);
  expect(delta('docket_api_auth_failures_total', { reason: 'forbidden' })).toBe(1);
  // No label carries what a client made up.
  expect(after.some((s) => Object.values(s.labels).some((v) => v.includes('nobody') || v.includes('4711')))).toBe(false);
});

test('the business counters come from PostgreSQL: cases opened and closed, deadlines missed, per process', async () => {
  const closed = (await h.docket.startCase('complaint', complaintInput, cs)).caseId;
  await h.docket.startCase('complaint', { ...complaintInput, customer: 'CUST-1002' }, cs);
  for (const [type, data, actor] of COMPLAINT_STEPS) await h.docket.send(closed, { type, data, actor });
  // The example deal was lost weeks ago: its information falls due at once, a deadline missed.
  const lostDeal = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', 'lost_deal.json'), 'utf8')) as Record<string, unknown>;
  const deal = (await h.docket.startCase('lost_deal', lostDeal, { userId: 'ray', role: 'sales_rep' })).caseId;
  await historyUntil(deal, (events) => events.includes('after:infoDue'));

  const samples = await scrape();
  expect(sampleValue(samples, 'docket_business_metrics_up')).toBe(1);
  expect(sampleValue(samples, 'docket_cases_opened_total', { process: 'complaint' })).toBe(2);
  expect(sampleValue(samples, 'docket_cases_closed_total', { process: 'complaint' })).toBe(1);
  expect(sampleValue(samples, 'docket_cases_opened_total', { process: 'lost_deal' })).toBe(1);
  expect(sampleValue(samples, 'docket_cases_closed_total', { process: 'lost_deal' })).toBe(0);
  expect(sampleValue(samples, 'docket_deadlines_missed_total', { process: 'lost_deal', delay: 'infoDue' })).toBe(1);
  expect(sampleValue(samples, 'docket_deadlines_missed_total', { process: 'complaint' })).toBeUndefined();
  expect(sampleValue(samples, 'docket_incidents_opened_total', { process: 'complaint' })).toBe(0);

  // Another API process on the same database reports the same totals: nothing is counted per process.
  const other = buildApi(apiDeps(h.docket, h.apiPool), { logger: { level: 'silent' }, metrics: { businessCacheMs: 0 } });
  try {
    const again = parsePrometheus((await other.inject({ method: 'GET', url: '/metrics' })).body);
    expect(sampleValue(again, 'docket_cases_opened_total', { process: 'complaint' })).toBe(2);
    expect(sampleValue(again, 'docket_cases_closed_total', { process: 'complaint' })).toBe(1);
    expect(sampleValue(again, 'docket_api_requests_total', { route: '/me', status: '200' })).toBeUndefined();
  } finally {
    await other.close();
  }
}, 120_000);

test('with DOCKET_METRICS_TOKEN set, /metrics answers only with that bearer token', async () => {
  const token = 'scrape-secret-0123456789';
  const app = buildApi(apiDeps(h.docket, h.apiPool), { logger: { level: 'silent' }, metrics: { token } });
  try {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${api.adminToken}` } })).statusCode).toBe(
      401,
    );
    const ok = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE docket_api_requests_total counter');
    // The other operations routes stay open to a load balancer.
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

/**
 * Property-based, on the real stack: random event names (prototype members, the engine's own
 * `xstate.*`, timer and done events, unicode) and random payloads and start inputs (NUL, lone
 * surrogates, huge numbers, deep nesting, `__proto__`/`constructor` keys, huge strings) sent to
 * the API get a 2xx or a 4xx with `{error: {code, message}}` — never a 5xx — and every case
 * still answers.
 */
import fc from 'fast-check';
import complaintJson from '../../definitions/complaint.json';
import { storableProblems } from '../../engine/storable';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';
import { hostileEventName, hostilePayload, hostileText, hostileValue } from '../helpers/hostile';

let h: Harness;
let api: TestApi;
let amy: string;
let bob: string;
const cases: string[] = [];

const DECLARED = Object.keys(complaintJson.events);
const DELAYS = Object.keys(complaintJson.delays);
const VALID = [
  { department: 'after_sales', assignee: 'bob' },
  { department: 'after_sales', assignee: 'bob', comment: 'ok' },
  { channel: 'phone', summary: 'Called the customer.' },
  { findings: 'The door cracked in transit.', customerExpectation: 'A new door.' },
];

beforeAll(async () => {
  h = await createHarness('api_hostile_property');
  api = await startTestApi(h);
  amy = await api.user('amy', ['cs_agent']);
  bob = await api.user('bob', ['handler']);
  for (let i = 0; i < 2; i++) {
    const started = await api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: complaintInput } });
    expect(started.status).toBe(201);
    cases.push(started.body.caseId as string);
  }
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** A 2xx, or a 4xx whose body names an error code and says what is wrong. */
function expectAnswered(res: { status: number; body: any; text: string }, what: unknown): void {
  const ok = res.status >= 200 && res.status < 300;
  const refused =
    res.status >= 400 &&
    res.status < 500 &&
    typeof res.body?.error?.code === 'string' &&
    typeof res.body?.error?.message === 'string' &&
    res.body.error.message.length > 0;
  if (!ok && !refused) throw new Error(`${res.status} ${res.text.slice(0, 300)} for ${JSON.stringify(what).slice(0, 300)}`);
}

test('random events and payloads get a 2xx or a typed 4xx, never a 5xx; unstorable ones are always refused', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.nat(cases.length - 1),
      hostileEventName(DECLARED, DELAYS),
      hostilePayload(VALID),
      fc.constantFrom('amy', 'bob'),
      async (which, type, data, who) => {
        const body = { type, data };
        const res = await api.call('POST', `/cases/${cases[which]}/events`, { token: who === 'amy' ? amy : bob, body });
        expectAnswered(res, body);
        if (storableProblems(JSON.parse(JSON.stringify(body))).length > 0) expect(res.status).toBeGreaterThanOrEqual(400);
      },
    ),
    { numRuns: 50 },
  );
  for (const id of cases) expect((await api.call('GET', `/cases/${id}`, { token: amy })).status).toBe(200);
}, 60_000);

test('random start inputs get a 2xx or a typed 4xx, never a 5xx', async () => {
  const input = fc
    .tuple(
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...Object.keys(complaintInput)), hostileText(6)), hostileValue), { maxLength: 3 }),
      fc.boolean(),
    )
    .map(([extra, keep]) => Object.fromEntries([...(keep ? Object.entries(complaintInput) : []), ...extra]));
  await fc.assert(
    fc.asyncProperty(input, fc.oneof(fc.constant('complaint'), hostileText(10)), async (value, process) => {
      const body = { process, input: value };
      const res = await api.call('POST', '/cases', { token: amy, body });
      expectAnswered(res, body);
      if (res.status === 201) expect((await api.call('GET', `/cases/${res.body.caseId}`, { token: amy })).status).toBe(200);
    }),
    { numRuns: 40 },
  );
}, 60_000);

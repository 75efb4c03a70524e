import path from 'node:path';
import { DocketError } from '../../client/docket-client';
import { PROJECT_ROOT } from '../../config';
import { startTestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'definitions');
const rep = { userId: 'rita', role: 'sales_rep' };
const owner = { userId: 'otto', role: 'dept_owner' };
const manager = { userId: 'mark', role: 'sales_manager' };
const gm = { userId: 'gina', role: 'gm' };
const legal = { userId: 'leo', role: 'legal' };
const order = { customer: 'cust-sub-1', parts: ['frame', 'wheel'], amount: 300_000, standard: false };

let h: Harness;
let small: Harness;
beforeAll(async () => {
  h = await createHarness('subprocesses', { definitionsDir: FIXTURES });
  small = await createHarness('subprocesses_can', { definitionsDir: FIXTURES, continueAsNewAfter: 12 });
}, 300_000);
afterAll(async () => {
  await h?.close();
  await small?.close();
});

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function expectRefused(p: Promise<unknown>, code: string, message: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocketError);
  expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
}

test('an automatic check, sub-processes in parallel routed by key, then an approval chain, on the real runtime', async () => {
  const { caseId } = await h.docket.startCase('order_review', order, rep);
  const working = await until(
    () => h.docket.status(caseId),
    (s) => s.state === 'working' && s.children.length === 2 && s.storedSeq === s.seq,
    'the check and the sub-processes',
  );
  expect(working.children).toEqual([
    { invokeId: 'parts', key: 'frame', caseId: `${caseId}.parts.frame`, processId: 'order_part', status: 'open' },
    { invokeId: 'parts', key: 'wheel', caseId: `${caseId}.parts.wheel`, processId: 'order_part', status: 'open' },
  ]);
  expect(working.context.pendingApprovers).toEqual(['sales_manager', 'gm', 'legal']);
  expect(working.deadlines.map((d) => d.id)).toEqual(['timer.reportDue']);
  const log = await h.history(caseId);
  expect(log.map((r) => [r.seq, r.event, r.fromState, r.toState, r.actor.role])).toEqual([
    [0, 'xstate.init', null, 'checking', 'sales_rep'],
    [1, 'done:check', 'checking', 'working', 'system'],
  ]);
  expect(log[1]!.payload).toEqual({ passed: true, violations: [] });

  // Each sub-process is a case of its own, with the customer of its parent.
  const child = await h.docket.status(`${caseId}.parts.frame`);
  expect(child).toMatchObject({ processId: 'order_part', state: 'open', parent: { caseId, invokeId: 'parts', key: 'frame' } });
  expect((await h.docket.store.getCase(`${caseId}.parts.frame`))?.customerId).toBe('cust-sub-1');

  // Refusals change nothing: an unknown key, a missing key, a sub-process of the wrong role.
  await expectRefused(
    h.docket.send(caseId, { type: 'PART_DONE', data: { part: 'seat', result: 'ok' }, actor: owner }),
    'NotAllowedInState',
    /no open order_part sub-process "seat"; open: frame, wheel/,
  );
  await expectRefused(h.docket.send(caseId, { type: 'PART_DONE', data: { result: 'ok' }, actor: owner }), 'ValidationError', /"part"/);
  await expectRefused(
    h.docket.send(caseId, { type: 'PART_DONE', data: { part: 'frame', result: 'ok' }, actor: rep }),
    'Forbidden',
    /may not send PART_DONE/,
  );
  expect(await h.history(caseId)).toEqual(log);
  expect((await h.history(`${caseId}.parts.frame`)).map((r) => r.event)).toEqual(['xstate.init']);

  // Sent to the parent, routed to the child its key names.
  const routed = await h.docket.send(caseId, { type: 'PART_DONE', data: { part: 'frame', result: 'welded' }, actor: owner });
  expect(routed).toMatchObject({ caseId: `${caseId}.parts.frame`, state: 'finished', status: 'completed' });
  await new Promise((r) => setTimeout(r, 500));
  expect((await h.docket.status(caseId)).state).toBe('working'); // one of two is not done
  await expectRefused(
    h.docket.send(caseId, { type: 'PART_DONE', data: { part: 'frame', result: 'again' }, actor: owner }),
    'CaseClosed',
    /sub-process "frame" .* is finished/,
  );

  await h.docket.send(caseId, { type: 'PART_DONE', data: { part: 'wheel', result: 'trued' }, actor: owner });
  const approving = await until(
    () => h.docket.status(caseId),
    (s) => s.state === 'approving' && s.storedSeq === s.seq,
    'all sub-processes done',
  );
  expect(approving.children.map((c) => c.status)).toEqual(['completed', 'completed']);
  const done = (await h.history(caseId)).at(-1)!;
  expect(done).toMatchObject({ seq: 2, event: 'done:parts', fromState: 'working', toState: 'approving' });
  expect((done.payload.items as Array<{ key: string; state: string }>).map((i) => [i.key, i.state])).toEqual([
    ['frame', 'finished'],
    ['wheel', 'finished'],
  ]);

  // The chain: only the role whose turn it is; a refusal changes nothing.
  await expectRefused(h.docket.send(caseId, { type: 'APPROVE', actor: legal }), 'ConditionNotMet', /whose turn it is/);
  for (const actor of [manager, gm]) expect((await h.docket.send(caseId, { type: 'APPROVE', actor })).state).toBe('approving');
  expect(await h.docket.send(caseId, { type: 'APPROVE', actor: legal })).toMatchObject({ state: 'done', status: 'completed' });
  expect((await h.history(caseId)).map((r) => r.event)).toEqual([
    'xstate.init',
    'done:check',
    'done:parts',
    'APPROVE',
    'APPROVE',
    'APPROVE',
  ]);
});

test('a failing check ends the case with every violation listed', async () => {
  const { caseId } = await h.docket.startCase('order_review', { ...order, amount: 5_000_000, parts: [] }, rep);
  const s = await until(
    () => h.docket.status(caseId),
    (v) => v.status === 'completed' && v.storedSeq === v.seq,
    'the check',
  );
  expect(s.state).toBe('rejected');
  const row = (await h.history(caseId)).at(-1)!;
  expect(row).toMatchObject({ event: 'done:check', toState: 'rejected', status: 'completed' });
  expect((row.payload.violations as Array<{ rule: string }>).map((v) => v.rule)).toEqual(['amountWithinLimit', 'hasParts']);
});

test('a sub-process case cannot be started on its own', async () => {
  await expectRefused(small.docket.startCase('order_part', { customer: 'c', part: 'x' }, owner), 'Forbidden', /only as a sub-process/);
});

test('the parent continues as new while its sub-processes run, and still hears when they finish', async () => {
  const parts = ['a', 'b', 'c', 'd'];
  const { caseId } = await small.docket.startCase('order_review', { ...order, parts }, rep);
  await until(
    () => small.docket.status(caseId),
    (s) => s.children.length === 4,
    'the sub-processes',
  );
  for (const part of parts) await small.docket.send(caseId, { type: 'PART_DONE', data: { part, result: 'ok' }, actor: owner });
  const s = await until(
    () => small.docket.status(caseId),
    (v) => v.state === 'approving' && v.storedSeq === v.seq,
    'the parent to move on',
  );
  expect(s.children.every((c) => c.status === 'completed')).toBe(true);
  const runs = await small.docket.workflowHistory(caseId);
  expect(runs.length).toBeGreaterThan(1);
  expect((await small.history(caseId)).map((r) => r.seq)).toEqual([0, 1, 2]);
});

test('over the HTTP API a parent case lists its sub-processes and offers their events, routed by key', async () => {
  const api = await startTestApi(h);
  try {
    const otto = await api.user('otto', ['dept_owner']);
    const rita = await api.user('rita', ['sales_rep']);
    const started = await api.call('POST', '/cases', {
      token: rita,
      body: { process: 'order_review', input: { ...order, parts: ['hub'] } },
    });
    expect(started.status).toBe(201);
    const caseId = started.body.caseId as string;
    await until(
      () => h.docket.status(caseId),
      (s) => s.children.length === 1 && s.storedSeq === s.seq,
      'the sub-process',
    );
    const view = await api.call('GET', `/cases/${caseId}`, { token: otto });
    expect(view.status).toBe(200);
    expect(view.body.children).toEqual([
      { invokeId: 'parts', key: 'hub', caseId: `${caseId}.parts.hub`, processId: 'order_part', status: 'open' },
    ]);
    expect(view.body.allowedEvents).toEqual([
      expect.objectContaining({ type: 'PART_DONE', routeTo: { caseId: `${caseId}.parts.hub`, key: 'hub', field: 'part' } }),
    ]);
    const child = await api.call('GET', `/cases/${caseId}.parts.hub`, { token: otto });
    expect(child.body.parent).toEqual({ caseId, invokeId: 'parts', key: 'hub' });
    const sent = await api.call('POST', `/cases/${caseId}/events`, {
      token: otto,
      body: { type: 'PART_DONE', data: { part: 'hub', result: 'ok' } },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ caseId: `${caseId}.parts.hub`, state: 'finished' });
  } finally {
    await api.close();
  }
});

/**
 * Operators see cases in Temporal with its own tools: the `temporal` CLI lists them by process,
 * state and customer (Docket's search attributes), the Web UI reads a summary, the labels and
 * the current state; and nothing personal is written there.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes, requireSearchAttributes, searchAttributeProblems } from '../../infra/search-attributes';
import { resolveTemporalCli } from '../../infra/temporal-cli';
import { SEARCH_KEYS } from '../../workflows/search-attributes';
import { createDocketWorker } from '../../worker/worker';
import { complaintInput, createHarness, cs, requireEnv, waitFor, type Harness } from '../helpers/harness';
import { refusingStore } from '../helpers/refusing-store';

const run = promisify(execFile);
const rep = { userId: 'ray', role: 'sales_rep' };
const admin = { userId: 'root', role: 'admin' };
/** A complaint's withdrawal at the customer's own request, made a minute ago by phone. */
const withdrawal = (reason: string) => ({
  reason,
  requestedByCustomer: true,
  requestedAt: new Date(Date.now() - 60_000).toISOString(),
  requestChannel: 'phone',
});

/** Cases whose rows the store refuses (an incident opens). */
const refused = new Set<string>();
const refusing = refusingStore((record) => refused.has(record.caseId));

let h: Harness;
let cli: string;
beforeAll(async () => {
  h = await createHarness('temporal_visibility', { wrapStore: refusing });
  const source = await resolveTemporalCli();
  if (source.kind !== 'path') throw new Error(`these tests run the temporal CLI; none on this machine (${source.kind})`);
  cli = source.path;
}, 600_000);
afterAll(async () => {
  await h?.close();
});

/** The workflow ids `temporal workflow list --query` answers, among this file's cases (its task queue). */
async function list(query: string): Promise<string[]> {
  const { stdout } = await run(cli, [
    'workflow',
    'list',
    '--address',
    h.config.temporalAddress!,
    '--namespace',
    h.config.namespace,
    '--query',
    `${query} AND TaskQueue='${h.taskQueue}'`,
    '--output',
    'json',
  ]);
  const rows = stdout.trim() === '' ? [] : (JSON.parse(stdout) as Array<{ execution: { workflowId: string } }>);
  return rows.map((r) => r.execution.workflowId).sort();
}

/** Lists until the answer is `expected` (Temporal's visibility trails a moment behind the case). */
async function listed(query: string, expected: string[]): Promise<string[]> {
  return waitFor(
    () => list(query),
    (ids) => JSON.stringify(ids) === JSON.stringify([...expected].sort()),
    `temporal workflow list --query "${query}" to answer ${expected.join(', ')}`,
    100,
  );
}

/** The search attributes of a case as Temporal describes them, by name. */
async function attributes(caseId: string): Promise<Record<string, unknown>> {
  const described = await h.client.workflow.getHandle(caseId).describe();
  return Object.fromEntries(described.typedSearchAttributes.getAll().map(({ key, value }) => [key.name, value]));
}

async function attributesWhen(caseId: string, done: (a: Record<string, unknown>) => boolean, what: string) {
  return waitFor(() => attributes(caseId), done, what, 100);
}

/** What the Web UI reads of a case: its summary and details, its memo and its current details. */
async function webUiView(caseId: string) {
  const handle = h.client.workflow.getHandle(caseId);
  const described = await handle.describe();
  const metadata = await handle.query<{
    currentDetails?: string;
    definition?: { updateDefinitions?: Array<{ name: string; description?: string }> };
  }>('__temporal_workflow_metadata');
  return {
    summary: await described.staticSummary(),
    details: await described.staticDetails(),
    memo: described.memo,
    currentDetails: metadata.currentDetails ?? '',
    updates: metadata.definition?.updateDefinitions ?? [],
  };
}

test('`temporal workflow list` finds cases by process, state and customer', async () => {
  const investigating = (await h.docket.startCase('complaint', complaintInput, cs)).caseId;
  await h.docket.send(investigating, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  const received = (await h.docket.startCase('complaint', { ...complaintInput, customer: 'CUST-1002' }, cs)).caseId;
  const visit = (
    await h.docket.startCase('visit', { customer: 'CUST-1001', visitType: 'new_customer', owner: 'ray', purpose: 'Rate card' }, rep)
  ).caseId;

  expect(await listed("DocketProcess='complaint' AND DocketState='investigating'", [investigating])).toEqual([investigating]);
  expect(await listed("DocketProcess='complaint' AND DocketState='received'", [received])).toEqual([received]);
  expect(await listed("DocketCustomerId='CUST-1001'", [investigating, visit])).toEqual([investigating, visit].sort());
  // New cases start on the newest shipped version, 2.
  expect(await listed("DocketProcess='visit' AND DocketStatus='open' AND DocketVersion=2", [visit])).toEqual([visit]);
  expect(await listed("DocketAssignee='bob'", [investigating])).toEqual([investigating]);

  // The case moves on: the list follows it.
  await h.docket.send(investigating, { type: 'WITHDRAW', data: withdrawal('solved by phone'), actor: cs });
  expect(await listed("DocketProcess='complaint' AND DocketState='investigating'", [])).toEqual([]);
  expect(await listed("DocketStatus='completed'", [investigating])).toEqual([investigating]);
});

test('the attributes and the current details change with each transition, the memo stays the process labels; the Web UI reads process · state · customer', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const started = await attributesWhen(caseId, (a) => a.DocketState === 'received', 'the state received');
  expect(started).toMatchObject({
    DocketProcess: 'complaint',
    DocketVersion: 2,
    DocketState: 'received',
    DocketStatus: 'open',
    DocketCustomerId: 'CUST-1001',
    DocketOverdue: false,
    DocketIncidents: 0,
  });
  expect(started.DocketAssignee).toBeUndefined();
  const acceptDue = (await h.docket.status(caseId)).deadlines[0]!.dueAt;
  expect((started.DocketDueAt as Date).toISOString()).toBe(acceptDue);

  let view = await webUiView(caseId);
  expect(view.summary).toBe('complaint · CUST-1001');
  expect(view.details).toContain('Complaint handling (客户投诉处理), definition version 2');
  // The memo is the process's labels, set at the start; the state's labels are in the current details.
  expect(view.memo).toEqual({ process: { en: 'Complaint handling', 'zh-CN': '客户投诉处理' } });
  expect(view.currentDetails).toContain('complaint · received · CUST-1001');
  expect(view.currentDetails).toContain('Received (受理)');
  expect(view.updates).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'sendEvent', description: expect.stringContaining('event type') })]),
  );

  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  const moved = await attributesWhen(caseId, (a) => a.DocketState === 'investigating', 'the state investigating');
  expect(moved).toMatchObject({ DocketState: 'investigating', DocketStatus: 'open', DocketAssignee: 'bob', DocketOverdue: false });
  const nextDue = (await h.docket.status(caseId)).deadlines.map((d) => d.dueAt).sort()[0];
  expect((moved.DocketDueAt as Date).toISOString()).toBe(nextDue);
  view = await webUiView(caseId);
  expect(view.memo).toEqual({ process: { en: 'Complaint handling', 'zh-CN': '客户投诉处理' } });
  expect(view.currentDetails).toContain('complaint · investigating · CUST-1001');
  expect(view.currentDetails).toContain('Investigating (调查核实)');

  // Each Update is listed by an id that starts with its event; the timers and activities are named.
  const history = await h.client.workflow.getHandle(caseId).fetchHistory();
  const updateIds = (history.events ?? []).flatMap(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId ?? [],
  );
  expect(updateIds).toEqual([expect.stringMatching(/^ACCEPT-/)]);
  const upserts = (history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
  expect(upserts.length).toBeGreaterThan(0);
  const timerSummaries = (history.events ?? []).filter((e) => e.timerStartedEventAttributes).map((e) => e.userMetadata?.summary);
  expect(timerSummaries.length).toBeGreaterThan(0);
  for (const summary of timerSummaries)
    expect(summary?.data && Buffer.from(summary.data).toString()).toMatch(/acceptDue|investigation|promise/);
  // Activities are named, and so is the local activity that stores a human step's row within its workflow task.
  const summaries = (kind: 'activityTaskScheduledEventAttributes' | 'markerRecordedEventAttributes') =>
    (history.events ?? [])
      .filter((e) => e[kind])
      .map((e) => (e.userMetadata?.summary?.data ? Buffer.from(e.userMetadata.summary.data).toString() : ''));
  expect(summaries('activityTaskScheduledEventAttributes')).toEqual(
    expect.arrayContaining([expect.stringContaining('store transition 0 (xstate.init)')]),
  );
  expect(summaries('markerRecordedEventAttributes')).toEqual(
    expect.arrayContaining([expect.stringContaining('store transition 1 (ACCEPT)')]),
  );

  // Writes only what changed: a contact logged in the same state upserts nothing.
  const before = (history.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
  await h.docket.send(caseId, {
    type: 'LOG_CONTACT',
    data: { channel: 'phone', summary: 'called back' },
    actor: { userId: 'bob', role: 'handler' },
  });
  const after = await h.client.workflow.getHandle(caseId).fetchHistory();
  expect((after.events ?? []).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toHaveLength(before);
});

test('nothing personal reaches Temporal: the customer attribute holds a business id, or nothing', async () => {
  const withId = (await h.docket.startCase('complaint', complaintInput, cs)).caseId;
  const withEmail = (await h.docket.startCase('complaint', { ...complaintInput, customer: 'li.wei@example.com' }, cs)).caseId;
  const withPhone = (await h.docket.startCase('complaint', { ...complaintInput, customer: '+86 138 0000 0000' }, cs)).caseId;
  const withName = (await h.docket.startCase('complaint', { ...complaintInput, customer: '张三' }, cs)).caseId;
  for (const caseId of [withId, withEmail, withPhone, withName]) {
    const a = await attributesWhen(caseId, (x) => x.DocketState === 'received', `case ${caseId} shown`);
    const shown = JSON.stringify({ a, ...(await webUiView(caseId)) });
    // The contact (a name and a phone number) is in the start input, never in what operators list.
    expect(shown).not.toContain('Ms Li');
    expect(shown).not.toContain('138-0000-0000');
    if (caseId === withId) expect(a.DocketCustomerId).toBe('CUST-1001');
    else {
      expect(a.DocketCustomerId).toBeUndefined();
      expect(shown).not.toMatch(/li\.wei@example\.com|\+86 138 0000 0000|张三/);
    }
  }
});

test('an open incident shows in the attributes until an operator retries it', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  refused.add(caseId);
  await expect(h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs })).rejects.toMatchObject({
    code: 'IncidentOpened',
  });
  await attributesWhen(caseId, (a) => a.DocketIncidents === 1, 'one open incident');
  expect(await listed('DocketIncidents > 0', [caseId])).toEqual([caseId]);
  refused.delete(caseId);
  await h.docket.retryIncidents(caseId, admin);
  const after = await attributesWhen(caseId, (a) => a.DocketIncidents === 0, 'the incident resolved');
  expect(after).toMatchObject({ DocketState: 'investigating', DocketAssignee: 'bob' });
});

test('a worker refuses to start on a namespace without Docket’s search attributes, and says how to register them', async () => {
  const connection = await Connection.connect({ address: requireEnv('DOCKET_TEST_TEMPORAL_ADDRESS') });
  try {
    const namespace = `docket-bare-${Date.now()}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    await waitFor(
      () =>
        connection.workflowService.describeNamespace({ namespace }).then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      'the namespace',
    );
    expect((await searchAttributeProblems(connection, namespace))?.missing).toEqual(
      expect.arrayContaining(['DocketProcess', 'DocketState']),
    );
    await expect(createDocketWorker({ ...h.config, namespace })).rejects.toThrow(
      /lacks Docket's search attributes .*temporal operator search-attribute create --namespace docket-bare-\d+ --name DocketProcess --type Keyword/,
    );
    // Registering is idempotent, also when two processes do it at once.
    await Promise.all([ensureSearchAttributes(connection, namespace), ensureSearchAttributes(connection, namespace)]);
    await ensureSearchAttributes(connection, namespace);
    await expect(requireSearchAttributes(connection, namespace)).resolves.toBeUndefined();
    expect(await searchAttributeProblems(connection, namespace)).toEqual({ missing: [], wrongType: [] });
    expect(SEARCH_KEYS.process.name).toBe('DocketProcess');
  } finally {
    await connection.close();
  }
});

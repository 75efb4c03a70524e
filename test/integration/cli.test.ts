import path from 'node:path';
import { runCli, type CliRun } from '../helpers/cli';
import { PROJECT_ROOT } from '../../config';
import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('cli');
});
afterAll(async () => {
  await h?.close();
});

/** Runs `docket …` in-process straight on the real servers (an operator's `--direct`: the CLI connects on its own). */
function docket(...argv: string[]): Promise<CliRun> {
  return runCli(['--direct', ...argv], { config: h.config, cwd: PROJECT_ROOT });
}

test('a complaint driven from received to closed with the CLI, then its history', async () => {
  const started = await docket(
    'start',
    'complaint',
    '--input',
    `@${path.join('examples', 'complaint.json')}`,
    '--as',
    'amy:cs_agent',
    '--json',
  );
  expect(started.code).toBe(0);
  const { caseId, state } = JSON.parse(started.out) as { caseId: string; state: string };
  expect(state).toBe('received');

  const steps: Array<[string, string | undefined, string, string]> = [
    ['ACCEPT', '{"department":"after_sales","assignee":"bob"}', 'amy:cs_agent', 'investigating'],
    ['SUBMIT_FINDINGS', '{"findings":"Cracked in transit","customerExpectation":"Replacement"}', 'bob:handler', 'planning'],
    ['PROPOSE_RESOLUTION', '{"proposal":"Replace the door","compensationAmount":300}', 'bob:handler', 'communicating'],
    ['CUSTOMER_ACCEPTED', undefined, 'amy:cs_agent', 'executing'],
    ['RESOLUTION_EXECUTED', '{"summary":"Door replaced"}', 'bob:handler', 'followingUp'],
    ['CUSTOMER_SATISFIED', '{"score":5}', 'amy:cs_agent', 'closed'],
  ];
  for (const [event, data, as, expected] of steps) {
    const sent = await docket('send', caseId, event, ...(data ? ['--data', data] : []), '--as', as, '--json');
    expect({ event, code: sent.code, err: sent.err }).toEqual({ event, code: 0, err: '' });
    expect(JSON.parse(sent.out)).toMatchObject({ state: expected });
  }

  const status = await docket('status', caseId, '--json');
  expect(status.code).toBe(0);
  expect(JSON.parse(status.out)).toMatchObject({ caseId, state: 'closed', status: 'completed', allowedEvents: [] });

  const history = await docket('history', caseId, '--json');
  expect(history.code).toBe(0);
  const rows = JSON.parse(history.out) as Array<{ seq: number; event: string; toState: string }>;
  expect(rows.map((r) => r.event)).toEqual(['xstate.init', ...steps.map(([event]) => event)]);
  expect(rows.at(-1)!.toState).toBe('closed');

  const table = await docket('history', caseId);
  expect(table.out).toContain('followingUp → closed');
});

test('a refused command exits 2 with the reason, and changes nothing', async () => {
  const { caseId } = JSON.parse(
    (await docket('start', 'complaint', '--input', '@examples/complaint.json', '--as', 'amy:cs_agent', '--json')).out,
  ) as {
    caseId: string;
  };
  const before = await h.history(caseId);
  const refused = await docket('send', caseId, 'APPROVE', '--as', 'carol:service_manager', '--json');
  expect(refused.code).toBe(2);
  expect(JSON.parse(refused.out)).toEqual({
    error: { code: 'NotAllowedInState', message: expect.stringContaining('APPROVE is not allowed in state "received"') },
  });
  const human = await docket('send', caseId, 'ACCEPT', '--data', '{"department":"x"}', '--as', 'amy:cs_agent');
  expect(human.code).toBe(2);
  expect(human.err).toMatch(/assignee/);
  expect(await h.history(caseId)).toEqual(before);

  const unknown = await docket('status', 'complaint-nope', '--json');
  expect(unknown.code).toBe(2);
  expect(JSON.parse(unknown.out).error.code).toBe('CaseNotFound');
});

test('definitions list and show read the published versions in the store', async () => {
  const listed = await docket('definitions', 'list', '--json');
  expect(listed.code).toBe(0);
  const latest = await h.docket.definitions.latest('complaint');
  expect(JSON.parse(listed.out)).toEqual(
    expect.arrayContaining([expect.objectContaining({ processId: 'complaint', version: latest!.version, hash: latest!.hash })]),
  );
  const shown = await docket('definitions', 'show', 'complaint', '--json');
  expect(JSON.parse(shown.out)).toMatchObject({ process: 'complaint', version: latest!.version });
  const unknown = await docket('definitions', 'show', 'complain', '--json');
  expect(unknown.code).toBe(2);
  expect(JSON.parse(unknown.out).error).toMatchObject({
    code: 'UnknownProcess',
    message: expect.stringContaining('did you mean "complaint"'),
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffDefinitions, formatDiff } from '../../engine/definition-diff';
import { definitionSchema, type Definition } from '../../engine/definition-schema';
import { lintDefinition } from '../../engine/lint';
import { PROJECT_ROOT } from '../../config';
import { complaintV2 } from '../helpers/definition-fixtures';

const DIR = path.join(PROJECT_ROOT, 'definitions');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
const load = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Record<string, any>;
const parse = (raw: unknown): Definition => definitionSchema.parse(raw);

test.each(files)('%s: a version compared with itself has no changes', (file) => {
  const d = parse(load(file));
  expect(diffDefinitions(d, d).changes).toEqual([]);
  expect(formatDiff(diffDefinitions(d, d))).toMatch(/no changes/);
});

test('complaint: a raised approvalLimit and an added state, in plain words', () => {
  const v2 = complaintV2();
  expect(lintDefinition(v2).problems).toEqual([]);
  const diff = diffDefinitions(parse(load('complaint.json')), parse(v2));
  expect(diff).toMatchObject({ process: 'complaint', from: 1, to: 2 });
  const texts = diff.changes.map((c) => c.text);
  expect(diff.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ area: 'parameter', change: 'changed', name: 'approvalLimit', before: 5000, after: 8000 }),
      expect.objectContaining({ area: 'state', change: 'added', name: 'reviewingFindings' }),
      expect.objectContaining({ area: 'event', change: 'added', name: 'FINDINGS_REVIEWED' }),
      expect.objectContaining({ area: 'deadline', change: 'added', name: 'reviewDue' }),
      expect.objectContaining({ area: 'transition', change: 'changed', name: 'investigating:SUBMIT_FINDINGS' }),
    ]),
  );
  expect(texts).toContain(
    'Parameter "Compensation above which a service manager approves" (approvalLimit) changes from 5000 CNY to 8000 CNY.',
  );
  expect(texts).toContain('New state "Reviewing findings" (reviewingFindings).');
  expect(texts.join('\n')).toMatch(/Submit findings.*in "Investigating" \(investigating\) now leads to "Reviewing findings"/);
  expect(texts.join('\n')).toMatch(/New event "Findings reviewed" \(FINDINGS_REVIEWED\), sent by Service manager \(service_manager\)/);
  expect(texts.join('\n')).toMatch(
    /New deadline "Review due" \(reviewDue\): 1 business days after the state is entered, in "Reviewing findings"/,
  );
});

test('complaint: removed states, changed roles and deadlines, in both directions', () => {
  const v1 = load('complaint.json');
  const v3 = load('complaint.json');
  v3.version = 3;
  delete v3.machine.states.awaitingApproval;
  delete v3.stateLabels.awaitingApproval;
  v3.machine.states.planning.on.PROPOSE_RESOLUTION = { target: 'communicating', actions: ['recordProposal', 'countProposal'] };
  v3.events.WITHDRAW.roles = ['cs_agent', 'service_manager'];
  v3.delays.acceptDue.businessDays = 2;
  const diff = diffDefinitions(parse(v1), parse(v3));
  const byKey = (area: string, change: string, name: string) =>
    diff.changes.find((c) => c.area === area && c.change === change && c.name === name);
  expect(byKey('state', 'removed', 'awaitingApproval')?.text).toMatch(/State "Awaiting approval" \(awaitingApproval\) is removed/);
  expect(byKey('role', 'changed', 'WITHDRAW')?.text).toBe(
    '"Withdraw" (WITHDRAW) may now also be sent by Service manager (service_manager).',
  );
  expect(byKey('deadline', 'changed', 'acceptDue')?.text).toBe(
    'Deadline "Acceptance due" (acceptDue) now falls 2 business days after the state is entered (was acceptDays (1) business days after the state is entered).',
  );
  expect(byKey('transition', 'changed', 'planning:PROPOSE_RESOLUTION')).toBeDefined();

  const back = diffDefinitions(parse(v3), parse(v1));
  expect(back.changes.find((c) => c.area === 'state' && c.change === 'added' && c.name === 'awaitingApproval')).toBeDefined();
  expect(back.changes.find((c) => c.area === 'role' && c.name === 'WITHDRAW')?.text).toMatch(/may no longer be sent by Service manager/);
});

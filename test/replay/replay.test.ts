import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { appliedTransitions } from '../../audit/deep';
import { quietRuntime } from '../helpers/harness';
import { bundleWorkflows } from '../../worker/bundle-options';

const DIR = path.join(__dirname, 'histories');
/** `EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED` of Temporal's history events. */
const UPDATE_COMPLETED = 43;
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

function load(file: string) {
  return historyFromJSON(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));
}

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  quietRuntime();
  // Bundled as the worker bundles it (XState preloaded), so a replay checks what runs.
  bundle = await bundleWorkflows({ logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
});

test('recorded histories exist for every process', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'complaint-happy.json',
      'complaint-approval.json',
      'complaint-deadlines.json',
      'complaint-continued-run1.json',
      'complaint-migrated.json',
      'visit-rescheduled.json',
      'contract-nonstandard-changed.json',
      'contract-early-placement-overdue.json',
      'lost_deal-measures.json',
      'lost_deal-measures-finance.json',
      // Version 2: a joint price measure transferred between its owners; a short-notice visit reconfirmed at once.
      'lost_deal-v2-joint-price.json',
      'lost_deal-v2-joint-price-measure.json',
      'visit-v2-short-notice.json',
      // Complaint version 2: a delegate and a transfer; the approval step returned, a reassignment, a reminder and a cc;
      // reopened and withdrawn at the customer's request; migrated from version 1; continued as new; its deadlines.
      'complaint-v2-happy.json',
      'complaint-v2-approval.json',
      'complaint-v2-reopened-withdrawn.json',
      'complaint-v2-migrated.json',
      'complaint-v2-continued-run1.json',
      'complaint-v2-deadlines.json',
      // Contract version 2: levels in sequence with an added approver, forms, a change of the amount; returned and
      // withdrawn by its rep; early placement overdue.
      'contract-v2-nonstandard-changed.json',
      'contract-v2-withdrawn.json',
      'contract-v2-early-placement-overdue.json',
      // The same, recorded since human steps store their rows within the workflow task (local activities).
      'contract-v2-nonstandard-changed-in-task.json',
      'contract-v2-withdrawn-in-task.json',
      'contract-v2-early-placement-overdue-in-task.json',
      // A follow-up plan: started on grading, due, reminded and escalated, done by a contact, re-planned on a new grade.
      'follow_up-v1-graded-due-contacted.json',
      // Incidents, deadlines that passed during an outage or fell due together, a refused forged actor.
      'robust-incident-retried.json',
      'robust-deadline-during-outage.json',
      'robust-deadlines-in-due-order.json',
      'robust-forged-update-refused.json',
      // Search attributes, memo and named timers and activities (what operators see in Temporal).
      'complaint-visibility.json',
    ]),
  );
});

/** The case id a recorded history ran under (its workflow id): a case checks that its start was made for it. */
function caseIdOf(file: string): string {
  const json = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
  const payload = json.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  return (JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { caseId: string }).caseId;
}

test.each(files)('%s replays cleanly on the current interpreter', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, load(file), caseIdOf(file));
});

/** The pinned definition inside a recorded history, edited by `edit`. */
function withEditedDefinition(file: string, edit: (definition: Record<string, any>) => void) {
  const json = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
  const payload = json.events[0].workflowExecutionStartedEventAttributes.input.payloads[0];
  const input = JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  edit(input.definition);
  payload.data = Buffer.from(JSON.stringify(input)).toString('base64');
  return historyFromJSON(json);
}

test('replaying with an edited definition (a deadline removed) fails with DeterminismViolationError', async () => {
  const history = withEditedDefinition('complaint-happy.json', (d) => {
    delete d.machine.states.received.after;
  });
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'edited' }, history, 'edited')).rejects.toBeInstanceOf(
    DeterminismViolationError,
  );
});

test('replaying with an edited definition (a different target) fails with DeterminismViolationError', async () => {
  const history = withEditedDefinition('complaint-deadlines.json', (d) => {
    d.machine.states.received.on.ACCEPT.target = 'planning';
  });
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'edited-target' }, history, 'edited-target'),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});

test.each(files.filter((f) => f.endsWith('-in-task.json')))(
  '%s stores accepted human steps within their workflow task (local-activity markers, one at most per Update)',
  (file) => {
    const events = load(file).events ?? [];
    const updates = events.filter((e) => (e.eventType as number) === UPDATE_COMPLETED).length;
    const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    expect(markers).toBeGreaterThan(0);
    expect(markers).toBeLessThanOrEqual(updates);
    // `audit verify --deep` finds every row in the history: the activities' inputs and the local activities' results.
    const { applied } = appliedTransitions([{ runId: file, history: JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) }]);
    const seqs = [...applied.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(seqs.length).toBeGreaterThan(markers);
  },
);

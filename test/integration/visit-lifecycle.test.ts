import { readFileSync } from 'node:fs';
import path from 'node:path';
import { definitionHash } from '../../audit/definition-hash';
import { lintDefinition } from '../../engine/lint';
import { PROJECT_ROOT } from '../../config';
import { createHarness, type Harness } from '../helpers/harness';

/**
 * Issue #5's "done when" for the visit process: a process owner adds a state (a debriefing
 * with the sales manager after an important customer's visit), sees the diff and the
 * diagram, publishes after the impact preview; new cases use the new version, an open case
 * finishes on the version it started on, and another is migrated on purpose and completed
 * on the new one. The shipped visit process is at version 2 (version 1 is kept in
 * definitions/shipped/), so the owner's version is 3.
 */

const owner = { userId: 'olga', role: 'process_owner' };
const rep = { userId: 'ray', role: 'sales_rep' };
const manager = { userId: 'mia', role: 'sales_manager' };

let h: Harness;
beforeAll(async () => {
  h = await createHarness('visit_lifecycle');
});
afterAll(async () => {
  await h?.close();
});

type Json = Record<string, any>;

/** The shipped visit process: version 2. */
const visitShipped = (): Json => JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'definitions', 'visit.json'), 'utf8')) as Json;

/** Version 3: after an important customer's visit the sales manager debriefs the record before the follow-up (拜访复盘). */
function visitV3(): Json {
  const d = visitShipped();
  expect(d.version).toBe(2);
  d.version = 3;
  d.stateLabels.debriefing = { en: 'Debriefing with the manager', 'zh-CN': '拜访复盘' };
  d.events.DEBRIEF_DONE = {
    roles: ['sales_manager'],
    labels: { en: 'Debrief done', 'zh-CN': '复盘完成' },
    payload: { type: 'object', required: ['conclusions'], properties: { conclusions: { type: 'string', minLength: 1, maxLength: 4000 } } },
  };
  d.parameters.debriefDays = {
    type: 'integer',
    default: 2,
    minimum: 1,
    unit: 'business days',
    labels: { en: 'Business days for the sales manager to debrief an important visit', 'zh-CN': '重要客户拜访复盘时限（工作日）' },
  };
  d.delays.debriefReminder = { businessDays: { param: 'debriefDays' }, labels: { en: 'Debrief due', 'zh-CN': '复盘到期' } };
  d.actions.recordDebrief = {
    type: 'assign',
    set: { debriefConclusions: 'data.conclusions', debriefedBy: 'actor.userId', debriefedAt: 'now' },
  };
  d.actions.remindDebrief = {
    type: 'notify',
    kind: 'reminder',
    to: [{ role: 'sales_manager' }],
    template: 'visitDebriefDue',
    subject: { en: 'Debrief the visit of an important customer', 'zh-CN': '请对重要客户的拜访进行复盘' },
    data: { customer: 'context.customer', owner: 'context.owner' },
  };
  // The record is checked as before; an important customer's then goes to the debriefing.
  d.guards.importantAndComplete = { and: [{ truthy: 'context.important' }, { guard: 'recordComplete' }] };
  const states = d.machine.states;
  const submitRecord = states.recording.on.SUBMIT_RECORD;
  states.recording.on.SUBMIT_RECORD = [
    { guard: 'importantAndComplete', target: 'debriefing', actions: submitRecord.actions },
    submitRecord,
  ];
  states.debriefing = {
    after: { debriefReminder: { actions: 'remindDebrief' } },
    on: { DEBRIEF_DONE: { target: 'followUp', actions: 'recordDebrief' } },
  };
  return d;
}

const plan = {
  background: { industry: 'Automotive', company: 'Dongfeng dealer group' },
  objectives: ['needs'],
  agenda: { time: '2030-01-01T02:00:00Z', place: 'Showroom', attendees: ['ray'], form: 'meeting' },
};
const record = { discussion: 'Spring campaign', keyPointFeedback: 'Budget approved', businessCardCollected: true, nextSteps: 'Quote' };

/** A visit of an important customer, driven to `recording` (on the version new cases start on). */
async function visitInRecording(customer: string): Promise<{ caseId: string; definitionVersion: number }> {
  const started = await h.docket.startCase(
    'visit',
    { customer, visitType: 'existing_customer', owner: 'ray', purpose: 'Renewal', important: true },
    rep,
  );
  const { caseId } = started;
  await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: plan, actor: rep });
  await h.docket.send(caseId, { type: 'APPROVE_PLAN', data: {}, actor: manager });
  const scheduledAt = new Date(Date.now() + 20 * 24 * 3_600_000).toISOString();
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt, contactPhone: '138-0000-0010' }, actor: rep });
  await h.docket.send(caseId, { type: 'ARRIVED', data: { at: new Date().toISOString() }, actor: rep });
  expect((await h.docket.send(caseId, { type: 'VISIT_DONE', data: {}, actor: rep })).state).toBe('recording');
  return { caseId, definitionVersion: started.definitionVersion };
}

test('a process owner adds a debriefing state to the visit process; v2 cases finish on v2 or are migrated on purpose', async () => {
  expect(lintDefinition(visitV3()).problems).toEqual([]);

  // Two important visits are open on v2 (the shipped version new cases start on), both waiting for their record.
  const stays = await visitInRecording('CUST-4001');
  const moves = await visitInRecording('CUST-4002');
  expect([stays.definitionVersion, moves.definitionVersion]).toEqual([2, 2]);

  // The draft: linted, with its changes in words.
  const draft = await h.lifecycle.saveDraft(owner, 'visit', visitV3());
  expect(draft).toMatchObject({ ok: true, problems: [], draft: { version: 3, status: 'draft', createdBy: 'olga' } });
  const diff = await h.lifecycle.diff('visit', 2, 'draft');
  const texts = diff.changes.map((c) => c.text);
  expect(texts).toContain('New state "Debriefing with the manager" (debriefing).');
  expect(texts).toContainEqual(
    expect.stringMatching(/^New event "Debrief done" \(DEBRIEF_DONE\), sent by Sales manager \(sales_manager\)\.$/),
  );
  expect(texts).toContainEqual(expect.stringMatching(/^New deadline "Debrief due".*debriefing/));
  expect(texts).toContainEqual(expect.stringMatching(/^New parameter "Business days for the sales manager to debrief an important visit"/));
  expect(texts).toContainEqual(expect.stringMatching(/SUBMIT_RECORD.*now leads to .*Debriefing with the manager/));
  expect(diff.changes.filter((c) => c.change === 'removed')).toEqual([]);

  // The diagrams show the new state, its event and its deadline.
  const mermaid = await h.lifecycle.diagram('visit', 'draft', 'mermaid');
  expect(mermaid).toContain('recording --> debriefing');
  expect(mermaid).toContain('debriefing --> followUp');
  expect(mermaid).toContain('DEBRIEF_DONE');
  const svg = await h.lifecycle.diagram('visit', 'draft', 'svg');
  expect(svg.startsWith('<svg') || svg.startsWith('<?xml')).toBe(true);
  expect(svg).toContain('debriefing');
  expect(svg).toContain('Debriefing with the manager');
  expect(svg).toContain('DEBRIEF_DONE');
  expect(await h.lifecycle.diagram('visit', 2, 'mermaid')).not.toContain('debriefing');

  // The impact preview: two open v2 cases, both in a state v3 keeps; nothing is published yet.
  const preview = await h.lifecycle.publish(owner, 'visit', { dryRun: true });
  expect(preview).toMatchObject({
    dryRun: true,
    impact: { processId: 'visit', replacedVersion: 2, newVersion: 3, byState: [{ state: 'recording', count: 2 }], inRemovedStates: [] },
  });
  expect((await h.definitions.latest('visit'))!.version).toBe(2);
  const published = await h.lifecycle.publish(owner, 'visit');
  expect(published.published).toMatchObject({ version: 3, status: 'published', publishedBy: 'olga' });
  const v3 = await h.definitions.latest('visit');
  expect(v3).toMatchObject({ version: 3, hash: definitionHash(v3!.raw) });

  // New cases start on v3 and go through the debriefing.
  const fresh = await visitInRecording('CUST-4003');
  expect(fresh.definitionVersion).toBe(3);
  expect((await h.docket.send(fresh.caseId, { type: 'SUBMIT_RECORD', data: record, actor: rep })).state).toBe('debriefing');
  expect((await h.docket.status(fresh.caseId)).deadlines.map((d) => d.delay)).toEqual(['debriefReminder']);
  await h.docket.send(fresh.caseId, { type: 'DEBRIEF_DONE', data: { conclusions: 'Offer the bundle' }, actor: manager });

  // The open v2 case that is left alone finishes on v2: no debriefing there.
  expect((await h.docket.send(stays.caseId, { type: 'SUBMIT_RECORD', data: record, actor: rep })).state).toBe('followUp');
  await expect(h.docket.send(stays.caseId, { type: 'DEBRIEF_DONE', data: { conclusions: 'x' }, actor: manager })).rejects.toMatchObject({
    code: 'UnknownEvent',
  });

  // The other is migrated on purpose: a dry run first, which changes nothing.
  const before = await h.history(moves.caseId);
  const dry = await h.migrations.migrateCase(owner, moves.caseId, 3, { dryRun: true });
  expect(dry.result).toBeUndefined();
  expect(dry.plan).toMatchObject({ ok: true, fromVersion: 2, toVersion: 3, fromState: 'recording', toState: 'recording', blockers: [] });
  expect(dry.plan.deadlines.map((d) => d.delay).sort()).toEqual(['recordEscalation', 'recordReminder']);
  expect(await h.history(moves.caseId)).toEqual(before);
  expect((await h.docket.status(moves.caseId)).definitionVersion).toBe(2);

  // A mapping to a state v3 does not have is refused, and changes nothing.
  await expect(h.migrations.migrateCase(owner, moves.caseId, 3, { mapping: { recording: 'debriefed' } })).rejects.toMatchObject({
    code: 'UnknownState',
  });
  expect(await h.history(moves.caseId)).toEqual(before);

  const migrated = await h.migrations.migrateCase(owner, moves.caseId, 3);
  expect(migrated.result).toMatchObject({ fromVersion: 2, toVersion: 3, fromState: 'recording', state: 'recording', status: 'open' });
  const moved = await h.docket.status(moves.caseId, 'sales_rep');
  expect(moved).toMatchObject({ definitionVersion: 3, definitionHash: v3!.hash, state: 'recording' });
  expect(moved.deadlines.map((d) => d.delay).sort()).toEqual(['recordEscalation', 'recordReminder']);
  expect((await h.history(moves.caseId)).at(-1)).toMatchObject({
    event: 'migrate',
    actor: owner,
    fromState: 'recording',
    toState: 'recording',
    definitionVersion: 3,
    payload: { fromVersion: 2, toVersion: 3 },
  });
  // On v3 it goes through the debriefing.
  expect((await h.docket.send(moves.caseId, { type: 'SUBMIT_RECORD', data: record, actor: rep })).state).toBe('debriefing');
  await h.docket.send(moves.caseId, { type: 'DEBRIEF_DONE', data: { conclusions: 'Renewal likely' }, actor: manager });

  // Every case completes.
  for (const caseId of [stays.caseId, moves.caseId, fresh.caseId]) {
    const done = await h.docket.send(caseId, { type: 'FOLLOW_UP_DONE', data: { outcome: 'Satisfied' }, actor: rep });
    expect({ case: caseId, state: done.state, status: done.status }).toEqual({ case: caseId, state: 'completed', status: 'completed' });
  }

  const steps = async (caseId: string) => (await h.history(caseId)).map((r) => [r.event, r.definitionVersion, r.toState]);
  expect((await steps(stays.caseId)).slice(-2)).toEqual([
    ['SUBMIT_RECORD', 2, 'followUp'],
    ['FOLLOW_UP_DONE', 2, 'completed'],
  ]);
  expect(new Set((await h.history(stays.caseId)).map((r) => r.definitionVersion))).toEqual(new Set([2]));
  expect((await steps(moves.caseId)).slice(-4)).toEqual([
    ['migrate', 3, 'recording'],
    ['SUBMIT_RECORD', 3, 'debriefing'],
    ['DEBRIEF_DONE', 3, 'followUp'],
    ['FOLLOW_UP_DONE', 3, 'completed'],
  ]);
  expect(new Set((await h.history(fresh.caseId)).map((r) => r.definitionVersion))).toEqual(new Set([3]));
  expect((await h.docket.status(moves.caseId)).context).toMatchObject({ debriefConclusions: 'Renewal likely', debriefedBy: 'mia' });

  const versions = await h.lifecycle.versions('visit');
  expect(versions.map((v) => [v.version, v.status, v.publishedBy, v.openCases])).toEqual([
    [1, 'published', 'system', 0],
    [2, 'published', 'system', 0],
    [3, 'published', 'olga', 0],
  ]);
});

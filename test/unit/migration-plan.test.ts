import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileDefinition } from '../../engine/compile';
import { definitionSchema } from '../../engine/definition-schema';
import { migrationStep, planMigration, stateValueOf, type MigrationCase } from '../../engine/migration-plan';
import { step } from '../../engine/step';
import type { CalendarData } from '../../engine/types';
import { PROJECT_ROOT } from '../../config';
import { complaintV2 } from '../helpers/definition-fixtures';

const calendar = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'calendars', 'cn.json'), 'utf8')) as CalendarData;
const v1raw = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'definitions', 'shipped', 'complaint.v1.json'), 'utf8'));
const v1 = definitionSchema.parse(v1raw);
const v2 = definitionSchema.parse(complaintV2());

// Monday 2 March 2026, 10:00 in Shanghai.
const monday = Date.parse('2026-03-02T02:00:00Z');
const wednesday = Date.parse('2026-03-04T02:00:00Z');

const openCase = (over: Partial<MigrationCase> = {}): MigrationCase => ({
  caseId: 'complaint-1',
  state: 'investigating',
  status: 'open',
  context: { customer: 'C1', assignee: 'bob', contacts: [] },
  definitionVersion: 1,
  deadlines: [],
  stateEnteredAt: new Date(monday).toISOString(),
  ...over,
});

test('a case that stays in its state keeps its path; deadlines count from when it entered the state, on the new parameters', () => {
  const changed = complaintV2();
  changed.parameters.investigationDays.default = 5;
  const plan = planMigration({ from: v1, to: definitionSchema.parse(changed), toVersion: 2, case: openCase(), calendar, now: wednesday });
  expect(plan).toMatchObject({
    ok: true,
    fromState: 'investigating',
    toState: 'investigating',
    mapping: { investigating: 'investigating' },
  });
  const reminder = plan.deadlines.find((d) => d.delay === 'investigationReminder');
  expect(reminder).toMatchObject({
    id: 'xstate.after.investigationReminder.complaint.investigating',
    state: 'investigating',
    overdue: false,
  });
  expect(reminder!.dueAt).toBe('2026-03-09T02:00:00.000Z'); // 5 business days after Monday
  // promisedResponseBy is unknown: its deadlines are not armed.
  expect(plan.deadlines.map((d) => d.delay).sort()).toEqual(['investigationEscalation', 'investigationReminder']);
});

test('a case moved to another state counts its deadlines from the migration, and a passed deadline is flagged', () => {
  const plan = planMigration({
    from: v1,
    to: v2,
    toVersion: 2,
    case: openCase({ state: 'planning' }),
    mapping: { planning: 'reviewingFindings' },
    calendar,
    now: wednesday,
  });
  expect(plan.ok).toBe(true);
  expect(plan.deadlines).toEqual([
    expect.objectContaining({ delay: 'reviewDue', state: 'reviewingFindings', dueAt: '2026-03-05T02:00:00.000Z', overdue: false }),
  ]);
  const old = planMigration({
    from: v1,
    to: v2,
    toVersion: 2,
    case: openCase({ stateEnteredAt: '2026-01-05T02:00:00Z' }),
    calendar,
    now: wednesday,
  });
  expect(old.deadlines.every((d) => d.overdue)).toBe(true);
});

test('blockers: an unmapped removed state, an unknown target, a final target, missing context, a closed case, the same version', () => {
  const v3raw = complaintV2();
  delete v3raw.machine.states.awaitingApproval;
  delete v3raw.stateLabels.awaitingApproval;
  v3raw.machine.states.planning.on.PROPOSE_RESOLUTION = { target: 'communicating', actions: ['recordProposal'] };
  const v3 = definitionSchema.parse(v3raw);
  const codes = (input: Partial<Parameters<typeof planMigration>[0]>) =>
    planMigration({ from: v1, to: v3, toVersion: 3, case: openCase(), calendar, now: wednesday, ...input }).blockers.map((b) => b.code);

  expect(codes({ case: openCase({ state: 'awaitingApproval' }) })).toEqual(['UnmappedState']);
  expect(codes({ case: openCase({ state: 'awaitingApproval' }), mapping: { awaitingApproval: 'planing' } })).toEqual(['UnknownState']);
  expect(codes({ case: openCase({ state: 'awaitingApproval' }), mapping: { awaitingApproval: 'planning' } })).toEqual([]);
  expect(codes({ mapping: { investigating: 'closed' } })).toEqual(['FinalState']);
  expect(codes({ case: openCase({ status: 'completed', state: 'closed' }) })).toEqual(expect.arrayContaining(['CaseClosed']));
  expect(codes({ toVersion: 1 })).toEqual(['SameVersion']);

  const guarded = complaintV2();
  guarded.guards.highRisk = { gt: ['context.riskScore', 3] };
  guarded.machine.states.investigating.on.SUBMIT_FINDINGS = [{ guard: 'highRisk', target: 'reviewingFindings' }, { target: 'planning' }];
  const plan = planMigration({ from: v1, to: definitionSchema.parse(guarded), toVersion: 2, case: openCase(), calendar, now: wednesday });
  expect(plan.blockers).toEqual([
    expect.objectContaining({ code: 'MissingContext', message: expect.stringContaining('context.riskScore') }),
  ]);
});

test('the migration step lands the case in the target state with its context, and the new machine runs on from there', () => {
  const plan = planMigration({ from: v1, to: v2, toVersion: 2, case: openCase(), calendar, now: wednesday });
  const compiled = compileDefinition(v2, calendar);
  const moved = migrationStep(compiled, openCase().context, plan);
  expect(moved).toMatchObject({ state: 'investigating', status: 'open', changed: true });
  expect(moved.startTimers.map((t) => t.event.type)).toContain('xstate.after.investigationReminder.complaint.investigating');
  const next = step(
    compiled,
    moved.snapshot,
    { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: { userId: 'bob', role: 'handler' } },
    wednesday,
  );
  expect(next.state).toBe('reviewingFindings');
  expect(next.snapshot.context).toMatchObject({ customer: 'C1', findings: 'f' });
  expect(stateValueOf(['analysis.reporting'])).toEqual({ analysis: 'reporting' });
});

import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import lostDealJson from '../../definitions/lost_deal.json';
import measureJson from '../../definitions/improvement_measure.json';
import { addBusinessDays, validateCalendar } from '../../engine/calendar';
import { compileDefinition, DONE_PREFIX, type CompiledDefinition } from '../../engine/compile';
import { assertValidDefinition } from '../../engine/lint';
import { startCase, step, type StepResult, type TimerSpec } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { subprocessItems } from '../../engine/subprocess';
import type { Actor } from '../../engine/types';

const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test instant ${iso}`);
  return t;
};
const iso = (t: number) => new Date(t).toISOString();

const cn = validateCalendar(cnJson);
const lostDeal = assertValidDefinition(lostDealJson, 'definitions/lost_deal.json');
const measure = assertValidDefinition(measureJson, 'definitions/improvement_measure.json');

const rep: Actor = { userId: 'u-rep', role: 'sales_rep' };
const salesHead: Actor = { userId: 'u-head', role: 'sales_manager' };
const analyst: Actor = { userId: 'u-analyst', role: 'analyst' };
const board: Actor = { userId: 'u-board', role: 'management' };
const owner: Actor = { userId: 'u-owner', role: 'dept_owner' };

/** Monday 9 March 2026, 10:00 in Shanghai: no holiday for weeks. */
const LOST_AT = '2026-03-09T10:00:00+08:00';

const input = (important = false) => ({
  customer: 'CUST-3001',
  opportunity: 'Spring outdoor campaign 2026',
  salesRep: 'u-rep',
  lostAt: LOST_AT,
  amount: 480000,
  important,
});

const info = {
  customerBasics: {
    name: 'Jiahe Furniture',
    contactPerson: 'Mr Wang',
    position: 'Purchasing director',
    phone: '138-0000-0002',
    wechat: 'wang_jiahe',
    industry: 'Home furnishing',
    size: '200 staff',
    scope: 'Furniture retail in East China',
  },
  salesProcess: {
    firstContact: { at: '2025-11-03T10:00:00+08:00', method: 'exhibition', channel: 'Shanghai furniture fair' },
    needs: 'Outdoor advertising along the metro lines for the spring sale',
    proposal: 'Twelve metro light boxes for eight weeks',
    quote: { amount: 480000, currency: 'CNY' },
    milestones: [{ at: '2026-01-15T10:00:00+08:00', description: 'Proposal presented' }],
    decisionMakers: [{ name: 'Mr Wang', position: 'Purchasing director' }],
    decisionProcess: 'Purchasing proposes, the owner decides',
    competitor: { name: 'Metro Media', product: 'Digital screens', price: 390000, relationship: 'Worked with them last year' },
  },
  lossReasons: { stated: ['Price too high'], inferred: ['Competitor offered digital screens'] },
  customerFeedback: 'Liked the locations, could not justify the price',
  sources: ['interview', 'records'],
};

const cause = (dimension: string, weight: 'primary' | 'secondary') => ({
  dimension,
  factor: `${dimension} factor`,
  detail: `What went wrong on ${dimension}`,
  weight,
});

const report = {
  customerOverview: 'Mid-sized furniture retailer',
  processOverview: 'Four months from the fair to the decision',
  causeAnalysis: 'Price and a competitor with digital screens',
  recommendations: 'Flexible pricing for mid-sized retailers; a digital offer',
  conclusion: 'Lost on price and product fit',
};

/** Sends a human event after checking that checkEvent would let it through. */
function send(c: CompiledDefinition, snapshot: AnyMachineSnapshot, type: string, data: Record<string, unknown>, actor: Actor, now: number) {
  expect(checkEvent(c, snapshot, { type, data, actor }, now)).toBeNull();
  return step(c, snapshot, { type, data, actor }, now);
}

const timer = (r: StepResult, delay: string): TimerSpec => {
  const t = r.startTimers.find((x) => x.delay === delay);
  if (!t) throw new Error(`${delay} is not armed (armed: ${r.startTimers.map((x) => x.delay).join(', ') || 'none'})`);
  return t;
};
const fire = (c: CompiledDefinition, snapshot: AnyMachineSnapshot, t: TimerSpec) => step(c, snapshot, t.event, Date.parse(t.dueAt));

/** A copy of a definition file with some parameter defaults changed, as a process owner's draft would have them. */
function withParams(raw: unknown, values: Record<string, number>) {
  const copy = JSON.parse(JSON.stringify(raw)) as { parameters: Record<string, { default: number }> };
  for (const [name, value] of Object.entries(values)) copy.parameters[name]!.default = value;
  return assertValidDefinition(copy, 'edited copy');
}

const T1 = at('2026-03-10T10:00:00+08:00');
const T2 = at('2026-03-11T10:00:00+08:00');
const T3 = at('2026-03-12T10:00:00+08:00');

function toFindingCauses(c: CompiledDefinition) {
  let r = startCase(c, input(), at(LOST_AT));
  r = send(c, r.snapshot, 'SUBMIT_INFO', info, rep, T1);
  r = send(c, r.snapshot, 'FORM_GROUP', { lead: 'u-head', members: [{ userId: 'u-analyst', role: 'marketing' }] }, salesHead, T1);
  r = send(c, r.snapshot, 'INFO_CONSOLIDATED', { summary: 'Interview notes and CRM records merged' }, analyst, T2);
  expect(r.state).toBe('analysis.findingCauses');
  return r;
}

/** Management's acceptance naming every department's owner (dept_owner users). */
const OWNERS = { rdOwner: 'u-rd', salesOwner: 'u-sales', financeOwner: 'u-fin', serviceOwner: 'u-svc', marketingOwner: 'u-mkt' };

/** A copy of the lost-deal definition whose process owner set `measuresFor`. */
function measuresFor(value: 'primary' | 'all') {
  const copy = JSON.parse(JSON.stringify(lostDealJson)) as { parameters: Record<string, { default: unknown }> };
  copy.parameters.measuresFor!.default = value;
  return assertValidDefinition(copy, 'edited copy');
}

describe('the improvement measures: one per cause dimension marked for action, price one joint measure of sales and finance', () => {
  const c = compileDefinition(lostDeal, cn);
  const accepted = (compiled: CompiledDefinition, causes: unknown[], owners: Record<string, string> = OWNERS) => {
    let r = toFindingCauses(compiled);
    r = send(compiled, r.snapshot, 'CAUSES_IDENTIFIED', { causes }, analyst, T2);
    r = send(compiled, r.snapshot, 'SUBMIT_REPORT', report, analyst, T3);
    r = send(compiled, r.snapshot, 'ACCEPT_REPORT', owners, board, T3);
    expect(r.state).toBe('improvement');
    return r;
  };
  const measures = (compiled: CompiledDefinition, causes: unknown[]) =>
    subprocessItems(compiled, 'measures', accepted(compiled, causes).invocations[0]!.context, T3).map((i) => [
      i.key,
      i.input.departments,
      i.input.owner,
    ]);

  it.each([
    [
      'price and competitor',
      [cause('price', 'primary'), cause('competitor', 'primary'), cause('service', 'secondary')],
      [
        ['price', ['sales', 'finance'], 'u-sales'],
        ['competitor', ['marketing'], 'u-mkt'],
      ],
    ],
    [
      'product only; secondary causes add nothing',
      [cause('product', 'primary'), cause('price', 'secondary')],
      [['product', ['rd'], 'u-rd']],
    ],
    ['service', [cause('service', 'primary')], [['service', ['service'], 'u-svc']]],
    [
      'sales team and price: the sales team measure and the joint price measure',
      [cause('sales_team', 'primary'), cause('price', 'primary')],
      [
        ['price', ['sales', 'finance'], 'u-sales'],
        ['sales_team', ['sales'], 'u-sales'],
      ],
    ],
    [
      'every dimension, the same one twice',
      ['competitor', 'sales_team', 'service', 'price', 'product', 'price'].map((d) => cause(d, 'primary')),
      [
        ['product', ['rd'], 'u-rd'],
        ['price', ['sales', 'finance'], 'u-sales'],
        ['service', ['service'], 'u-svc'],
        ['sales_team', ['sales'], 'u-sales'],
        ['competitor', ['marketing'], 'u-mkt'],
      ],
    ],
  ])('%s (measuresFor primary, the default)', (_name, causes, expected) => {
    expect(lostDeal.parameters.measuresFor).toMatchObject({ default: 'primary', enum: ['primary', 'all'] });
    expect(measures(c, causes)).toEqual(expected);
  });

  it('with measuresFor all, every cause the report points out gets a measure, secondary ones too', () => {
    const all = compileDefinition(measuresFor('all'), cn);
    const causes = [cause('product', 'primary'), cause('price', 'secondary'), cause('competitor', 'secondary')];
    expect(measures(all, causes)).toEqual([
      ['product', ['rd'], 'u-rd'],
      ['price', ['sales', 'finance'], 'u-sales'],
      ['competitor', ['marketing'], 'u-mkt'],
    ]);
    expect(measures(c, causes)).toEqual([['product', ['rd'], 'u-rd']]);
  });

  it('refuses ACCEPT_REPORT until the owner of every department that gets a measure is named, and changes nothing', () => {
    let r = toFindingCauses(c);
    r = send(c, r.snapshot, 'CAUSES_IDENTIFIED', { causes: [cause('price', 'primary')] }, analyst, T2);
    r = send(c, r.snapshot, 'SUBMIT_REPORT', report, analyst, T3);
    const refusal = checkEvent(c, r.snapshot, { type: 'ACCEPT_REPORT', data: { salesOwner: 'u-sales' }, actor: board }, T3);
    expect(refusal?.code).toBe('ConditionNotMet');
    expect(refusal?.message).toContain('salesOwner and financeOwner for price');
    const after = step(c, r.snapshot, { type: 'ACCEPT_REPORT', data: { salesOwner: 'u-sales' }, actor: board }, T3);
    expect(after.changed).toBe(false);
    expect(after.state).toBe('managementReview');
    // Owners of departments without a measure are not needed.
    expect(send(c, r.snapshot, 'ACCEPT_REPORT', { salesOwner: 'u-sales', financeOwner: 'u-fin' }, board, T3).state).toBe('improvement');
  });

  it('starts each measure with its key, departments, owner, the customer, the causes and the recommendations, read from the case', () => {
    const causes = [cause('price', 'primary'), cause('competitor', 'primary')];
    const r = accepted(c, causes);
    expect(r.invocations).toEqual([{ id: 'measures', kind: 'subprocess', context: expect.objectContaining({ causes }) }]);
    const items = subprocessItems(c, 'measures', r.invocations[0]!.context, T3);
    const common = {
      customer: 'CUST-3001',
      opportunity: 'Spring outdoor campaign 2026',
      salesRep: 'u-rep',
      causes,
      recommendations: report.recommendations,
    };
    expect(items).toEqual([
      {
        key: 'price',
        input: { measure: 'price', department: 'sales', departments: ['sales', 'finance'], owner: 'u-sales', coOwner: 'u-fin', ...common },
      },
      {
        key: 'competitor',
        input: { measure: 'competitor', department: 'marketing', departments: ['marketing'], owner: 'u-mkt', ...common },
      },
    ]);
    // Each item is a valid start input of the sub-process.
    const m = compileDefinition(measure, cn);
    for (const item of items) expect(m.inputSchema.safeParse(item.input).success).toBe(true);

    // Once every measure is done, the case moves on with their outcome.
    const outcome = items.map((i) => ({ key: i.key, caseId: `ld.measures.${i.key}`, state: 'completed', context: { result: 'done' } }));
    const done = step(c, r.snapshot, { type: `${DONE_PREFIX}measures`, output: { items: outcome } } as never, T3);
    expect(done.state).toBe('evaluating');
    expect(done.snapshot.context.measures).toEqual(outcome);
  });
});

describe('lost_deal', () => {
  it('refuses CAUSES_IDENTIFIED without a primary cause, in words, and changes nothing', () => {
    const c = compileDefinition(lostDeal, cn);
    const r = toFindingCauses(c);
    const data = { causes: [cause('price', 'secondary'), cause('competitor', 'secondary')] };
    const refusal = checkEvent(c, r.snapshot, { type: 'CAUSES_IDENTIFIED', data, actor: analyst }, T3);
    expect(refusal).toEqual({
      code: 'ConditionNotMet',
      message:
        'CAUSES_IDENTIFIED cannot be applied in state "analysis.findingCauses": at least one cause must have weight primary (condition hasPrimaryCause)',
    });
    const after = step(c, r.snapshot, { type: 'CAUSES_IDENTIFIED', data, actor: analyst }, T3);
    expect(after.changed).toBe(false);
    expect(after.state).toBe('analysis.findingCauses');
    expect(after.snapshot.context).toEqual(r.snapshot.context);
    // An empty list fails the payload schema before the condition.
    expect(checkEvent(c, r.snapshot, { type: 'CAUSES_IDENTIFIED', data: { causes: [] }, actor: analyst }, T3)?.code).toBe(
      'ValidationError',
    );
    // One primary cause among secondary ones is enough.
    const ok = send(c, r.snapshot, 'CAUSES_IDENTIFIED', { causes: [...data.causes, cause('product', 'primary')] }, analyst, T3);
    expect(ok.state).toBe('analysis.reporting');
  });

  it('goes through the nested analysis states with one report deadline over all of them, re-armed for a revision', () => {
    const c = compileDefinition(lostDeal, cn);
    const started = startCase(c, input(), at(LOST_AT));
    expect(started.state).toBe('collectingInfo');
    // Info within 3 business days of lostAt: Monday 10:00 → Thursday 10:00.
    expect(timer(started, 'infoDue')).toMatchObject({ state: 'collectingInfo', dueAt: iso(at('2026-03-12T10:00:00+08:00')) });

    let r = send(c, started.snapshot, 'SUBMIT_INFO', info, rep, T1);
    expect(r.state).toBe('analysis.formingGroup');
    expect(r.cancelTimers).toEqual(['xstate.after.infoDue.lost_deal.collectingInfo']);
    // The report is due 5 business days after the information is complete (Tuesday → next Tuesday).
    const reportDueAt = iso(addBusinessDays(cn, T1, 5));
    expect(reportDueAt).toBe(iso(at('2026-03-17T10:00:00+08:00')));
    expect(r.snapshot.context).toMatchObject({ infoCompletedAt: iso(T1), reportDueAt, customerBasics: info.customerBasics });
    const armed = timer(r, 'reportDue');
    expect(armed).toMatchObject({ state: 'analysis', dueAt: reportDueAt });

    const visited = [r.state];
    r = send(c, r.snapshot, 'FORM_GROUP', { lead: 'u-head', members: [{ userId: 'u-analyst', role: 'product' }] }, salesHead, T1);
    visited.push(r.state);
    expect(r.cancelTimers).toEqual([]); // moving inside analysis keeps its deadline
    r = send(c, r.snapshot, 'INFO_CONSOLIDATED', {}, analyst, T2);
    visited.push(r.state);
    r = send(c, r.snapshot, 'CAUSES_IDENTIFIED', { causes: [cause('price', 'primary')] }, analyst, T2);
    visited.push(r.state);
    expect(r.cancelTimers).toEqual([]);
    expect(visited).toEqual(['analysis.formingGroup', 'analysis.consolidating', 'analysis.findingCauses', 'analysis.reporting']);

    // The deadline passes while the report is being written: the analysts and the lead are reminded, the sales head escalated to.
    const late = fire(c, r.snapshot, armed);
    expect(late.state).toBe('analysis.reporting');
    expect(late.notifications.map((n) => [n.kind, n.template, n.to])).toEqual([
      ['reminder', 'lostDealReportDue', [{ role: 'analyst' }, { userId: 'u-head' }]],
      ['escalation', 'lostDealReportOverdue', [{ role: 'sales_manager' }]],
    ]);

    r = send(c, late.snapshot, 'SUBMIT_REPORT', report, analyst, at('2026-03-18T10:00:00+08:00'));
    expect(r.state).toBe('managementReview');
    r = send(c, r.snapshot, 'REQUEST_REVISION', { feedback: 'Quantify the price gap' }, board, at('2026-03-19T10:00:00+08:00'));
    expect(r.state).toBe('analysis.reporting');
    const revisionDueAt = iso(addBusinessDays(cn, at('2026-03-19T10:00:00+08:00'), 5));
    expect(r.snapshot.context).toMatchObject({ revisions: 1, reportDueAt: revisionDueAt });
    expect(timer(r, 'reportDue')).toMatchObject({ state: 'analysis', dueAt: revisionDueAt });
    r = send(
      c,
      r.snapshot,
      'SUBMIT_REPORT',
      { ...report, causeAnalysis: 'Price 23% above the competitor' },
      analyst,
      at('2026-03-20T10:00:00+08:00'),
    );
    expect(r.state).toBe('managementReview');
    expect(r.cancelTimers).toEqual(['xstate.after.reportDue.lost_deal.analysis']);
    expect(r.snapshot.context).toMatchObject({ reportSubmissions: 2, revisions: 1 });
    expect((r.snapshot.context.reports as unknown[]).length).toBe(2);
  });

  it('sends an important customer through supplementing, due 5 business days after the first submission', () => {
    const c = compileDefinition(lostDeal, cn);
    let r = startCase(c, input(true), at(LOST_AT));
    r = send(c, r.snapshot, 'SUBMIT_INFO', info, rep, T1);
    expect(r.state).toBe('supplementing');
    expect(r.snapshot.context.reportDueAt).toBeUndefined();
    const due = timer(r, 'supplementDue');
    expect(due.dueAt).toBe(iso(at('2026-03-17T10:00:00+08:00')));
    const reminded = fire(c, r.snapshot, due);
    expect(reminded.state).toBe('supplementing');
    expect(reminded.notifications.map((n) => [n.kind, n.template, n.to])).toEqual([
      ['reminder', 'lostDealSupplementDue', [{ role: 'sales_rep', userId: 'u-rep' }]],
    ]);
    const later = at('2026-03-18T10:00:00+08:00');
    r = send(
      c,
      reminded.snapshot,
      'SUBMIT_SUPPLEMENT',
      { notes: 'Second interview with the owner', lossReasons: { stated: ['Price'], inferred: [] } },
      rep,
      later,
    );
    expect(r.state).toBe('analysis.formingGroup');
    expect(r.snapshot.context).toMatchObject({ infoCompletedAt: iso(later), reportDueAt: iso(addBusinessDays(cn, later, 5)) });
    expect(r.snapshot.context.supplements).toEqual([
      expect.objectContaining({ notes: 'Second interview with the owner', by: 'u-rep', at: iso(later) }),
    ]);
  });

  it('reminds the rep and escalates to the sales head when the information is not in 3 business days after lostAt', () => {
    const c = compileDefinition(lostDeal, cn);
    const r = startCase(c, input(), at(LOST_AT));
    const late = fire(c, r.snapshot, timer(r, 'infoDue'));
    expect(late.state).toBe('collectingInfo');
    expect(late.notifications.map((n) => [n.kind, n.template, n.to])).toEqual([
      ['reminder', 'lostDealInfoDue', [{ role: 'sales_rep', userId: 'u-rep' }]],
      ['escalation', 'lostDealInfoOverdue', [{ role: 'sales_manager' }]],
    ]);
  });

  it('takes its deadlines from its parameters: an edited copy changes them without code', () => {
    const edited = compileDefinition(withParams(lostDealJson, { infoDays: 6, supplementDays: 2, reportDays: 10, revisionDays: 1 }), cn);
    let r = startCase(edited, input(true), at(LOST_AT));
    expect(timer(r, 'infoDue').dueAt).toBe(iso(addBusinessDays(cn, at(LOST_AT), 6)));
    r = send(edited, r.snapshot, 'SUBMIT_INFO', info, rep, T1);
    expect(timer(r, 'supplementDue').dueAt).toBe(iso(addBusinessDays(cn, T1, 2)));
    r = send(edited, r.snapshot, 'SUBMIT_SUPPLEMENT', { notes: 'n' }, rep, T2);
    expect(timer(r, 'reportDue').dueAt).toBe(iso(addBusinessDays(cn, T2, 10)));
    r = send(edited, r.snapshot, 'FORM_GROUP', { lead: 'u-head', members: [{ userId: 'u-analyst', role: 'sales' }] }, salesHead, T2);
    r = send(edited, r.snapshot, 'INFO_CONSOLIDATED', {}, analyst, T2);
    r = send(edited, r.snapshot, 'CAUSES_IDENTIFIED', { causes: [cause('service', 'primary')] }, analyst, T2);
    r = send(edited, r.snapshot, 'SUBMIT_REPORT', report, analyst, T3);
    r = send(edited, r.snapshot, 'REQUEST_REVISION', { feedback: 'More detail' }, board, T3);
    expect(timer(r, 'reportDue').dueAt).toBe(iso(addBusinessDays(cn, T3, 1)));

    const m = compileDefinition(withParams(measureJson, { planDays: 2, progressDays: 4 }), cn);
    let s = startCase(
      m,
      { measure: 'service', department: 'service', departments: ['service'], owner: 'u-owner', customer: 'CUST-3001' },
      T1,
    );
    expect(timer(s, 'planDue').dueAt).toBe(iso(addBusinessDays(cn, T1, 2)));
    s = send(m, s.snapshot, 'SUBMIT_PLAN', plan('service'), owner, T2);
    expect(timer(s, 'progressReminder').dueAt).toBe(iso(addBusinessDays(cn, T2, 4)));
  });

  it('with the shipped parameters: 3, 5, 5 and 5 business days; a plan in 5, progress every 10', () => {
    expect(lostDeal.parameters).toMatchObject({
      infoDays: { default: 3 },
      supplementDays: { default: 5 },
      reportDays: { default: 5 },
      revisionDays: { default: 5 },
    });
    expect(measure.parameters).toMatchObject({ planDays: { default: 5 }, progressDays: { default: 10 } });
  });
});

const DUE = '2026-05-29T18:00:00+08:00';
const plan = (department: string, dueDate = DUE, measureKey = department === 'service' ? 'service' : 'price') => ({
  measure: measureKey,
  department,
  steps: ['Review the price list for mid-sized retailers', 'Train the team on the new discounts'],
  owner: 'u-owner',
  dueDate,
  expectedEffect: 'Win back mid-sized retailers',
});

/** The joint price measure's owner (sales) and co-owner (finance), both reminded. */
const BOTH_OWNERS = [
  { role: 'dept_owner', userId: 'u-owner' },
  { role: 'dept_owner', userId: 'u-fin' },
];

describe('improvement_measure', () => {
  const m = compileDefinition(measure, cn);
  const started = () =>
    startCase(
      m,
      {
        measure: 'price',
        department: 'sales',
        departments: ['sales', 'finance'],
        owner: 'u-owner',
        coOwner: 'u-fin',
        customer: 'CUST-3001',
        opportunity: 'Spring outdoor campaign 2026',
      },
      T1,
    );

  it('runs only as a sub-process and accepts events for its own measure and departments only, from its owner only', () => {
    expect(measure.startedBy).toEqual([]);
    let r = started();
    expect(r.state).toBe('planning');
    const wrong = checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: plan('rd'), actor: owner }, T2);
    expect(wrong?.code).toBe('ConditionNotMet');
    expect(wrong?.message).toContain(
      'SUBMIT_PLAN cannot be applied in state "planning": the plan must name this measure, one of its departments and a due date in the future',
    );
    expect(checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: plan('sales', DUE, 'sales_team'), actor: owner }, T2)?.code).toBe(
      'ConditionNotMet',
    );
    // Another department owner is not the measure's owner; the co-owner may be handed it (task.transfer).
    const other = { userId: 'u-other', role: 'dept_owner' };
    expect(checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: plan('finance'), actor: other }, T2)?.code).toBe('NotAssignee');
    const past = checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: plan('finance', '2026-03-01T18:00:00+08:00'), actor: owner }, T2);
    expect(past?.code).toBe('ConditionNotMet');
    expect(checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: plan('finance'), actor: rep }, T2)?.code).toBe('Forbidden');
    expect(
      checkEvent(m, r.snapshot, { type: 'SUBMIT_PLAN', data: { ...plan('finance'), department: 'legal' }, actor: owner }, T2)?.code,
    ).toBe('ValidationError');

    r = send(m, r.snapshot, 'SUBMIT_PLAN', plan('finance'), owner, T2);
    expect(r.state).toBe('inProgress');
    expect(r.snapshot.context).toMatchObject({ owner: 'u-owner', responsible: 'u-owner', dueDate: DUE, plans: 1 });
    const wrongProgress = checkEvent(
      m,
      r.snapshot,
      { type: 'REPORT_PROGRESS', data: { measure: 'price', department: 'rd', percent: 10, notes: 'n' }, actor: owner },
      T2,
    );
    expect(wrongProgress?.message).toContain(
      'the event names another measure than this one, or a department that is not one of its departments',
    );
    r = send(
      m,
      r.snapshot,
      'REPORT_PROGRESS',
      { measure: 'price', department: 'finance', percent: 40, notes: 'Price list drafted' },
      owner,
      T3,
    );
    expect(r.state).toBe('inProgress');
    expect(r.cancelTimers).toEqual([]); // a progress report does not move the reminders
    expect(r.snapshot.context).toMatchObject({ percent: 40, progressReports: [expect.objectContaining({ percent: 40, by: 'u-owner' })] });
    r = send(m, r.snapshot, 'MEASURE_COMPLETED', { measure: 'price', department: 'finance', result: 'New price list in force' }, owner, T3);
    expect(r.state).toBe('completed');
    expect(r.status).toBe('completed');
  });

  it('reminds the department once when no plan comes within the plan deadline', () => {
    const r = started();
    const reminded = fire(m, r.snapshot, timer(r, 'planDue'));
    expect(reminded.state).toBe('planning');
    expect(reminded.notifications.map((n) => [n.kind, n.template, n.to, n.data.department])).toEqual([
      [
        'reminder',
        'measurePlanDue',
        [
          { role: 'dept_owner', userId: 'u-owner' },
          { role: 'dept_owner', userId: 'u-fin' },
        ],
        'sales',
      ],
    ]);
    expect(reminded.startTimers).toEqual([]);
  });

  it('a measure without a co-owner reminds its owner alone, not every department owner', () => {
    const r = startCase(
      m,
      {
        measure: 'competitor',
        department: 'marketing',
        departments: ['marketing'],
        owner: 'u-owner',
        customer: 'CUST-3001',
        opportunity: 'o',
      },
      T1,
    );
    expect(r.snapshot.context).not.toHaveProperty('coOwner', expect.stringMatching(/./));
    const reminded = fire(m, r.snapshot, timer(r, 'planDue'));
    expect(reminded.notifications.map((n) => n.to)).toEqual([[{ role: 'dept_owner', userId: 'u-owner' }]]);
  });

  it('reminds of progress every 10 business days while in progress, re-arming itself, and escalates once when the due date passes', () => {
    let r = send(m, started().snapshot, 'SUBMIT_PLAN', plan('finance'), owner, T2);
    expect(timer(r, 'measureDue').dueAt).toBe(iso(at(DUE)));
    let due = timer(r, 'progressReminder');
    expect(due.dueAt).toBe(iso(addBusinessDays(cn, T2, 10)));
    const reminders: string[] = [];
    for (let i = 0; i < 3; i++) {
      r = fire(m, r.snapshot, due);
      expect(r.state).toBe('inProgress');
      expect(r.notifications.map((n) => [n.template, n.to])).toEqual([['measureProgressDue', BOTH_OWNERS]]);
      const next = timer(r, 'progressReminder');
      expect(next.dueAt).toBe(iso(addBusinessDays(cn, Date.parse(due.dueAt), 10)));
      reminders.push(due.dueAt);
      due = next;
    }
    expect(r.snapshot.context.progressReminders).toBe(3);
    expect(reminders).toEqual([iso(addBusinessDays(cn, T2, 10)), iso(addBusinessDays(cn, T2, 20)), iso(addBusinessDays(cn, T2, 30))]);

    // The due date passes: the owner is reminded and management escalated to, once.
    const overdue = fire(m, r.snapshot, timer(r, 'measureDue'));
    expect(overdue.notifications.map((n) => [n.kind, n.template, n.to])).toEqual([
      ['reminder', 'measureDue', BOTH_OWNERS],
      ['escalation', 'measureOverdue', [{ role: 'management' }]],
    ]);
    expect(overdue.snapshot.context.dueEscalated).toBe(true);
    // The next progress reminder re-enters the state; the passed due date does not escalate again.
    const again = fire(m, overdue.snapshot, timer(r, 'progressReminder'));
    const rearmedDue = timer(again, 'measureDue');
    const quiet = fire(m, again.snapshot, rearmedDue);
    expect(quiet.changed).toBe(false);
    expect(quiet.notifications).toEqual([]);

    // A revised plan with a new due date re-arms it.
    const revised = send(
      m,
      again.snapshot,
      'SUBMIT_PLAN',
      plan('finance', '2026-09-30T18:00:00+08:00'),
      owner,
      at('2026-07-01T10:00:00+08:00'),
    );
    expect(revised.state).toBe('inProgress');
    expect(revised.snapshot.context).toMatchObject({ plans: 2, dueEscalated: false });
    expect(timer(revised, 'measureDue').dueAt).toBe(iso(at('2026-09-30T18:00:00+08:00')));

    // Completing stops every reminder.
    const done = send(
      m,
      revised.snapshot,
      'MEASURE_COMPLETED',
      { measure: 'price', department: 'finance', result: 'Done' },
      owner,
      at('2026-07-02T10:00:00+08:00'),
    );
    expect(done.cancelTimers.sort()).toEqual([
      'xstate.after.measureDue.improvement_measure.inProgress',
      'xstate.after.progressReminder.improvement_measure.inProgress',
    ]);
  });
});

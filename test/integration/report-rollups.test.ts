/**
 * The reports read from rollups kept as the log grows and the cases change (migrations 021 and 022) answer exactly what their
 * queries over the raw log answer (test/helpers/report-reference.ts): on a seeded data set (the
 * rollups built at once after the load) for months, a year, periods cut mid-day, every process and
 * narrowings; and on transitions stored through the case store (the rollups kept by its
 * transaction), appended twice and out of order, where what was kept equals a rebuild from the log.
 */
import { Pool } from 'pg';
import { loadCalendar } from '../../client/setup';
import { loadConfig } from '../../config';
import { seedScale } from '../../bench/scale';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { PostgresCustomerStore } from '../../adapters/postgres/customer-store';
import { PostgresHandoverStore } from '../../adapters/postgres/handover-store';
import { recordInOutbox } from '../../adapters/notify/outbox-notifier';
import { complaintQualityQuery, complaintsQuery, stateTimesQuery, type ReportQuery } from '../../adapters/postgres/reports/complaints';
import type { ReportFilter } from '../../adapters/postgres/reports/period';
import {
  contractApprovalsQuery,
  contractsQuery,
  lostDealCausesQuery,
  measuresQuery,
  slaQuery,
} from '../../adapters/postgres/reports/sales';
import { targetsQuery } from '../../adapters/postgres/reports/targets';
import type { Actor } from '../../engine/types';
import * as raw from '../helpers/report-reference';
import { freshDatabase, requireEnv } from '../helpers/harness';

jest.setTimeout(240_000);

const DAY = 86_400_000;

async function rows(pool: Pool, q: ReportQuery): Promise<unknown[]> {
  return (await pool.query(q.sql, q.params)).rows;
}

/** The targets' counts, in (metric, rep) order: their query has no order of its own. */
async function counts(pool: Pool, q: { sql: string; params: unknown[] }): Promise<unknown[]> {
  return (await pool.query(`SELECT * FROM (${q.sql}) q ORDER BY metric, rep NULLS FIRST`, q.params)).rows;
}

/** The counting reports both ways, for `f` and each rep of `reps`; returns how many rows the reference answered. */
async function expectSameCounts(pool: Pool, f: ReportFilter, reps: string[]): Promise<number> {
  let answered = 0;
  for (const narrowed of [f, ...reps.map((rep) => ({ ...f, rep }))]) {
    for (const groupBy of [undefined, 'week', 'month', 'quarter'] as const) {
      const g = { ...narrowed, groupBy };
      for (const [name, now, before] of [
        ['contracts', contractsQuery(g), raw.contractsQuery(g)],
        ['lost-deal-causes', lostDealCausesQuery(g), raw.lostDealCausesQuery(g)],
      ] as const) {
        const expected = await rows(pool, before);
        expect({ name, g, rows: await rows(pool, now) }).toEqual({ name, g, rows: expected });
        answered += expected.length;
      }
    }
    const expected = await counts(pool, raw.targetsCountsQuery(narrowed));
    expect({ narrowed, rows: await counts(pool, targetsQuery(narrowed)) }).toEqual({ narrowed, rows: expected });
    answered += expected.length;
  }
  return answered;
}

/** The reports over complaints, measures and escalations both ways, for `f` and each department of `departments`, grouped each way. */
async function expectSameCaseReports(pool: Pool, f: ReportFilter, departments: string[]): Promise<number> {
  let answered = 0;
  for (const narrowed of [f, ...departments.map((department) => ({ ...f, department }))]) {
    for (const groupBy of [undefined, 'week', 'month', 'quarter'] as const) {
      const g = { ...narrowed, groupBy };
      for (const [name, now, before] of [
        ['complaints', complaintsQuery(g), raw.complaintsQuery(g)],
        ['complaint-quality', complaintQualityQuery(g), raw.complaintQualityQuery(g)],
        ['measures', measuresQuery(g), raw.measuresQuery(g)],
        ...(narrowed.department === undefined ? ([['sla', slaQuery(g), raw.slaQuery(g)]] as const) : []),
      ] as const) {
        const expected = await rows(pool, before);
        expect({ name, g, rows: await rows(pool, now) }).toEqual({ name, g, rows: expected });
        answered += expected.length;
      }
    }
  }
  return answered;
}

/** Both ways for each filter; returns how many rows the reference answered in all. */
async function expectSame(pool: Pool, filters: ReportFilter[], processes: string[]): Promise<number> {
  let answered = 0;
  for (const f of filters) {
    answered += await expectSameCounts(pool, f, []);
    answered += await expectSameCaseReports(pool, f, []);
    for (const process of processes) {
      const expected = await rows(pool, raw.stateTimesQuery(f, process));
      expect({ f, process, rows: await rows(pool, stateTimesQuery(f, process)) }).toEqual({ f, process, rows: expected });
      answered += expected.length;
    }
    const expected = await rows(pool, raw.contractApprovalsQuery(f));
    expect({ f, rows: await rows(pool, contractApprovalsQuery(f)) }).toEqual({ f, rows: expected });
    answered += expected.length;
  }
  return answered;
}

/** The counts of migration 024, in key order. */
async function counted(pool: Pool): Promise<{ durationCounts: unknown[]; escalationDays: unknown[]; escalationRepeats: unknown[] }> {
  return {
    durationCounts: (await pool.query('SELECT * FROM docket.report_duration_counts ORDER BY kind, process_id, month, grp, bin')).rows,
    escalationDays: (await pool.query('SELECT * FROM docket.report_escalation_days ORDER BY day, process_id, state')).rows,
    escalationRepeats: (await pool.query('SELECT * FROM docket.report_escalation_repeats ORDER BY id')).rows,
  };
}

type Kept =
  | 'cases'
  | 'escalations'
  | 'events'
  | 'stays'
  | 'approvals'
  | 'firstWins'
  | 'firstLeads'
  | 'intentionA'
  | 'visitCounts'
  | 'causeDays'
  | 'complaintCounts'
  | 'closedCounts'
  | 'contractCounts';

/** The rollup tables' rows, in key order. */
async function kept(pool: Pool): Promise<Record<Kept, unknown[]> & Awaited<ReturnType<typeof counted>>> {
  const all = async (sql: string) => (await pool.query(sql)).rows;
  return {
    ...(await counted(pool)),
    cases: await all('SELECT * FROM docket.report_cases ORDER BY case_id'),
    escalations: await all('SELECT * FROM docket.report_escalations ORDER BY id'),
    events: await all('SELECT * FROM docket.report_events ORDER BY case_id, seq'),
    stays: await all('SELECT * FROM docket.report_stays ORDER BY case_id, seq'),
    approvals: await all('SELECT * FROM docket.report_approvals ORDER BY case_id, seq'),
    firstWins: await all('SELECT * FROM docket.report_first_wins ORDER BY case_id, seq'),
    firstLeads: await all('SELECT * FROM docket.report_first_leads ORDER BY case_id'),
    intentionA: await all('SELECT * FROM docket.report_intention_a ORDER BY id'),
    visitCounts: await all('SELECT * FROM docket.report_visit_counts ORDER BY unit, start, owner NULLS FIRST'),
    causeDays: await all('SELECT * FROM docket.report_cause_days ORDER BY day, dimension NULLS FIRST'),
    // Migration 026: the satisfaction sum compared as a number (its scale follows the sums made).
    complaintCounts: await all(
      'SELECT * FROM docket.report_complaint_counts ORDER BY unit, start, department NULLS FIRST, category NULLS FIRST, severity NULLS FIRST',
    ),
    closedCounts: await all(
      'SELECT unit, start, department, closed, reopened, rated, satisfaction::float8 AS satisfaction FROM docket.report_closed_counts ORDER BY unit, start, department NULLS FIRST',
    ),
    contractCounts: await all(
      'SELECT unit, start, event, rep, n, amount::float8 AS amount, late FROM docket.report_contract_counts ORDER BY unit, start, event, rep NULLS FIRST',
    ),
  };
}

/** What is kept equals the rebuilds from the log (migrations 021 and 022, then 023), and of the counts (024, 026). */
async function expectKeptAsRebuilt(pool: Pool): Promise<void> {
  const before = await kept(pool);
  await pool.query('SELECT docket.rebuild_report_rollups()');
  expect(await kept(pool)).toEqual(before);
  await pool.query('SELECT docket.rebuild_target_rollups()');
  expect(await kept(pool)).toEqual(before);
  // The counts built at once from the kept rows equal the ones their triggers kept through the rebuilds.
  await pool.query('SELECT docket.rebuild_report_percentiles()');
  expect(await kept(pool)).toEqual(before);
  await pool.query('SELECT docket.rebuild_report_counts()');
  expect(await kept(pool)).toEqual(before);
}

describe('on a seeded data set', () => {
  let pool: Pool;
  let seededAt: number;

  beforeAll(async () => {
    const config = loadConfig();
    const seeded = await seedScale({
      serverUrl: requireEnv('DOCKET_TEST_DATABASE_URL'),
      database: 't_report_rollups',
      scale: 0.004,
      reseed: true,
      definitionsDir: config.definitionsDir,
      calendar: await loadCalendar(config),
    });
    seededAt = Date.parse(seeded.seededAt);
    pool = new Pool({ connectionString: seeded.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
  });

  test('state-times, contract-approvals, contracts, lost-deal-causes, targets, complaints, complaint-quality, measures and sla equal the raw queries for months, a year and periods cut mid-day', async () => {
    const month = (back: number) => {
      const d = new Date(seededAt);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
    };
    const filters: ReportFilter[] = [
      ...Array.from({ length: 13 }, (_, i) => ({ from: month(i + 1), to: month(i) })),
      { from: month(12), to: month(0) },
      { from: new Date('2000-01-01'), to: new Date('2100-01-01') },
      { from: new Date(seededAt - 100 * DAY + 12_345_678), to: new Date(seededAt - 3 * DAY + 17) },
      { from: new Date(seededAt - 400 * DAY - 1), to: new Date(seededAt - 30 * DAY + 3_600_001) },
      // Cut mid-month and mid-day at both ends: part-days, whole days and whole months.
      { from: new Date(month(7).getTime() + 14 * DAY + 5_000_017), to: new Date(month(1).getTime() + 9 * DAY + 41_234_567) },
      { from: new Date(month(3).getTime() + 27 * DAY), to: new Date(month(2).getTime() + 3 * DAY + 1) },
    ];
    const processes = (await pool.query<{ p: string }>('SELECT DISTINCT process_id AS p FROM docket.transitions ORDER BY 1')).rows.map(
      (r) => r.p,
    );
    expect(processes.length).toBeGreaterThan(3);
    expect(await expectSame(pool, filters, processes)).toBeGreaterThan(100);
  });

  test('narrowed to a department or a rep, they equal the raw queries too', async () => {
    const departments = (
      await pool.query<{ d: string }>(
        `SELECT DISTINCT context->>'department' AS d FROM docket.cases WHERE context->>'department' IS NOT NULL ORDER BY 1 LIMIT 3`,
      )
    ).rows.map((r) => r.d);
    const reps = (
      await pool.query<{ r: string }>(
        `SELECT DISTINCT context->>'submittedBy' AS r FROM docket.cases WHERE process_id = 'contract' AND context->>'submittedBy' IS NOT NULL ORDER BY 1 LIMIT 3`,
      )
    ).rows.map((r) => r.r);
    expect(departments.length).toBeGreaterThan(0);
    expect(reps.length).toBeGreaterThan(0);
    const year = { from: new Date(seededAt - 365 * DAY), to: new Date(seededAt) };
    let answered = 0;
    for (const department of [...departments, 'no such department']) {
      for (const process of ['complaint', 'improvement_measure']) {
        const f = { ...year, department };
        const expected = await rows(pool, raw.stateTimesQuery(f, process));
        expect(await rows(pool, stateTimesQuery(f, process))).toEqual(expected);
        answered += expected.length;
      }
    }
    answered += await expectSameCaseReports(pool, year, [...departments, 'no such department']);
    for (const rep of [...reps, 'nobody']) {
      const f = { ...year, rep };
      const expected = await rows(pool, raw.contractApprovalsQuery(f));
      expect(await rows(pool, contractApprovalsQuery(f))).toEqual(expected);
      answered += expected.length;
    }
    const owners = (
      await pool.query<{ r: string }>(
        `SELECT DISTINCT context->>'performanceRep' AS r FROM docket.cases WHERE process_id = 'contract' AND context ? 'performanceRep' ORDER BY 1 LIMIT 2`,
      )
    ).rows.map((r) => r.r);
    const sales = (
      await pool.query<{ r: string }>(
        `SELECT DISTINCT context->>'salesRep' AS r FROM docket.cases WHERE process_id = 'lost_deal' AND context ? 'salesRep' ORDER BY 1 LIMIT 2`,
      )
    ).rows.map((r) => r.r);
    expect(owners.length + sales.length).toBeGreaterThan(0);
    answered += await expectSameCounts(pool, year, [...reps.slice(0, 2), ...owners, ...sales, 'nobody']);
    expect(answered).toBeGreaterThan(0);
  });

  test('what the seeder built equals a rebuild from the log', async () => {
    const before = await kept(pool);
    expect(before.stays.length).toBeGreaterThan(1000);
    expect(before.approvals.length).toBeGreaterThan(10);
    expect(before.events.length).toBeGreaterThan(100);
    expect(before.cases.length).toBeGreaterThan(100);
    expect(before.escalations.length).toBeGreaterThan(10);
    expect(before.firstWins.length).toBeGreaterThan(10);
    expect(before.firstLeads.length).toBeGreaterThan(10);
    expect(before.intentionA.length).toBeGreaterThan(10);
    expect(before.visitCounts.length).toBeGreaterThan(10);
    expect(before.causeDays.length).toBeGreaterThan(10);
    expect(before.complaintCounts.length).toBeGreaterThan(10);
    expect(before.closedCounts.length).toBeGreaterThan(10);
    expect(before.contractCounts.length).toBeGreaterThan(10);
    expect(before.durationCounts.length).toBeGreaterThan(100);
    expect(before.escalationDays.length).toBeGreaterThan(10);
    await expectKeptAsRebuilt(pool);
  });

  // Last: it changes the seeded customers.
  test('intention customers follow grade changes and owner changes made through the stores (migration 030)', async () => {
    const customers = new PostgresCustomerStore(pool);
    const handovers = new PostgresHandoverStore(pool);
    const manager: Actor = { userId: 'mgr-rollups', role: 'sales_manager' };
    const picked = (
      await pool.query<{ id: string; owner: string }>(
        `SELECT customer_id AS id, owner_id AS owner FROM docket.customers
          WHERE owner_id IS NOT NULL AND intention_grade IS DISTINCT FROM 'A' ORDER BY customer_id LIMIT 4`,
      )
    ).rows;
    expect(picked).toHaveLength(4);
    const [a, b, c, d] = picked as [(typeof picked)[0], (typeof picked)[0], (typeof picked)[0], (typeof picked)[0]];
    const rowsOf = async (id: string) =>
      (
        await pool.query<{ owner: string | null }>(
          "SELECT owner FROM docket.report_intention_a WHERE customer_id = $1 AND at > now() - interval '1 hour' ORDER BY id",
          [id],
        )
      ).rows;

    // To A (counted), A again (nothing recorded), away and back to A (counted again), to B (not counted).
    await customers.changeGrades(a.id, { intention: 'A' }, 'budget confirmed', manager);
    await customers.changeGrades(a.id, { intention: 'A' }, 'still A', manager);
    await customers.changeGrades(b.id, { intention: 'A' }, 'budget confirmed', manager);
    await customers.changeGrades(b.id, { intention: 'C' }, 'budget gone', manager);
    await customers.changeGrades(b.id, { intention: 'A' }, 'budget back', manager);
    await customers.changeGrades(c.id, { intention: 'B' }, 'interested', manager);
    expect(await rowsOf(a.id)).toEqual([{ owner: a.owner }]);
    expect(await rowsOf(b.id)).toEqual([{ owner: b.owner }, { owner: b.owner }]);
    expect(await rowsOf(c.id)).toEqual([]);

    // A handover moves a's rows to the new owner; an edit of d's owner, then d to A, credits the new owner.
    const handed = await handovers.record({
      from: a.owner,
      to: 'rep-rollups-new',
      requested: [a.id],
      reason: 'territory',
      by: manager,
      requestKey: null,
    });
    expect(handed?.items).toHaveLength(1);
    expect(await rowsOf(a.id)).toEqual([{ owner: 'rep-rollups-new' }]);
    await customers.update(d.id, { owner: 'rep-rollups-other' }, manager);
    await customers.changeGrades(d.id, { intention: 'A' }, 'signed a letter of intent', manager);
    expect(await rowsOf(d.id)).toEqual([{ owner: 'rep-rollups-other' }]);

    // The report counts them as its raw query does, over the period and narrowed to the reps concerned.
    const period = { from: new Date(seededAt - 365 * DAY), to: new Date(Date.now() + DAY) };
    const now = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + DAY) };
    const reps = ['rep-rollups-new', 'rep-rollups-other', b.owner, 'nobody'];
    expect(await expectSameCounts(pool, period, reps)).toBeGreaterThan(0);
    expect(await expectSameCounts(pool, now, reps)).toBeGreaterThan(0);
    const intention = (await counts(pool, targetsQuery(now))).filter((r) => (r as { metric: string }).metric === 'intentionCustomers');
    expect(intention).toEqual(
      expect.arrayContaining([
        { rep: 'rep-rollups-new', metric: 'intentionCustomers', n: 1 },
        { rep: 'rep-rollups-other', metric: 'intentionCustomers', n: 1 },
      ]),
    );
    await expectKeptAsRebuilt(pool);
  });
});

describe('on transitions stored through the case store', () => {
  let pool: Pool;
  let store: PostgresCaseStore;

  beforeAll(async () => {
    pool = new Pool({ connectionString: await freshDatabase('report_rollups_store'), max: 2 });
    store = new PostgresCaseStore(pool);
  });

  afterAll(async () => {
    await pool?.end();
  });

  type Step = [event: string, to: string, hours: number, actor?: Actor];
  const start = Date.parse('2025-05-05T08:00:00.000Z');
  const SYSTEM: Actor = { userId: 'system', role: 'system' };

  /** Appends `steps` of a case in the order of `order` (default: as listed); each step's projection as the worker writes it. */
  async function append(
    caseId: string,
    processId: string,
    context: Record<string, unknown> | ((seq: number) => Record<string, unknown>),
    steps: Step[],
    order?: number[],
    customer: string | ((seq: number) => string) = 'cu-1',
  ) {
    const at = (i: number) => new Date(start + steps[i]![2] * 3_600_000).toISOString();
    for (const seq of order ?? steps.map((_, i) => i)) {
      const [event, to, , actor] = steps[seq]!;
      const status = seq === steps.length - 1 && to === 'closed' ? 'completed' : 'open';
      await store.appendTransition(
        {
          caseId,
          seq,
          processId,
          definitionVersion: 1,
          definitionHash: `sha256:${processId}`,
          event,
          payload: {},
          actor: actor ?? SYSTEM,
          requestId: null,
          fromState: seq === 0 ? null : steps[seq - 1]![1],
          toState: to,
          status,
          at: at(seq),
        },
        {
          caseId,
          processId,
          definitionVersion: 1,
          definitionHash: `sha256:${processId}`,
          customerId: typeof customer === 'function' ? customer(seq) : customer,
          state: to,
          status,
          context: typeof context === 'function' ? context(seq) : context,
          deadlines: [],
          lastSeq: seq,
          openedAt: at(0),
          updatedAt: at(seq),
          closedAt: status === 'completed' ? at(seq) : null,
        },
      );
    }
  }

  const complaint: Step[] = [
    ['xstate.init', 'received', 0],
    ['ACCEPT', 'investigating', 3],
    ['COMMENT', 'investigating', 5],
    ['SUBMIT_FINDINGS', 'review', 30],
    ['REOPEN', 'investigating', 31.5],
    ['SUBMIT_FINDINGS', 'review', 50],
    ['CLOSE', 'closed', 51],
  ];
  const approver = (role: string): Actor => ({ userId: `u-${role}`, role });
  const contract: Step[] = [
    ['xstate.init', 'draft', 0],
    ['SUBMIT', 'compliance', 1],
    ['done.invoke.complianceCheck', 'approval', 2],
    ['APPROVE', 'approval', 6, approver('sales_manager')],
    ['after:approvalReminder', 'approval', 20],
    ['APPROVE', 'approval', 26, approver('gm')],
    ['REQUEST_CHANGE', 'draft', 27, approver('hq')],
    ['SUBMIT', 'compliance', 40],
    ['done.invoke.complianceCheck', 'approval', 41],
    ['APPROVE', 'approval', 44, approver('sales_manager')],
    ['APPROVE', 'approval', 45, approver('gm')],
    ['APPROVE', 'signing', 49, approver('hq')],
    ['SIGNED', 'closed', 70],
  ];

  /** A complaint's context as it goes: categorised on acceptance, reopened once, scored when closed. */
  const complaintContext = (department: string, score: number) => (seq: number) => ({
    department,
    category: seq < 1 ? 'unknown' : 'delivery',
    severity: seq < 3 ? 'low' : 'high',
    reopenings: seq < 4 ? 0 : 1,
    ...(seq === 6 && { satisfactionScore: score }),
  });
  /** Records escalation `<caseId>:<seq>:<n>` (or a notification of another kind) at `hours`. */
  const escalate = (id: string, hours: number, kind: 'escalation' | 'reminder' = 'escalation') =>
    recordInOutbox(pool, {
      id,
      caseId: id.split(':')[0]!,
      processId: id.startsWith('msr') ? 'improvement_measure' : 'complaint',
      kind,
      to: [{ role: 'quality_manager' }],
      template: 'overdue',
      subject: { en: 'Overdue', 'zh-CN': '超时' },
      data: {},
      createdAt: new Date(start + hours * 3_600_000).toISOString(),
    });

  test('kept in the storing transaction: a repeated append changes nothing, and rows out of order are rewritten', async () => {
    await append('cmp-1', 'complaint', complaintContext('quality', 4), complaint);
    await escalate('cmp-1:3:0', 29);
    await append('ctr-1', 'contract', { submittedBy: 'rita' }, contract);
    // The same rows again: refused by the log as already there, nothing added twice.
    await append('cmp-1', 'complaint', complaintContext('quality', 4), complaint);
    await escalate('cmp-1:3:0', 29);
    await append('ctr-1', 'contract', { submittedBy: 'rita' }, contract, [3, 9, 11]);
    // Escalations recorded before their transition is stored (counted once it is), of a transition
    // never stored, with an id naming none, and a reminder (none counted).
    await escalate('cmp-2:2:0', 4);
    await escalate('cmp-2:2:1', 4.5);
    await escalate('cmp-2:40:0', 6);
    await escalate('cmp-2:late', 6);
    await escalate('cmp-2:3:0', 7, 'reminder');
    // Gaps filled later: the stay and the approvals after each late row change when it arrives.
    await append('cmp-2', 'complaint', complaintContext('sales', 2), complaint, [0, 1, 3, 6, 5, 2, 4]);
    // Measures: one overdue by its date, one escalated, one due later, one completed.
    const measure = (dueDate: string, dueEscalated?: boolean) => (seq: number) => ({
      department: seq === 0 ? 'quality' : 'sales',
      dueDate,
      ...(seq > 0 && dueEscalated !== undefined && { dueEscalated }),
    });
    const measureSteps: Step[] = [
      ['xstate.init', 'planning', 0],
      ['START', 'doing', 2],
    ];
    await append('msr-1', 'improvement_measure', measure('2025-05-06T00:00:00Z'), measureSteps);
    await append('msr-2', 'improvement_measure', measure('2999-01-01T00:00:00Z', true), measureSteps);
    await append('msr-3', 'improvement_measure', measure('2999-01-01T00:00:00Z', false), measureSteps);
    await append('msr-4', 'improvement_measure', measure('2025-05-06T00:00:00Z'), [...measureSteps, ['DONE', 'closed', 9]]);
    await escalate('msr-1:1:0', 30);
    await append('ctr-2', 'contract', { submittedBy: 'ray' }, contract, [0, 1, 3, 4, 5, 2, 6, 7, 9, 10, 11, 12, 8]);

    // Counted events whose case's context changes after them (and a projection stored late, not applied).
    await append(
      'ctr-3',
      'contract',
      (seq) =>
        seq < 3
          ? { performanceRep: 'rita', performanceAmount: 100, submittedBy: 'rita' }
          : { performanceRep: 'ray', performanceAmount: 250.5, submittedBy: 'rita', overdue: true },
      [
        ['xstate.init', 'draft', 0],
        ['EARLY_PLACEMENT_APPROVED', 'draft', 1],
        ['ARCHIVED', 'archived', 2],
        ['AMEND', 'archived', 3],
      ],
      [0, 1, 3, 2],
    );
    await append('vis-1', 'visit', (seq) => ({ owner: seq < 3 ? 'rita' : 'ray', visitType: 'new_customer' }), [
      ['xstate.init', 'planning', 0],
      ['ARRIVED', 'onSite', 1],
      ['VISIT_DONE', 'recording', 2],
      ['HANDOVER', 'recording', 3],
    ]);
    const causes = (seq: number) => [
      { dimension: 'price', weight: 'primary' },
      ...(seq >= 2 ? [{ dimension: 'service', weight: 'secondary' }] : []),
    ];
    await append('ld-1', 'lost_deal', (seq) => ({ salesRep: 'ray', ...(seq >= 1 && { causes: causes(seq) }) }), [
      ['xstate.init', 'analysis', 0],
      ['CAUSES_IDENTIFIED', 'measures', 1],
      ['REVISE', 'measures', 2],
    ]);

    const incremental = await kept(pool);
    expect(incremental.events).toHaveLength(2 + 1 + 1);
    expect(incremental.events).toContainEqual(
      expect.objectContaining({ case_id: 'ctr-3', event: 'ARCHIVED', facts: { performanceRep: 'ray', performanceAmount: 250.5 } }),
    );
    // Stays ended: five per complaint, seven per contract through approval, four in the next three
    // cases, one per measure and one more in the completed one.
    expect(incremental.stays).toHaveLength(2 * 5 + 2 * 7 + 4 + 4 + 1);
    expect(incremental.approvals).toHaveLength(2 * 5);
    expect(incremental.cases).toHaveLength(2 + 4);
    expect(incremental.cases).toContainEqual(
      expect.objectContaining({ case_id: 'cmp-2', state: 'closed', category: 'delivery', reopenings: '1', satisfaction: '2' }),
    );
    expect(incremental.escalations).toEqual([
      expect.objectContaining({ id: 'cmp-1:3:0', seq: 3, state: 'investigating' }),
      expect.objectContaining({ id: 'cmp-2:2:0', seq: 2, state: 'investigating' }),
      expect.objectContaining({ id: 'cmp-2:2:1', seq: 2, state: 'investigating' }),
      expect.objectContaining({ id: 'msr-1:1:0', seq: 1, state: 'planning' }),
    ]);
    expect(incremental.visitCounts).toEqual([
      expect.objectContaining({ unit: 'day', owner: 'ray', n: 1 }),
      expect.objectContaining({ unit: 'month', owner: 'ray', n: 1 }),
    ]);
    expect(incremental.causeDays).toEqual([
      expect.objectContaining({ dimension: 'price', causes: 1, primary: 1 }),
      expect.objectContaining({ dimension: 'service', causes: 1, primary: 0 }),
    ]);
    await expectKeptAsRebuilt(pool);
    expect(await kept(pool)).toEqual(incremental);

    const all = { from: new Date('2025-01-01'), to: new Date('2026-01-01') };
    const filters: ReportFilter[] = [
      all,
      { from: new Date(start + 4 * 3_600_000), to: new Date(start + 45 * 3_600_000) },
      { from: new Date(start + 45 * 3_600_000), to: new Date(start + 45 * 3_600_000 + 1) },
      // Cut mid-month and mid-day, with the whole month of the log (May 2025) inside.
      { from: new Date('2025-04-20T13:07:00Z'), to: new Date('2025-06-03T05:00:00Z') },
      { from: new Date(start + 30 * 3_600_000), to: new Date('2025-06-01T00:00:00Z') },
    ];
    expect(await expectSame(pool, filters, ['complaint', 'contract'])).toBeGreaterThan(5);
    expect(await expectSameCounts(pool, all, ['rita', 'ray'])).toBeGreaterThan(5);
    expect(await expectSameCaseReports(pool, all, ['quality', 'sales', 'nobody'])).toBeGreaterThan(20);
    for (const f of [
      { ...all, department: 'quality' },
      { ...all, rep: 'ray' },
    ]) {
      expect(await rows(pool, stateTimesQuery(f, 'complaint'))).toEqual(await rows(pool, raw.stateTimesQuery(f, 'complaint')));
      expect(await rows(pool, contractApprovalsQuery(f))).toEqual(await rows(pool, raw.contractApprovalsQuery(f)));
    }
  });

  test("each customer's first contract won and first new-customer visit follow the log and the cases", async () => {
    /** A contract archived `hours` after the start, with a step after it (its context changing there). */
    const contractArchivedAt = (hours: number): Step[] => [
      ['xstate.init', 'draft', hours - 2],
      ['SUBMIT', 'approval', hours - 1],
      ['ARCHIVED', 'archived', hours],
      ['AMEND', 'archived', hours + 1],
    ];
    const rep = (performanceRep: string) => ({ performanceRep, performanceAmount: 10 });
    // cu-w: won at 100 h, then by an earlier contract at 60 h, and by another at the same time (a tie).
    await append('ctr-w1', 'contract', rep('rita'), contractArchivedAt(100), undefined, 'cu-w');
    await append('ctr-w2', 'contract', rep('ray'), contractArchivedAt(60), undefined, 'cu-w');
    await append('ctr-w3', 'contract', rep('rita'), contractArchivedAt(60), undefined, 'cu-w');
    // cu-x: its ARCHIVED row stored before the case's first rows (the case written with it).
    await append('ctr-x1', 'contract', rep('ray'), contractArchivedAt(50), [2, 0, 1, 3], 'cu-x');
    const firstWins = async () =>
      (
        await pool.query(
          `SELECT customer_id, case_id, rep FROM docket.report_first_wins WHERE customer_id IN ('cu-w', 'cu-x') ORDER BY 1, 2`,
        )
      ).rows;
    expect(await firstWins()).toEqual([
      { customer_id: 'cu-w', case_id: 'ctr-w2', rep: 'ray' },
      { customer_id: 'cu-w', case_id: 'ctr-w3', rep: 'rita' },
      { customer_id: 'cu-x', case_id: 'ctr-x1', rep: 'ray' },
    ]);
    // Archived at 40 h for cu-x (before its first), then moved to cu-w with another rep: cu-x's first
    // is ctr-x1 again, and ctr-w5 is cu-w's.
    await append('ctr-w5', 'contract', (seq) => rep(seq < 3 ? 'rita' : 'sam'), contractArchivedAt(40), [0, 1, 2], 'cu-x');
    expect(await firstWins()).toEqual([
      { customer_id: 'cu-w', case_id: 'ctr-w2', rep: 'ray' },
      { customer_id: 'cu-w', case_id: 'ctr-w3', rep: 'rita' },
      { customer_id: 'cu-x', case_id: 'ctr-w5', rep: 'rita' },
    ]);
    await append('ctr-w5', 'contract', (seq) => rep(seq < 3 ? 'rita' : 'sam'), contractArchivedAt(40), [3], 'cu-w');
    expect(await firstWins()).toEqual([
      { customer_id: 'cu-w', case_id: 'ctr-w5', rep: 'sam' },
      { customer_id: 'cu-x', case_id: 'ctr-x1', rep: 'ray' },
    ]);

    /** A visit opened `hours` after the start. */
    const visitFrom = (hours: number): Step[] => [
      ['xstate.init', 'planning', hours],
      ['ARRIVED', 'onSite', hours + 1],
      ['VISIT_DONE', 'recording', hours + 2],
      ['HANDOVER', 'recording', hours + 3],
    ];
    const visit = (owner: string, visitType = 'new_customer') => ({ owner, visitType });
    await append('vis-w1', 'visit', visit('rita'), visitFrom(10), undefined, 'cu-w');
    // An earlier one (its owner changing), and one as early that becomes a new-customer visit later (a tie).
    await append('vis-w2', 'visit', (seq) => visit(seq < 3 ? 'rita' : 'ray'), visitFrom(5), undefined, 'cu-w');
    await append('vis-w3', 'visit', (seq) => visit('sam', seq < 3 ? 'follow_up' : 'new_customer'), visitFrom(5), [0, 1, 2], 'cu-w');
    const firstLeads = async () =>
      (await pool.query(`SELECT case_id, owner FROM docket.report_first_leads WHERE customer_id = 'cu-w' ORDER BY 1`)).rows;
    expect(await firstLeads()).toEqual([{ case_id: 'vis-w2', owner: 'ray' }]);
    await append('vis-w3', 'visit', (seq) => visit('sam', seq < 3 ? 'follow_up' : 'new_customer'), visitFrom(5), [3], 'cu-w');
    expect(await firstLeads()).toEqual([
      { case_id: 'vis-w2', owner: 'ray' },
      { case_id: 'vis-w3', owner: 'sam' },
    ]);

    await expectKeptAsRebuilt(pool);
    const all = { from: new Date('2025-01-01'), to: new Date('2026-01-01') };
    let answered = 0;
    for (const f of [
      all,
      { from: new Date(start + 45 * 3_600_000), to: new Date(start + 65 * 3_600_000) },
      { from: new Date(start + 6 * 3_600_000), to: new Date(start + 101 * 3_600_000) },
      { from: new Date('2025-05-01'), to: new Date('2025-06-01') },
    ]) {
      answered += await expectSameCounts(pool, f, ['rita', 'ray', 'sam']);
    }
    expect(answered).toBeGreaterThan(20);
  });

  test('percentiles and transitions missed stay exact with ties, one length, no length, empty periods and repeated escalations', async () => {
    // Two more complaints as long as cmp-1 in every state (ties), one appended out of order.
    await append('cmp-4', 'complaint', complaintContext('quality', 3), complaint);
    await append('cmp-5', 'complaint', complaintContext('sales', 5), complaint, [0, 2, 1, 3, 4, 6, 5]);
    // A process with a single stay; a contract approved at once (no turn found: an approval without a length).
    await append('one-1', 'tiny', {}, [
      ['xstate.init', 'a', 0],
      ['GO', 'b', 2.5],
    ]);
    await append('ctr-4', 'contract', { submittedBy: 'rita' }, [
      ['xstate.init', 'draft', 0],
      ['APPROVE', 'approval', 1, approver('legal')],
    ]);
    // The same transition escalated three times: twice at one instant, once a week later; and
    // another escalated on the last day of a month and again on the first of the next.
    await escalate('cmp-4:3:0', 29);
    await escalate('cmp-4:3:1', 29);
    await escalate('cmp-4:3:2', 29 + 7 * 24);
    const monthEnd = (Date.parse('2025-06-01T00:00:00Z') - start) / 3_600_000;
    await escalate('cmp-5:1:0', monthEnd - 0.5);
    await escalate('cmp-5:1:1', monthEnd + 0.5);
    // An escalation removed from the outbox is no longer counted.
    await escalate('cmp-5:4:0', 40);
    await pool.query(`DELETE FROM docket.notification_outbox WHERE id = 'cmp-5:4:0'`);

    const incremental = await kept(pool);
    expect(incremental.escalationRepeats).toEqual([
      expect.objectContaining({ id: 'cmp-2:2:1', prev_at: new Date(start + 4 * 3_600_000) }),
      expect.objectContaining({ id: 'cmp-4:3:1', prev_at: new Date(start + 29 * 3_600_000) }),
      expect.objectContaining({ id: 'cmp-4:3:2', prev_at: new Date(start + 29 * 3_600_000) }),
      expect.objectContaining({ id: 'cmp-5:1:1', prev_at: new Date(Date.parse('2025-06-01T00:00:00Z') - 1_800_000) }),
    ]);
    await pool.query('SELECT docket.rebuild_report_rollups()');
    expect(await kept(pool)).toEqual(incremental);
    await pool.query('SELECT docket.rebuild_report_percentiles()');
    expect(await kept(pool)).toEqual(incremental);

    const h = (hours: number) => new Date(start + hours * 3_600_000);
    const filters: ReportFilter[] = [
      { from: new Date('2025-01-01'), to: new Date('2026-01-01') },
      // whole months with cut ones on either side, whole days with cut ones
      { from: new Date('2025-04-20T13:00:00Z'), to: new Date('2025-06-03T01:00:00Z') },
      { from: h(1), to: h(200) },
      // between the repeated escalations, and from the second of two at one instant
      { from: h(29), to: h(29 + 7 * 24) },
      { from: new Date(h(29).getTime() + 1), to: new Date('2025-07-01') },
      { from: new Date('2025-06-01'), to: new Date('2025-07-01') },
      // nothing in them
      { from: new Date('2030-01-01'), to: new Date('2030-02-01') },
      { from: h(2.75), to: h(2.8) },
    ];
    expect(await expectSame(pool, filters, ['complaint', 'contract', 'tiny', 'nothing'])).toBeGreaterThan(20);
    const year = { from: new Date('2025-01-01'), to: new Date('2026-01-01') };
    // What the reference answers for these: the single stay is its own median; the approval without a turn has none.
    expect(await rows(pool, stateTimesQuery(year, 'tiny'))).toEqual([{ state: 'a', stays: 1, medianHours: 2.5, p90Hours: 2.5 }]);
    expect(await rows(pool, contractApprovalsQuery(year))).toContainEqual({
      level: 'legal',
      approvals: 1,
      medianHours: null,
      p90Hours: null,
    });
    expect(await rows(pool, stateTimesQuery({ from: new Date('2030-01-01'), to: new Date('2030-02-01') }, 'complaint'))).toEqual([]);
    // The transition escalated three times counts once in the year, and once in each week it was escalated in.
    const missed = (await rows(pool, slaQuery({ ...year, groupBy: 'week' }))) as Array<{ state: string; missed: number }>;
    expect(missed.length).toBeGreaterThan(1);
    expect(await rows(pool, slaQuery({ from: h(29), to: h(30) }))).toEqual([
      { period: null, process: 'complaint', state: 'investigating', missed: 2 },
    ]);
  });

  test('an escalation recorded while its transition is being stored is kept once both are in', async () => {
    await append('cmp-3', 'complaint', complaintContext('quality', 5), complaint, [0, 1, 2]);
    const recording = await pool.connect();
    try {
      await recording.query('BEGIN');
      await recordInOutbox(recording, {
        id: 'cmp-3:3:0',
        caseId: 'cmp-3',
        processId: 'complaint',
        kind: 'escalation',
        to: [{ role: 'quality_manager' }],
        template: 'overdue',
        subject: { en: 'Overdue', 'zh-CN': '超时' },
        data: {},
        createdAt: new Date(start + 29 * 3_600_000).toISOString(),
      });
      // The transition's store waits for the escalation's transaction, then sees its row.
      const storing = append('cmp-3', 'complaint', complaintContext('quality', 5), complaint, [3]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await recording.query('COMMIT');
      await storing;
    } finally {
      recording.release();
    }
    const { rows: kept } = await pool.query(`SELECT id, seq, state FROM docket.report_escalations WHERE case_id = 'cmp-3'`);
    expect(kept).toEqual([{ id: 'cmp-3:3:0', seq: 3, state: 'investigating' }]);
  });
});

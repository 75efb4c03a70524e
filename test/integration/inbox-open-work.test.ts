/**
 * Migration 025: docket.open_work follows the case rows (inserted, updated, closed, reopened,
 * deleted) in their transaction, and the open views read through it (actionable, with `mine`,
 * assigned with a delegator, claimable) list exactly what their condition says, in page order, a
 * page at a time: checked against the condition evaluated here on every row, over rows written and
 * changed at random. Definitions without tasks are there three ways: with their version in
 * docket.definition_versions (its assignee field read from it), and without (every string of the
 * context taken for a possible assignee).
 */
import { createHarness, type Harness } from '../helpers/harness';
import { PostgresCaseQueries, type InboxSelection, type VersionFacts } from '../../adapters/postgres/case-query';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('inbox_open_work');
  // Two versions the trigger can read (as drafts: it goes by process, version and hash).
  for (const [process, hash, definition] of [
    ['ow_tasked', 'ow-tasked', { humanTasks: { review: {} } }],
    ['ow_free', 'ow-free', { assigneeField: 'owner' }],
  ] as const) {
    await h.pool.query(
      `INSERT INTO docket.definition_versions (process_id, version, hash, definition, status, created_by) VALUES ($1, 1, $2, $3, 'draft', 'test')`,
      [process, hash, JSON.stringify(definition)],
    );
  }
});
afterAll(async () => {
  await h?.close();
});

const VERSIONS: Array<VersionFacts & { process: string }> = [
  { process: 'ow_tasked', hash: 'ow-tasked', actionableStates: ['s1'], parallel: false, humanTasks: true },
  { process: 'ow_free', hash: 'ow-free', actionableStates: ['s1', 's2'], parallel: false, assigneeField: 'owner', humanTasks: false },
  // Not in docket.definition_versions.
  { process: 'ow_unknown', hash: 'ow-unknown', actionableStates: ['s2'], parallel: false, assigneeField: 'owner', humanTasks: false },
];
const PROCESSES = VERSIONS.map((v) => v.process);
const USERS = ['u1', 'u2', 'u3'];
const ROLES = ['r1', 'r2'];

interface Row {
  case_id: string;
  definition_hash: string;
  state: string;
  status: 'open' | 'completed';
  context: Record<string, unknown>;
  opened_at: string;
  assignees: string[];
  candidate_roles: string[];
  candidate_users: string[];
  actionable_roles: string[] | null;
}

let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const some = (items: readonly string[]) => items.filter(() => random() < 0.3);

function randomColumns(): Omit<Row, 'case_id' | 'definition_hash' | 'opened_at'> {
  const owner = pick([undefined, '', 'u1', 'u2', 'u3', 7]);
  return {
    state: pick(['s1', 's2', 's3']),
    status: random() < 0.8 ? 'open' : 'completed',
    context: { ...(owner !== undefined && { owner }), note: pick(['u1', 'x', '']) },
    assignees: random() < 0.5 ? [] : some(USERS),
    candidate_roles: some(ROLES),
    candidate_users: some(USERS),
    actionable_roles: random() < 0.15 ? null : some(ROLES),
  };
}

/** The views' conditions, evaluated on a row. */
function expected(rows: Row[], inbox: InboxSelection): string[] {
  const facts = new Map(VERSIONS.map((v) => [v.hash, v]));
  const mayAct = (r: Row, onlyUntasked: boolean) => {
    const v = facts.get(r.definition_hash)!;
    if (onlyUntasked && v.humanTasks) return false;
    return r.actionable_roles !== null ? r.actionable_roles.includes(inbox.role) : v.actionableStates.includes(r.state);
  };
  const named = (r: Row) => {
    const v = facts.get(r.definition_hash)!;
    const value = v.assigneeField !== undefined && !v.humanTasks ? r.context[v.assigneeField] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const mine = [inbox.userId, ...(inbox.delegators ?? [])];
  const assigned = (r: Row) => r.assignees.some((u) => mine.includes(u)) || mine.includes(named(r) as string);
  const test = (r: Row): boolean => {
    if (r.status !== 'open') return false;
    switch (inbox.view) {
      case 'actionable':
        return mayAct(r, false) && (!inbox.mine || assigned(r));
      case 'assigned':
        return assigned(r);
      case 'claimable': {
        const candidate = (r.candidate_roles.includes(inbox.role) || r.candidate_users.includes(inbox.userId)) && r.assignees.length === 0;
        const free = [undefined, '', inbox.userId].includes(named(r));
        return candidate || (mayAct(r, true) && free);
      }
      default:
        throw new Error(inbox.view);
    }
  };
  return rows
    .filter(test)
    .sort((a, b) => (a.opened_at === b.opened_at ? (a.case_id < b.case_id ? 1 : -1) : a.opened_at < b.opened_at ? 1 : -1))
    .map((r) => r.case_id);
}

async function readRows(): Promise<Row[]> {
  const { rows } = await h.pool.query<Row>(
    `SELECT case_id, definition_hash, state, status, context, to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS opened_at,
            assignees, candidate_roles, candidate_users, actionable_roles
       FROM docket.cases WHERE process_id = ANY($1)`,
    [PROCESSES],
  );
  return rows;
}

async function checkViews(): Promise<number> {
  const rows = await readRows();
  const queries = new PostgresCaseQueries(h.pool);
  let listed = 0;
  for (const role of ROLES)
    for (const userId of USERS) {
      const selections: InboxSelection[] = [
        { view: 'actionable', userId, role, versions: VERSIONS },
        { view: 'actionable', userId, role, versions: VERSIONS, mine: true, delegators: ['u3'] },
        { view: 'assigned', userId, role, versions: VERSIONS, delegators: userId === 'u1' ? ['u2'] : [] },
        { view: 'claimable', userId, role, versions: VERSIONS },
      ];
      for (const inbox of selections) {
        const want = expected(rows, inbox);
        const got: string[] = [];
        let after: { openedAt: string; caseId: string } | undefined;
        for (;;) {
          const page = await queries.page({ processIds: PROCESSES }, inbox, { limit: 9, ...(after && { after }) });
          expect({ view: inbox.view, mine: inbox.mine, role, userId, total: page.total }).toEqual({
            view: inbox.view,
            mine: inbox.mine,
            role,
            userId,
            total: want.length,
          });
          got.push(...page.cases.map((c) => c.caseId));
          if (!page.next) break;
          after = page.next;
        }
        expect({ view: inbox.view, mine: inbox.mine, role, userId, got }).toEqual({
          view: inbox.view,
          mine: inbox.mine,
          role,
          userId,
          got: want,
        });
        listed += got.length;
      }
    }
  return listed;
}

test('the open views list what their condition says, as the case rows are written, changed, closed and deleted', async () => {
  const insert = async (n: number, from: number) => {
    for (let i = from; i < from + n; i++) {
      const v = pick(VERSIONS);
      const c = randomColumns();
      await h.pool.query(
        `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                                   last_seq, opened_at, updated_at, closed_at, assignees, candidate_roles, candidate_users, cc_users,
                                   actionable_roles)
         VALUES ($1, $2, 1, $3, 'OW', $4, $5, $6, '[]', 1, '2026-01-01T00:00:00Z'::timestamptz - $7 * interval '1 minute', now(), CASE WHEN $5 = 'completed' THEN now() END,
                 $8, $9, $10, '{}', $11)`,
        [
          `ow-${String(i).padStart(4, '0')}`,
          v.process,
          v.hash,
          c.state,
          c.status,
          c.context,
          Math.floor(random() * 60),
          c.assignees,
          c.candidate_roles,
          c.candidate_users,
          c.actionable_roles,
        ],
      );
    }
  };
  await insert(240, 0);
  expect(await checkViews()).toBeGreaterThan(100);

  // Changes of every column the rows are made of, one at a time and several at once.
  const ids = (await readRows()).map((r) => r.case_id);
  for (const id of ids.filter(() => random() < 0.6)) {
    const c = randomColumns();
    const column = pick([
      'state',
      'status',
      'context',
      'assignees',
      'candidate_roles',
      'candidate_users',
      'actionable_roles',
      'all',
    ] as const);
    if (column === 'all') {
      await h.pool.query(
        `UPDATE docket.cases SET state = $2, status = $3, context = $4, assignees = $5, candidate_roles = $6, candidate_users = $7,
                                 actionable_roles = $8, closed_at = CASE WHEN $3 = 'completed' THEN now() END WHERE case_id = $1`,
        [id, c.state, c.status, c.context, c.assignees, c.candidate_roles, c.candidate_users, c.actionable_roles],
      );
    } else {
      const extra = column === 'status' ? `, closed_at = CASE WHEN $2 = 'completed' THEN now() END` : '';
      await h.pool.query(`UPDATE docket.cases SET ${column} = $2${extra} WHERE case_id = $1`, [id, c[column]]);
    }
  }
  await h.pool.query(`DELETE FROM docket.cases WHERE case_id = ANY($1)`, [ids.filter(() => random() < 0.1)]);
  await insert(40, 1000);
  expect(await checkViews()).toBeGreaterThan(100);

  // No row is left of a closed or deleted case.
  const { rows: stale } = await h.pool.query(
    `SELECT w.case_id FROM docket.open_work w LEFT JOIN docket.cases c ON c.case_id = w.case_id
      WHERE c.case_id IS NULL OR c.status <> 'open' OR c.opened_at <> w.opened_at`,
  );
  expect(stale).toEqual([]);
});

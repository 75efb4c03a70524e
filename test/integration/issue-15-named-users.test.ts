/**
 * Fields that name a user (`x-user`): the assignee of a complaint must be an active user holding
 * the handler role. Anything else is refused 422 `UnknownUser` before the event reaches the case,
 * and the case, its history and its log stay as they were; a role that may not send the event is
 * still told `Forbidden` first.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lintDefinition } from '../../engine/lint';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintV1 } from '../helpers/definition-fixtures';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

/** The complaint, its ACCEPT naming the handler as a user who holds the handler role. */
function complaintNamingUsers(): Record<string, any> {
  const d = complaintV1();
  d.events.ACCEPT.payload.properties.assignee['x-user'] = { roles: ['handler'] };
  return d;
}

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-named-users-'));
  writeFileSync(path.join(dir, 'complaint.json'), JSON.stringify(complaintNamingUsers()));
  h = await createHarness('named_users', { definitionsDir: dir });
  api = await startTestApi(h);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.carl = await api.user('carl', ['sales_rep']);
  await api.user('dora', ['handler']);
  const disabled = await api.call('POST', '/users/dora/disable', { token: api.adminToken, role: 'admin' });
  expect(disabled.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

test('an assignee who does not exist, is disabled or lacks the role is refused 422 and nothing changes', async () => {
  const started = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;
  const before = {
    history: (await api.call('GET', `/cases/${caseId}/history`, { token: tokens.amy })).body,
    status: await h.docket.status(caseId),
    rows: (await h.pool.query('SELECT count(*)::int AS n FROM docket.transitions WHERE case_id = $1', [caseId])).rows[0].n,
  };
  const accept = (assignee: string, token = tokens.amy) =>
    api.call('POST', `/cases/${caseId}/events`, { token, body: { type: 'ACCEPT', data: { department: 'Logistics', assignee } } });

  for (const [assignee, why] of [
    ['ghost', 'no active user "ghost"'],
    ['dora', 'no active user "dora"'],
    ['carl', 'user "carl" does not hold the role handler'],
  ] as const) {
    const res = await accept(assignee);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'UnknownUser', issues: [{ path: 'assignee', message: why }] });
  }
  // A role that may not send ACCEPT is told so, whoever it names.
  const forbidden = await accept('ghost', tokens.bob);
  expect(forbidden.status).toBe(403);
  expect(forbidden.body.error.code).toBe('Forbidden');

  expect((await api.call('GET', `/cases/${caseId}/history`, { token: tokens.amy })).body).toEqual(before.history);
  const after = await h.docket.status(caseId);
  expect({ state: after.state, seq: after.seq, context: after.context }).toEqual({
    state: before.status.state,
    seq: before.status.seq,
    context: before.status.context,
  });
  expect((await h.pool.query('SELECT count(*)::int AS n FROM docket.transitions WHERE case_id = $1', [caseId])).rows[0].n).toBe(
    before.rows,
  );

  const ok = await accept('bob');
  expect(ok.status).toBe(200);
  expect(ok.body.state).toBe('investigating');
});

test('the linter names a role of an x-user field that is not in the catalogue', () => {
  const d = complaintNamingUsers();
  d.events.ACCEPT.payload.properties.assignee['x-user'] = { roles: ['handlr'] };
  const result = lintDefinition(d);
  expect(result.ok).toBe(false);
  expect(result.problems).toEqual([
    expect.objectContaining({ code: 'unknown-role', path: 'events.ACCEPT.payload.properties.assignee.x-user.roles[0]' }),
  ]);
  expect(lintDefinition(complaintNamingUsers()).ok).toBe(true);
});

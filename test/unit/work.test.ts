import fc from 'fast-check';
import { allowedEvents, step } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { httpStatusOf } from '../../engine/refusals';
import { taskOperationSchemas, workView } from '../../engine/work';
import { compileWorkReview, WORK_PEOPLE, WorkCase } from '../helpers/work-case';

const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const { agent, h1, h2, boss, m1, gm, legal } = WORK_PEOPLE;
const compiled = compileWorkReview();

/** A case started by ann, approved by max then any gm. */
const newCase = () => new WorkCase(compiled, { customer: 'c1', approvers: [{ user: 'max' }, 'gm'] }, agent.userId, T0);
/** A case in `approving`, its findings submitted by hal. */
function approvingCase(): WorkCase {
  const c = newCase();
  c.ok('task.claim', {}, h1);
  c.ok('SUBMIT_FINDINGS', { findings: 'a broken part' }, h1);
  return c;
}
const task = (c: WorkCase) => workView(compiled, c.snapshot).tasks[0]!;

describe('a task with an assignee', () => {
  it('records the initiator at the start and shows the open task with its candidates', () => {
    const c = newCase();
    expect(workView(compiled, c.snapshot)).toEqual({
      initiator: 'ann',
      cc: [],
      tasks: [
        {
          state: 'investigating',
          labels: { en: 'Investigate', 'zh-CN': '调查核实' },
          assignee: null,
          candidates: { roles: ['handler'], users: [] },
          assigneeOnly: true,
          operations: ['task.claim', 'task.release', 'task.transfer', 'task.reassign', 'task.remind', 'task.cc', 'task.withdraw'],
        },
      ],
    });
  });

  it('refuses the state events before anyone claims it, saying to claim first', () => {
    const c = newCase();
    const r = c.send('SUBMIT_FINDINGS', { findings: 'x' }, h1);
    expect(r?.code).toBe('NotAssignee');
    expect(r?.message).toContain('claim it first');
    expect(r?.message).toContain('role handler');
    expect(httpStatusOf('NotAssignee')).toBe(403);
  });

  it('lets a candidate claim it and only the assignee act; the open events stay open to all', () => {
    const c = newCase();
    expect(c.send('task.claim', {}, agent)?.code).toBe('OperationNotAllowed');
    c.ok('task.claim', { comment: 'mine' }, h1);
    expect(task(c).assignee).toBe('hal');
    expect(c.snapshot.context.handler).toBe('hal');
    const claimedAgain = c.send('task.claim', {}, h2);
    expect(claimedAgain?.code).toBe('OperationNotAllowed');
    expect(claimedAgain?.message).toContain('already assigned to user "hal"');
    const r = c.send('SUBMIT_FINDINGS', { findings: 'x' }, h2);
    expect(r?.code).toBe('NotAssignee');
    expect(r?.message).toContain('user "hal"');
    c.ok('LOG_CONTACT', { note: 'called' }, agent);
    c.ok('SUBMIT_FINDINGS', { findings: 'x' }, h1);
    expect(c.last.state).toBe('approving');
  });

  it("accepts the assignee's delegate (acting on their behalf)", () => {
    const c = newCase();
    c.ok('task.claim', {}, h1);
    c.ok('SUBMIT_FINDINGS', { findings: 'x' }, { userId: 'hui', role: 'handler', onBehalfOf: 'hal' });
  });

  it('releases back to the candidates (by the assignee only)', () => {
    const c = newCase();
    c.ok('task.claim', {}, h1);
    expect(c.send('task.release', {}, h2)?.code).toBe('OperationNotAllowed');
    c.ok('task.release', {}, h1);
    expect(task(c).assignee).toBeNull();
    c.ok('task.claim', {}, h2);
  });

  it('transfers with a comment, by the assignee only, to another user', () => {
    const c = newCase();
    c.ok('task.claim', {}, h1);
    expect(c.send('task.transfer', { to: 'hui' }, h1)?.code).toBe('ValidationError');
    expect(c.send('task.transfer', { to: 'hui', comment: 'yours' }, h2)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.transfer', { to: 'hal', comment: 'mine' }, h1)?.code).toBe('OperationNotAllowed');
    c.ok('task.transfer', { to: 'hui', comment: 'yours' }, h1);
    expect(task(c).assignee).toBe('hui');
  });

  it('is reassigned by a task manager only', () => {
    const c = newCase();
    const r = c.send('task.reassign', { to: 'hui', comment: 'balance' }, h1);
    expect(r?.code).toBe('OperationNotAllowed');
    expect(r?.message).toContain('service_manager');
    c.ok('task.reassign', { to: 'hui', comment: 'balance' }, boss);
    expect(task(c).assignee).toBe('hui');
  });

  it('refuses an operation the definition does not allow there', () => {
    const c = newCase();
    expect(c.send('task.addApprover', { approver: { user: 'x' }, position: 'after' }, h1)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.return', { to: 'investigating', comment: 'x' }, h1)?.code).toBe('OperationNotAllowed');
    const noClaim = new WorkCase(
      compileWorkReview((d) => {
        d.humanTasks.investigating.claim = false;
      }),
      { customer: 'c', approvers: [] },
      'ann',
      T0,
    );
    expect(noClaim.send('task.claim', {}, h1)?.message).toContain('the definition does not allow it');
    expect(httpStatusOf('OperationNotAllowed')).toBe(409);
  });

  it('lists the operations each actor may perform in allowedEvents', () => {
    const c = newCase();
    expect(allowedEvents(compiled, c.snapshot, 'handler', 'hal')).toEqual(['LOG_CONTACT', 'task.claim', 'task.cc']);
    expect(allowedEvents(compiled, c.snapshot, 'service_manager', 'sam')).toEqual(['task.reassign', 'task.remind', 'task.cc']);
    expect(allowedEvents(compiled, c.snapshot, 'cs_agent', 'ann')).toEqual(['LOG_CONTACT', 'task.remind', 'task.cc', 'task.withdraw']);
    c.ok('task.claim', {}, h1);
    expect(allowedEvents(compiled, c.snapshot, 'handler', 'hal')).toEqual([
      'LOG_CONTACT',
      'SUBMIT_FINDINGS',
      'task.release',
      'task.transfer',
      'task.cc',
    ]);
    expect(allowedEvents(compiled, c.snapshot, 'handler', 'hui')).toEqual(['LOG_CONTACT', 'task.cc']);
  });
});

describe('remind, cc and withdraw', () => {
  it('reminds the assignee at most once per interval, by the initiator or a manager', () => {
    const c = newCase();
    c.ok('task.claim', {}, h1);
    expect(c.send('task.remind', {}, h2)?.code).toBe('OperationNotAllowed');
    const reminded = c.ok('task.remind', { comment: 'please' }, agent);
    expect(reminded.notifications).toEqual([
      expect.objectContaining({
        kind: 'reminder',
        template: 'taskReminder',
        to: [{ userId: 'hal' }],
        data: { state: 'investigating', comment: 'please', by: 'ann' },
      }),
    ]);
    c.now += 59 * 60_000;
    const soon = c.send('task.remind', {}, boss);
    expect(soon?.code).toBe('TooSoon');
    expect(httpStatusOf('TooSoon')).toBe(429);
    c.now += 60_000;
    c.ok('task.remind', {}, boss);
  });

  it('reminds the candidates of an unclaimed task and the approvers whose turn it is', () => {
    const c = newCase();
    expect(c.ok('task.remind', {}, agent).notifications[0]!.to).toEqual([{ role: 'handler' }]);
    const a = approvingCase();
    expect(a.ok('task.remind', {}, agent).notifications[0]!.to).toEqual([{ userId: 'max' }]);
  });

  it('ccs users with a notification, by those who may act or the initiator', () => {
    const c = newCase();
    expect(c.send('task.cc', { users: ['zoe'] }, gm)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.cc', { users: [] }, agent)?.code).toBe('ValidationError');
    const r = c.ok('task.cc', { users: ['zoe', 'yan'], comment: 'fyi' }, agent);
    expect(r.notifications).toEqual([expect.objectContaining({ kind: 'info', to: [{ userId: 'zoe' }, { userId: 'yan' }] })]);
    c.ok('task.cc', { users: ['zoe', 'xia'] }, h1);
    expect(workView(compiled, c.snapshot).cc).toEqual(['zoe', 'yan', 'xia']);
  });

  it('withdraws by the initiator from the allowed states only', () => {
    const c = newCase();
    expect(c.send('task.withdraw', { comment: 'no' }, h1)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.withdraw', {}, agent)?.code).toBe('ValidationError');
    c.ok('task.withdraw', { comment: 'customer called back' }, agent);
    expect(c.last.state).toBe('withdrawn');
    expect(c.last.status).toBe('completed');
    expect(c.send('task.cc', { users: ['zoe'] }, agent)?.code).toBe('CaseClosed');
  });

  it("leaves a definition without people's work as it was: task operations are unknown events", () => {
    const plain = compileWorkReview((d) => {
      delete d.humanTasks;
      delete d.withdrawal;
      delete d.taskManagers;
      d.machine.states.withdrawn = { type: 'final' };
      d.machine.states.investigating.on.WITHDRAW = 'withdrawn';
      d.events.WITHDRAW = { roles: ['cs_agent'], labels: { en: 'Withdraw', 'zh-CN': '撤回' } };
    });
    const c = new WorkCase(plain, { customer: 'c', approvers: [] }, 'ann', T0);
    expect(c.snapshot.context.$work).toBeUndefined();
    expect(c.send('task.claim', {}, h1)?.code).toBe('UnknownEvent');
    c.ok('SUBMIT_FINDINGS', { findings: 'x' }, h2);
    expect(workView(plain, c.snapshot)).toEqual({ tasks: [], initiator: null, cc: [] });
  });
});

describe('approvals', () => {
  it('goes in turn: NotYourTurn for others, each approval a change that stays, the last one moves on', () => {
    const c = approvingCase();
    const r = c.send('APPROVE', {}, gm);
    expect(r?.code).toBe('NotYourTurn');
    expect(r?.message).toContain('user "max"');
    const first = c.ok('APPROVE', {}, m1);
    expect(first.state).toBe('approving');
    expect(first.changed).toBe(true);
    expect(task(c).approval?.current).toBe(1);
    expect(c.send('APPROVE', {}, m1)?.code).toBe('NotYourTurn');
    c.ok('APPROVE', {}, gm);
    expect(c.last.state).toBe('approved');
  });

  it('adds approvers before, after and beside the current one', () => {
    const c = approvingCase();
    expect(c.send('task.addApprover', { approver: { user: 'lei' }, position: 'after' }, gm)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.addApprover', { approver: { role: 'nobody' }, position: 'after' }, m1)?.code).toBe('ValidationError');
    c.ok('task.addApprover', { approver: { user: 'lei' }, position: 'before', comment: 'legal first' }, m1);
    expect(c.send('APPROVE', {}, m1)?.code).toBe('NotYourTurn');
    c.ok('task.addApprover', { approver: { role: 'service_manager' }, position: 'parallel' }, legal);
    c.ok('APPROVE', {}, legal);
    expect(task(c).approval?.current).toBe(0);
    c.ok('APPROVE', {}, boss);
    c.ok('task.addApprover', { approver: { user: 'zed' }, position: 'after' }, m1);
    expect(task(c).approval?.steps.map((s) => s.members)).toEqual([
      [{ user: 'lei' }, { role: 'service_manager' }],
      [{ user: 'max' }],
      [{ user: 'zed' }],
      [{ role: 'gm' }],
    ]);
    c.ok('APPROVE', {}, m1);
    c.ok('APPROVE', {}, { userId: 'zed', role: 'legal' });
    c.ok('APPROVE', {}, gm);
    expect(c.last.state).toBe('approved');
  });

  it('rejects by a current approver only, and returns to an earlier step', () => {
    const c = approvingCase();
    expect(c.send('REJECT', {}, gm)?.code).toBe('NotYourTurn');
    expect(c.send('task.return', { to: 'approving', comment: 'x' }, m1)?.code).toBe('OperationNotAllowed');
    expect(c.send('task.return', { to: 'investigating', comment: 'x' }, gm)?.code).toBe('OperationNotAllowed');
    c.ok('task.return', { to: 'investigating', comment: 'check the serial number' }, m1);
    expect(c.last.state).toBe('investigating');
    expect(task(c).assignee).toBe('hal');
    c.ok('SUBMIT_FINDINGS', { findings: 'y' }, h1);
    expect(task(c).approval?.current).toBe(0);
    c.ok('REJECT', {}, m1);
    expect(c.last.state).toBe('investigating');
  });

  it('the machine itself ignores an approve out of turn (no change), whatever the validator did', () => {
    const c = approvingCase();
    const r = step(compiled, c.snapshot, { type: 'APPROVE', data: {}, actor: gm }, T0);
    expect(r.changed).toBe(false);
    expect(r.state).toBe('approving');
    const op = step(compiled, c.snapshot, { type: 'task.claim', data: {}, actor: gm }, T0);
    expect(op.changed).toBe(false);
  });

  it('finishes exactly when its rule says, in any mode, whatever the order of approvers', () => {
    const users = ['u1', 'u2', 'u3', 'u4'];
    fc.assert(
      fc.property(
        fc.constantFrom('sequence', 'all', 'any'),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom(...users), { maxLength: 12 }),
        (mode, n, attempts) => {
          const approvers = users.slice(0, n);
          const def = compileWorkReview((d) => {
            d.humanTasks.approving.approval.mode = mode;
          });
          const c = new WorkCase(def, { customer: 'c', approvers: approvers.map((user) => ({ user })) }, 'ann', T0);
          c.ok('task.claim', {}, h1);
          c.ok('SUBMIT_FINDINGS', { findings: 'x' }, h1);
          const approved: string[] = [];
          for (const u of attempts) {
            if (c.snapshot.status === 'done') break;
            const refused = c.send('APPROVE', {}, { userId: u, role: 'legal' });
            const turn = approvers.includes(u) && !approved.includes(u) && (mode !== 'sequence' || approvers[approved.length] === u);
            expect(refused === null).toBe(turn);
            if (refused === null) approved.push(u);
            else expect(refused.code).toBe('NotYourTurn');
            const done = mode === 'any' ? approved.length >= 1 : approved.length === approvers.length;
            expect(c.last.state).toBe(done ? 'approved' : 'approving');
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('the data of task operations', () => {
  it('is checked by the exported zod schemas, with refusals naming the field', () => {
    expect(taskOperationSchemas['task.transfer'].safeParse({ to: 'x', comment: ' ' }).success).toBe(false);
    expect(taskOperationSchemas['task.cc'].safeParse({ users: ['a'], extra: 1 }).success).toBe(false);
    const c = newCase();
    const r = checkEvent(compiled, c.snapshot, { type: 'task.addApprover', data: { approver: {}, position: 'sideways' }, actor: h1 }, T0);
    expect(r?.code).toBe('ValidationError');
    expect(r?.message).toContain('data.position');
  });

  it('says what is wrong in words, and keeps a required comment trimmed', () => {
    const transfer = taskOperationSchemas['task.transfer'];
    const blank = transfer.safeParse({ to: 'x', comment: '   ' });
    expect(blank.success || blank.error.issues).toEqual([{ path: ['comment'], message: 'give a comment (it is kept in the case log)' }]);
    const long = transfer.safeParse({ to: 'x', comment: 'y'.repeat(2001) });
    expect(long.success || long.error.issues).toEqual([{ path: ['comment'], message: 'a comment is at most 2000 characters' }]);
    const noUser = transfer.safeParse({ to: '', comment: 'because' });
    expect(noUser.success || noUser.error.issues).toEqual([{ path: ['to'], message: 'name a user id' }]);
    const cc = taskOperationSchemas['task.cc'].safeParse({ users: [] });
    expect(cc.success || cc.error.issues).toEqual([{ path: ['users'], message: 'name at least one user' }]);
    const ok = transfer.safeParse({ to: 'x', comment: '  on leave  ' });
    expect(ok.success && ok.data).toEqual({ to: 'x', comment: 'on leave' });
    const extra = taskOperationSchemas['task.claim'].safeParse({ comment: 'c', priority: 1 });
    expect(extra.success || extra.error.issues[0]?.path).toEqual(['priority']);
    expect(taskOperationSchemas['task.withdraw'].safeParse('not an object').success).toBe(false);
  });
});

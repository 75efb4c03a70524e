/**
 * The tasks panel of a case page: each open task with its assignee, candidates and approval steps
 * (who approved, which step is current), and the operations the caller may perform on it, each
 * in a small dialog (comment, user, position). The engine checks every operation again when sent.
 */
import { useState } from 'preact/hooks';
import { post, newKey } from './api';
import { roleLabel } from './i18n';
import type { MessageKey } from './i18n';
import type { CaseView } from './types';
import { ErrorBox, useApp } from './ui';
import { TASK_OPERATION_LABELS, taskOperationName } from '../../engine/task-operation-names';
import { isTaskOperation, type TaskOperation } from '../../engine/work-types';

type Work = NonNullable<CaseView['work']>;
type Task = Work['tasks'][number];
type Approver = NonNullable<Task['approval']>['steps'][number]['members'][number];

/** Operations whose comment is required (the engine's TaskOperationData). */
const COMMENT_REQUIRED = new Set<TaskOperation>(['task.transfer', 'task.reassign', 'task.return', 'task.withdraw']);

/** Who an approver is, in the user's words. */
function ApproverText({ who }: { who: Approver }) {
  const { lang } = useApp();
  return <>{'user' in who ? who.user : roleLabel(who.role, lang)}</>;
}

/** Whether the caller may perform the operation on the task as far as the page can tell (the engine decides). */
function offered(op: TaskOperation, task: Task, me: string): boolean {
  if (op === 'task.claim') return task.assignee === null;
  if (op === 'task.release' || op === 'task.transfer') return task.assignee === me;
  if (op === 'task.addApprover') return task.approval !== undefined;
  return true;
}

interface Dialog {
  op: TaskOperation;
  task?: Task;
}

function OperationDialog(props: {
  caseId: string;
  dialog: Dialog;
  states: string[];
  stateLabel: (s: string) => string;
  onClose: () => void;
  onDone: (op: TaskOperation) => void;
}) {
  const { t, l } = useApp();
  const { op } = props.dialog;
  const [comment, setComment] = useState('');
  const [to, setTo] = useState(op === 'task.return' ? (props.states[0] ?? '') : '');
  const [kind, setKind] = useState<'user' | 'role'>('user');
  const [approver, setApprover] = useState('');
  const [position, setPosition] = useState<'before' | 'after' | 'parallel'>('after');
  const [users, setUsers] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const needsComment = COMMENT_REQUIRED.has(op);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = { ...(comment.trim() !== '' && { comment: comment.trim() }) };
    if (op === 'task.transfer' || op === 'task.reassign' || op === 'task.return') body.to = to.trim();
    if (op === 'task.addApprover') {
      body.approver = kind === 'user' ? { user: approver.trim() } : { role: approver.trim() };
      body.position = position;
    }
    if (op === 'task.cc') body.users = users.split(/[,\s，]+/).filter(Boolean);
    setBusy(true);
    setError(null);
    try {
      await post(`/cases/${encodeURIComponent(props.caseId)}/tasks/${taskOperationName(op)}`, body, { idempotencyKey: newKey() });
      props.onDone(op);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const id = (name: string) => `task-${taskOperationName(op)}-${name}`;
  return (
    <form
      class="panel event-form task-dialog"
      role="dialog"
      aria-labelledby={id('title')}
      data-operation={op}
      onSubmit={(e) => void submit(e)}
    >
      <h3 id={id('title')}>{l(TASK_OPERATION_LABELS[op], op)}</h3>
      {(op === 'task.transfer' || op === 'task.reassign') && (
        <div class="field">
          <label for={id('to')}>{t('toUser')}</label>
          <input id={id('to')} name="to" required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
      )}
      {op === 'task.return' && (
        <div class="field">
          <label for={id('to')}>{t('toState')}</label>
          <select id={id('to')} name="to" value={to} onChange={(e) => setTo(e.currentTarget.value)}>
            {props.states.map((s) => (
              <option key={s} value={s}>
                {props.stateLabel(s)}
              </option>
            ))}
          </select>
        </div>
      )}
      {op === 'task.addApprover' && (
        <>
          <div class="field">
            <label for={id('kind')}>{t('approverKind')}</label>
            <select id={id('kind')} name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as 'user' | 'role')}>
              <option value="user">{t('approverUser')}</option>
              <option value="role">{t('approverRole')}</option>
            </select>
          </div>
          <div class="field">
            <label for={id('approver')}>{kind === 'user' ? t('approverUserId') : t('role')}</label>
            <input id={id('approver')} name="approver" required value={approver} onInput={(e) => setApprover(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for={id('position')}>{t('position')}</label>
            <select
              id={id('position')}
              name="position"
              value={position}
              onChange={(e) => setPosition(e.currentTarget.value as 'before' | 'after' | 'parallel')}
            >
              <option value="before">{t('positionBefore')}</option>
              <option value="after">{t('positionAfter')}</option>
              <option value="parallel">{t('positionParallel')}</option>
            </select>
          </div>
        </>
      )}
      {op === 'task.cc' && (
        <div class="field">
          <label for={id('users')}>{t('ccUsers')}</label>
          <input id={id('users')} name="users" required value={users} onInput={(e) => setUsers(e.currentTarget.value)} />
        </div>
      )}
      <div class="field">
        <label for={id('comment')}>{t('comment')}</label>
        <textarea
          id={id('comment')}
          name="comment"
          required={needsComment}
          maxLength={2000}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </div>
      <ErrorBox error={error} />
      <div class="event-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {l(TASK_OPERATION_LABELS[op], op)}
        </button>
        <button type="button" onClick={props.onClose}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function ApprovalSteps({ approval }: { approval: NonNullable<Task['approval']> }) {
  const { t, time } = useApp();
  return (
    <ol class="approval-steps">
      {approval.steps.map((step, i) => {
        const mark: MessageKey | undefined = i < approval.current ? 'stepDone' : i === approval.current ? 'stepCurrent' : undefined;
        return (
          <li key={i} class={i === approval.current ? 'current' : i < approval.current ? 'done' : ''} data-step={i}>
            {step.members.map((m, j) => (
              <span key={j}>
                {j > 0 && ', '}
                <ApproverText who={m} />
              </span>
            ))}
            {step.members.length > 1 && <span class="muted"> · {t(step.mode === 'all' ? 'approvalAll' : 'approvalAny')}</span>}
            {mark && <span class="badge small">{t(mark)}</span>}
            {step.approved.map((d) => (
              <div key={`${d.userId}-${d.at}`} class="muted small">
                {t('approvedBy', { who: d.userId })}
                {d.onBehalfOf && <> ({t('onBehalfOf', { user: d.onBehalfOf })})</>} · {time(d.at)}
                {d.comment && <> · “{d.comment}”</>}
              </div>
            ))}
          </li>
        );
      })}
    </ol>
  );
}

/** The case's open tasks and the operations the caller may perform; nothing for a case without tasks. */
export function TasksPanel(props: {
  view: CaseView;
  stateLabel: (s: string) => string;
  /** The states a return may name (the engine refuses one the definition does not allow). */
  states: string[];
  onDone: (notice: string) => void;
}) {
  const { t, l, lang, me } = useApp();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const work = props.view.work;
  if (!work || props.view.status !== 'open') return null;
  const allowed = work.allowedOperations.filter(isTaskOperation);
  const onTasks = new Set(work.tasks.flatMap((task) => task.operations));
  // Operations on the case rather than one task (e.g. withdraw): offered once, below the tasks.
  const caseOps = allowed.filter((op) => !onTasks.has(op));
  const button = (op: TaskOperation, task?: Task) => (
    <button
      key={op}
      data-operation={op}
      class={dialog?.op === op && dialog.task === task ? 'primary' : ''}
      onClick={() => setDialog(dialog?.op === op && dialog.task === task ? null : { op, ...(task && { task }) })}
    >
      {l(TASK_OPERATION_LABELS[op], op)}
    </button>
  );
  return (
    <section class="tasks-panel" data-testid="tasks-panel">
      <h2>{t('tasks')}</h2>
      {work.tasks.length === 0 && <p class="muted">{t('noTasks')}</p>}
      {work.tasks.map((task) => {
        const ops = allowed.filter((op) => task.operations.includes(op) && offered(op, task, me.userId));
        return (
          <div key={task.state} class="panel task" data-task={task.state}>
            <h3>{l(task.labels, props.stateLabel(task.state))}</h3>
            <dl class="task-facts">
              <dt>{t('assignee')}</dt>
              <dd data-testid="task-assignee">{task.assignee ?? <span class="muted">{t('unassigned')}</span>}</dd>
              <dt>{t('candidates')}</dt>
              <dd>{[...task.candidates.roles.map((r) => roleLabel(r, lang)), ...task.candidates.users].join(', ') || '—'}</dd>
            </dl>
            {task.assigneeOnly && <p class="muted small">{t('assigneeOnlyNote')}</p>}
            {task.approval && (
              <>
                <h4>{t('approvalSteps')}</h4>
                <ApprovalSteps approval={task.approval} />
              </>
            )}
            {ops.length > 0 && <div class="event-buttons">{ops.map((op) => button(op, task))}</div>}
          </div>
        );
      })}
      {caseOps.length > 0 && (
        <div class="task-case-ops">
          <h3>{t('caseOperations')}</h3>
          <div class="event-buttons">{caseOps.map((op) => button(op))}</div>
        </div>
      )}
      {dialog && (
        <OperationDialog
          key={`${dialog.op}-${dialog.task?.state ?? ''}-${props.view.seq}`}
          caseId={props.view.caseId}
          dialog={dialog}
          states={props.states}
          stateLabel={props.stateLabel}
          onClose={() => setDialog(null)}
          onDone={(op) => {
            setDialog(null);
            props.onDone(t('operationDone', { operation: l(TASK_OPERATION_LABELS[op], op) }));
          }}
        />
      )}
    </section>
  );
}

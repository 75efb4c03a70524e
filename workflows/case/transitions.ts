/**
 * Takes a step's result into the case: its state, its timers, its invocations, and the row and
 * notifications it queues. Also feeds system events (timers, results) into the machine.
 */
import { actionableRoles } from '../../engine/actionable-roles';
import { step, type StepResult } from '../../engine/step';
import { workView } from '../../engine/work/view';
import { SYSTEM_ACTOR, type Actor, type CaseProjection, type Notification, type TransitionRecord } from '../../engine/types';
import type { Incident } from '../messages';
import { notify, persistTransition, persistTransitionInTask } from './activities';
import { nowIso, type CaseContext } from './context';
import type { EffectQueue } from './effect-queue';
import type { Incidents } from './incidents';
import type { Invocations } from './invocations';
import type { Timers } from './timers';

export type Transitions = ReturnType<typeof createTransitions>;

export function createTransitions(
  c: CaseContext,
  queue: EffectQueue,
  incidents: Incidents,
  timers: () => Timers,
  invocations: () => Invocations,
) {
  /**
   * Takes a step's result: timers, the log row and its effects. Resolves once the row is stored.
   * `inTask`: a human step stores its row within the workflow task (a local activity), so its
   * Update answers without another round trip through the server; other steps use the activity.
   */
  const apply = (
    result: StepResult,
    event: string,
    payload: Record<string, unknown>,
    actor: Actor,
    requestId: string | null,
    inTask = false,
  ): Promise<void> => {
    const fromState = c.seq < 0 ? null : c.state;
    c.snapshot = result.snapshot;
    c.state = result.state;
    c.status = result.status;
    result.cancelTimers.forEach(timers().cancel);
    if (c.status === 'open') result.startTimers.forEach(timers().arm);
    else timers().cancelAll();
    result.stopped.forEach((id) => invocations().stop(id));
    if (!result.changed) return Promise.resolve();

    c.seq += 1;
    if (fromState !== c.state) c.escalated = false;
    if (result.notifications.some((n) => n.kind === 'escalation')) c.escalated = true;
    const at = nowIso();
    c.updatedAt = at;
    // Data for the read model only (inboxes): no new workflow command, so older histories replay unchanged.
    const work = workView(c.compiled, c.snapshot);
    const record: TransitionRecord = {
      caseId: c.caseId,
      seq: c.seq,
      processId: c.processId,
      definitionVersion: c.pinned.definitionVersion,
      definitionHash: c.pinned.definitionHash,
      event,
      payload,
      actor,
      requestId,
      fromState,
      toState: c.state,
      status: c.status,
      at,
      work,
    };
    const projection: CaseProjection = {
      caseId: c.caseId,
      processId: c.processId,
      definitionVersion: c.pinned.definitionVersion,
      definitionHash: c.pinned.definitionHash,
      customerId: c.customerId,
      state: c.state,
      status: c.status,
      context: c.snapshot.context as Record<string, unknown>,
      deadlines: timers().deadlines(),
      lastSeq: c.seq,
      openedAt: c.openedAt,
      updatedAt: at,
      closedAt: c.status === 'completed' ? at : null,
      work,
      actionableRoles: actionableRoles(c.compiled, c.snapshot),
      escalated: c.escalated === true,
    };
    const notifications: Notification[] = result.notifications.map((n, i) => ({
      ...n,
      id: `${c.caseId}:${c.seq}:${i}`,
      caseId: c.caseId,
      processId: c.processId,
      createdAt: at,
    }));
    // Rows are stored strictly in sequence order; notifications follow their row.
    queue.pending += 1;
    const stored = queue.chain.then(async () => {
      const what = `store transition ${record.seq} (${event})`;
      await incidents.effect('persistTransition', record.seq, what, () =>
        inTask
          ? persistTransitionInTask.executeWithOptions({ summary: what }, [{ record, projection, inTask: true }])
          : persistTransition.executeWithOptions({ summary: what }, [{ record, projection }]),
      );
      c.storedSeq = record.seq;
    });
    queue.chain = stored
      .then(() =>
        Promise.all(
          notifications.map((n) => {
            const what = `send the ${n.kind} ${n.template} (${n.id})`;
            return incidents.effect('notify', record.seq, what, () => notify.executeWithOptions({ summary: what }, [n]));
          }),
        ),
      )
      .then(() => {
        queue.pending -= 1;
      });
    if (c.status === 'open') for (const invocation of result.invocations) invocations().invoke(invocation, stored);
    return stored;
  };

  /**
   * Feeds a system event (a timer, a task's or sub-processes' result) into the machine. Should the
   * engine fail on it, an incident opens and a retry feeds the event again.
   */
  const feed = (event: { type: string; output?: unknown }, label: string, payload: Record<string, unknown>, prior?: Incident) => {
    let result: StepResult;
    try {
      result = step(c.compiled, c.snapshot, event, Date.now());
    } catch (err) {
      const incident: Incident = incidents.report(prior, 'transition', null, `apply ${label}`, err, () => {
        incidents.open.delete(incident.id);
        if (c.status === 'open') feed(event, label, payload, incident);
      });
      return;
    }
    if (prior) incidents.resolve(prior);
    void apply(result, label, payload, SYSTEM_ACTOR, null);
  };

  return { apply, feed };
}

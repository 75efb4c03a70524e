/**
 * What a state invokes: an automatic step (a task activity) or sub-process cases (child
 * workflows, one per item), started once the row that entered the state is stored; their
 * result comes back into the machine as `done:<id>`.
 */
import { ApplicationFailure, getExternalWorkflowHandle, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { DONE_PREFIX } from '../../engine/compile';
import type { Invocation } from '../../engine/step';
import { subprocessCaseId, subprocessItems } from '../../engine/subprocess';
import { SYSTEM_ACTOR } from '../../engine/types';
import { unvouched, type ChildCase, type SubprocessDone } from '../messages';
import { runTask } from './activities';
import type { CaseContext } from './context';
import type { EffectQueue } from './effect-queue';
import type { Incidents } from './incidents';

export type Invocations = ReturnType<typeof createInvocations>;

/** `feed` takes a done event into the machine (see transitions.ts). */
export function createInvocations(
  c: CaseContext,
  queue: EffectQueue,
  incidents: Incidents,
  feed: (event: { type: string; output: unknown }, label: string, payload: Record<string, unknown>) => void,
) {
  const { input } = c;
  /** Sub-process cases; the invocations under way (id → generation); how often each invoke ran. */
  const children: ChildCase[] = [...(input.carried?.children ?? [])];
  const active = new Map<string, number>(input.carried?.activeInvokes ?? []);
  const counts = new Map<string, number>(input.carried?.invokeCounts ?? []);

  /** Feeds an invocation's done event into the machine, if that invocation is still the one under way. */
  const finish = (id: string, generation: number, output: Record<string, unknown>) => {
    if (active.get(id) !== generation || c.status !== 'open') return;
    active.delete(id);
    feed({ type: `${DONE_PREFIX}${id}`, output }, `done:${id}`, output);
  };

  const finishSubprocessesIfDone = (id: string) => {
    const generation = active.get(id);
    if (generation === undefined) return;
    const mine = children.filter((child) => child.invokeId === id && child.generation === generation);
    if (mine.some((child) => child.status !== 'completed')) return;
    const items = mine.map((child) => ({ key: child.key, caseId: child.caseId, state: child.state, context: child.context }));
    finish(id, generation, { items });
  };

  return {
    children,

    /** Starts what a state invoked, once the row that entered the state is stored. */
    invoke(invocation: Invocation, stored: Promise<void>) {
      const { id } = invocation;
      const generation = (counts.get(id) ?? 0) + 1;
      counts.set(id, generation);
      active.set(id, generation);
      const now = Date.now();
      if (invocation.kind === 'task') {
        const task = c.compiled.definition.tasks[id]!;
        queue.pendingTasks += 1;
        void stored
          .then(() =>
            incidents.effect('runTask', null, `run the automatic step ${id}`, () =>
              runTask.executeWithOptions({ summary: `run the automatic step ${id}` }, [
                {
                  caseId: c.caseId,
                  invokeId: id,
                  task,
                  context: invocation.context,
                  params: c.compiled.params,
                  guards: c.compiled.definition.guards,
                  now,
                },
              ]),
            ),
          )
          .then((output) => {
            queue.pendingTasks -= 1;
            finish(id, generation, output as unknown as Record<string, unknown>);
          });
        return;
      }
      const spec = c.compiled.definition.subprocesses[id]!;
      const sub = input.subprocessDefinitions?.[spec.process];
      if (!sub)
        throw ApplicationFailure.nonRetryable(
          `sub-process "${spec.process}" was not pinned when the case started; start cases through the Docket client`,
          'InvalidDefinition',
        );
      const items = subprocessItems(c.compiled, id, invocation.context, now);
      const started = items.map((item) => {
        const base = subprocessCaseId(c.caseId, id, item.key);
        const child: ChildCase = {
          invokeId: id,
          generation,
          key: item.key,
          caseId: generation === 1 ? base : `${base}.${generation}`,
          processId: spec.process,
          status: 'open',
        };
        children.push(child);
        return { child, item };
      });
      if (started.length === 0) {
        void stored.then(() => finishSubprocessesIfDone(id));
        return;
      }
      queue.pending += 1;
      queue.chain = queue.chain
        .then(async () => {
          for (const { child, item } of started) {
            await incidents.effect('startChild', null, `start the sub-process case ${child.caseId}`, () =>
              startChild('caseWorkflow', {
                workflowId: child.caseId,
                // The parent follows its sub-processes by their signals, so it may continue-as-new while they run.
                parentClosePolicy: ParentClosePolicy.ABANDON,
                args: [
                  {
                    caseId: child.caseId,
                    definition: sub.definition,
                    definitionVersion: sub.definitionVersion,
                    definitionHash: sub.definitionHash,
                    calendar: c.calendar,
                    input: item.input,
                    startedBy: SYSTEM_ACTOR,
                    requestId: null,
                    ...(input.subprocessDefinitions && { subprocessDefinitions: input.subprocessDefinitions }),
                    parent: { caseId: c.caseId, invokeId: id, key: item.key },
                    ...(input.continueAsNewAfter !== undefined && { continueAsNewAfter: input.continueAsNewAfter }),
                  },
                ],
              }),
            );
            child.started = true;
          }
        })
        .then(() => {
          queue.pending -= 1;
        });
    },

    /** A state with an invoke was left before it was done: its task result is ignored, its open sub-process cases are cancelled. */
    stop(id: string) {
      const generation = active.get(id);
      if (generation === undefined) return;
      active.delete(id);
      for (const child of children.filter((ch) => ch.invokeId === id && ch.generation === generation && ch.status === 'open')) {
        void getExternalWorkflowHandle(child.caseId)
          .cancel()
          .catch(() => undefined);
      }
    },

    /** A sub-process case reports that it finished (only its own worker's report counts). */
    onSubprocessDone(done: SubprocessDone) {
      if (c.vouchedOn && unvouched(done)) return;
      const child = children.find((ch) => ch.caseId === done.caseId && ch.status === 'open');
      if (!child) return;
      child.status = 'completed';
      child.state = done.state;
      child.context = done.context;
      finishSubprocessesIfDone(child.invokeId);
    },

    /** What continue-as-new carries. */
    carried: () =>
      children.length > 0 ? { children, activeInvokes: [...active.entries()], invokeCounts: [...counts.entries()] } : undefined,
  };
}

/**
 * The one generic case workflow: it runs a case on the definition version pinned in its input.
 * This file wires the modules of `./case/` (one concern each) and runs the case to its end or
 * to continue-as-new:
 * - `timers`: `after` delays and case-level timers, due ones first and in due order;
 * - `invocations`: automatic steps and sub-process cases;
 * - `transitions` and `effect-queue`: a step's result, its row and notifications, stored in order;
 * - `incidents`: an effect that fails for good holds the case until an operator retries it;
 * - `actions`: human events (the `sendEvent` Update with its validator), status and signals;
 * - `migration`: a process owner moves the case to another version;
 * - `calendar-adoption`: a newer version of the case's calendar recounts its deadlines.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import { compileShared, sharedCopy } from '../engine/compile';
import { withDefaults } from '../engine/definition-defaults';
import type { Definition } from '../engine/definition-schema';
import { persistSnapshot, restoreSnapshot, startCase, stateToString } from '../engine/step';
import { checkStartInput } from '../engine/check';
import type { CaseStatus } from '../engine/types';
import { createActions } from './case/actions';
import { registerCalendarAdoption } from './case/calendar-adoption';
import { nowIso, type CaseContext } from './case/context';
import { createEffectQueue } from './case/effect-queue';
import { createIncidents } from './case/incidents';
import { createInvocations, type Invocations } from './case/invocations';
import { registerMigration } from './case/migration';
import { createTimers, type Timers } from './case/timers';
import { createTransitions } from './case/transitions';
import { watchVisibility } from './case/visibility';
import { subprocessDoneSignal, UNVOUCHED, unvouched, type CaseWorkflowInput, type SubprocessDone } from './messages';

export interface CaseResult {
  caseId: string;
  state: string;
  status: CaseStatus;
  seq: number;
}

/** Refuses a start that no Docket client made for this case, or whose input cannot be stored. */
function checkStart(c: CaseContext): void {
  const { input } = c;
  if (c.vouchedOn && (unvouched(input) || input.caseId !== workflowInfo().workflowId))
    throw ApplicationFailure.create({
      type: 'Unauthenticated',
      nonRetryable: true,
      message: unvouched(input)
        ? 'this case was not started by Docket: its start carries no valid signature of a Docket client; start cases through the API or the CLI'
        : `this start was made for case "${input.caseId}", not "${workflowInfo().workflowId}"`,
    });
  // A start sent straight to Temporal is checked like one through the client: nothing that cannot be stored gets in.
  const refusal = checkStartInput(c.compiled, input.input, { actor: input.startedBy, requestId: input.requestId, now: Date.now() });
  if (refusal)
    throw ApplicationFailure.create({
      type: refusal.code,
      message: refusal.message,
      nonRetryable: true,
      details: refusal.issues ? [refusal.issues] : [],
    });
}

/**
 * Runs one case on the definition version pinned in its input. Human actions are the
 * `sendEvent` Update (validated before they reach history); `after` delays are durable
 * timers; every applied event is persisted by an activity before the Update returns.
 */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseResult> {
  // The SDK keeps a run's start arguments for the run's whole life: pointing them at one copy per
  // worker of what cases on the same versions carry alike lets each case's own copy go.
  input.definition = sharedCopy(input.definition);
  input.calendar = sharedCopy(input.calendar);
  if (input.subprocessDefinitions) input.subprocessDefinitions = sharedCopy(input.subprocessDefinitions);
  let definition: Definition;
  try {
    definition = withDefaults(input.definition);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`the pinned definition is invalid: ${(err as Error).message}`, 'InvalidDefinition');
  }
  const customer = input.input[definition.customerField];
  // Cases on the same definition and calendar share one compiled definition, and its parsed definition.
  const compiled = compileShared(definition, input.calendar);
  const c: CaseContext = {
    input,
    caseId: input.caseId,
    processId: definition.process,
    customerId: typeof customer === 'string' ? customer : JSON.stringify(customer ?? ''),
    compiled,
    pinned: {
      definition: input.definition,
      definitionVersion: input.definitionVersion,
      definitionHash: input.definitionHash,
      parsed: compiled.definition,
    },
    calendar: input.calendar,
    snapshot: undefined as unknown as AnyMachineSnapshot,
    state: '',
    status: 'open',
    seq: -1,
    storedSeq: input.carried?.seq ?? -1,
    openedAt: '',
    updatedAt: '',
    incidentsOn: patched('effect-incidents'),
    vouchedOn: patched('vouched-actors'),
    persistInTask: patched('persist-in-task'),
  };
  const queue = createEffectQueue();
  const incidents = createIncidents(c, queue);
  // Timers, invocations and transitions feed one another; each is created before anything runs.
  const transitions = createTransitions(
    c,
    queue,
    incidents,
    () => timers,
    () => invocations,
  );
  const timers: Timers = createTimers(c, incidents, transitions.feed);
  const invocations: Invocations = createInvocations(c, queue, incidents, transitions.feed);
  const actions = createActions(c, incidents, timers, invocations, transitions);

  if (input.carried) {
    c.snapshot = restoreSnapshot(c.compiled, input.carried.snapshot);
    c.state = stateToString(c.snapshot.value);
    c.status = c.snapshot.status === 'done' ? 'completed' : 'open';
    c.seq = input.carried.seq;
    c.openedAt = input.carried.openedAt;
    c.updatedAt = input.carried.updatedAt;
    input.carried.timers.forEach((spec) => timers.arm(spec));
  } else {
    checkStart(c);
    c.openedAt = nowIso();
    c.updatedAt = c.openedAt;
    void transitions.apply(
      startCase(c.compiled, input.input, Date.now(), input.startedBy.userId),
      'xstate.init',
      input.input,
      input.startedBy,
      input.requestId,
    );
  }

  watchVisibility(c, { nextDueAt: timers.nextDueAt, openIncidents: () => incidents.open.size });
  actions.register();
  registerMigration(c, incidents, timers, transitions, actions.refuseUnvouched);
  registerCalendarAdoption(c, { incidents, timers, transitions, refuseUnvouched: actions.refuseUnvouched });
  incidents.register(actions.refuseUnvouched);

  const threshold = input.continueAsNewAfter ?? 2000;
  const shouldContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= threshold;
  const idle = () => allHandlersFinished() && queue.pending === 0 && queue.pendingTasks === 0;

  for (;;) {
    await condition(() => c.status === 'completed' || shouldContinue());
    // Let accepted actions and their effects finish before the run ends.
    await condition(idle);
    await queue.chain;
    if (!idle()) continue;
    if (c.status === 'completed') {
      if (input.parent) {
        const done: SubprocessDone = {
          ...input.parent,
          caseId: c.caseId,
          state: c.state,
          context: c.snapshot.context as Record<string, unknown>,
        };
        // The parent may have been closed in the meantime; a finished sub-process case stays finished either way.
        await getExternalWorkflowHandle(input.parent.caseId)
          .signal(subprocessDoneSignal, done)
          .catch(() => undefined);
      }
      return { caseId: c.caseId, state: c.state, status: c.status, seq: c.seq };
    }
    const { [UNVOUCHED]: _unvouched, ...signedInput } = input as CaseWorkflowInput & { [UNVOUCHED]?: boolean };
    const children = invocations.carried();
    return continueAsNew<typeof caseWorkflow>({
      ...signedInput,
      // A migrated case continues on the version it was migrated to.
      ...(c.pinned.definitionHash !== input.definitionHash && {
        definition: c.pinned.definition,
        definitionVersion: c.pinned.definitionVersion,
        definitionHash: c.pinned.definitionHash,
      }),
      // A case that adopted a newer calendar version continues on it.
      ...(c.calendar !== input.calendar && { calendar: c.calendar }),
      carried: {
        snapshot: persistSnapshot(c.compiled, c.snapshot),
        seq: c.seq,
        timers: timers.specs(),
        requests: actions.requests(),
        openedAt: c.openedAt,
        updatedAt: c.updatedAt,
        runs: (input.carried?.runs ?? 0) + 1,
        ...(incidents.count > 0 && { incidentCount: incidents.count }),
        ...children,
      },
    });
  }
}

import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import type { DocketActivities } from '../activities';
import { compileDefinition, DONE_PREFIX, TIMER_PREFIX } from '../engine/compile';
import { withDefaults } from '../engine/definition-defaults';
import type { Definition } from '../engine/definition-schema';
import { migrationStep, planMigration } from '../engine/migration-plan';
import type { RefusalCode } from '../engine/refusals';
import {
  allowedEvents,
  checkEvent,
  checkStartInput,
  persistSnapshot,
  restoreSnapshot,
  startCase,
  stateToString,
  step,
  type StepResult,
  type Invocation,
  type TimerSpec,
} from '../engine/step';
import { subprocessCaseId, subprocessItems } from '../engine/subprocess';
import { SYSTEM_ACTOR, type Actor, type CaseProjection, type CaseStatus, type Notification, type TransitionRecord } from '../engine/types';
import {
  definitionQuery,
  migrateCaseUpdate,
  sendEventUpdate,
  statusQuery,
  subprocessDoneSignal,
  type CaseStatusView,
  type ChildCase,
  type CaseWorkflowInput,
  type EffectKind,
  type Incident,
  type MigrateCaseRequest,
  type MigrateResult,
  type RememberedRequest,
  type RetryIncidentsRequest,
  type RetryIncidentsResult,
  type SendEventRequest,
  type SendResult,
  type SubprocessDone,
  retryIncidentsUpdate,
  UNVOUCHED,
  unvouched,
} from './messages';

const { persistTransition, notify, runTask, recordIncident } = proxyActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** How many request ids a case remembers across continue-as-new. */
const REMEMBERED_REQUESTS = 500;

/** At most this many due timers fire before one event (a bound, should a definition re-arm timers that are due at once). */
const MAX_DUE_TIMERS = 100;

/** The role that retries incidents. */
const OPERATOR_ROLE = 'admin';

/** The error of a failed effect, as an incident shows it. */
function failureOf(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

const byDueTime = (a: TimerSpec, b: TimerSpec) => Date.parse(a.dueAt) - Date.parse(b.dueAt);

export interface CaseResult {
  caseId: string;
  state: string;
  status: CaseStatus;
  seq: number;
}

function fingerprint(req: SendEventRequest): string {
  return JSON.stringify([req.type, req.data ?? {}, req.actor.role]);
}

/** Request ids are the client's, so they are remembered per user. */
function requestKey(req: SendEventRequest): string | undefined {
  return req.requestId === undefined ? undefined : `${req.actor.userId}\u0000${req.requestId}`;
}

/**
 * Runs one case on the definition version pinned in its input. Human actions are
 * the `sendEvent` Update (validated before they reach history); `after` delays
 * are durable timers; every applied event is persisted by an activity before the
 * Update returns.
 */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseResult> {
  let definition: Definition;
  try {
    definition = withDefaults(input.definition);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`the pinned definition is invalid: ${(err as Error).message}`, 'InvalidDefinition');
  }
  let compiled = compileDefinition(definition, input.calendar);
  /** The definition the case runs on: the one it started with until a process owner migrates it. */
  let pinned: { definition: unknown; definitionVersion: number; definitionHash: string; parsed: Definition } = {
    definition: input.definition,
    definitionVersion: input.definitionVersion,
    definitionHash: input.definitionHash,
    parsed: definition,
  };
  const { caseId } = input;
  const processId = definition.process;
  const customer = input.input[definition.customerField];
  const customerId = typeof customer === 'string' ? customer : JSON.stringify(customer ?? '');

  let snapshot!: AnyMachineSnapshot;
  let state!: string;
  let status: CaseStatus = 'open';
  let seq!: number;
  let openedAt!: string;
  let updatedAt!: string;
  const requests = new Map<string, RememberedRequest>(input.carried?.requests ?? []);
  const timers = new Map<string, { spec: TimerSpec; scope: CancellationScope }>();
  let effects: Promise<void> = Promise.resolve();
  let pendingEffects = 0;
  let storedSeq = input.carried?.seq ?? -1;
  /** Sub-process cases; the invocations under way (id → generation); how often each invoke ran. */
  const children: ChildCase[] = [...(input.carried?.children ?? [])];
  const activeInvokes = new Map<string, number>(input.carried?.activeInvokes ?? []);
  const invokeCounts = new Map<string, number>(input.carried?.invokeCounts ?? []);
  let pendingTasks = 0;
  let incidentCount = input.carried?.incidentCount ?? 0;
  /** Open incidents, each with what an operator's retry does. */
  const incidents = new Map<string, { incident: Incident; retry: () => void }>();
  /** Who asked for the retry under way, for the resolved incident's record. */
  let retriedBy: string | undefined;
  // Cases started before incidents existed replay their effects as they ran then.
  const incidentsOn = patched('effect-incidents');
  // Cases started before actors were vouched for replay their unsigned messages as they ran then.
  const vouchedOn = patched('vouched-actors');

  const nowIso = () => new Date(Date.now()).toISOString();

  /** Writes an incident to the operators' list; the case waits for the write like for any effect. */
  let recordingIncidents = 0;
  const recordIncidentRow = (incident: Incident) => {
    pendingEffects += 1;
    recordingIncidents += 1;
    void recordIncident(incident)
      .catch(() => undefined) // the incident stays visible in the case's status
      .then(() => {
        pendingEffects -= 1;
        recordingIncidents -= 1;
      });
  };

  /** Opens an incident for a failed effect, or counts another failure of an open one. */
  const reportIncident = (
    prior: Incident | undefined,
    effect: EffectKind,
    effectSeq: number | null,
    description: string,
    err: unknown,
    retry: () => void,
  ): Incident => {
    const incident: Incident = prior
      ? { ...prior, error: failureOf(err), attempts: prior.attempts + 1 }
      : {
          id: `${caseId}:incident:${(incidentCount += 1)}`,
          caseId,
          processId,
          effect,
          seq: effectSeq,
          description,
          error: failureOf(err),
          attempts: 1,
          openedAt: nowIso(),
        };
    incidents.set(incident.id, { incident, retry });
    recordIncidentRow(incident);
    return incident;
  };

  const resolveIncident = (incident: Incident) => {
    incidents.delete(incident.id);
    recordIncidentRow({ ...incident, resolvedAt: nowIso(), ...(retriedBy !== undefined && { resolvedBy: retriedBy }) });
  };

  /**
   * Runs one effect. A permanent failure (activities retry transient ones themselves) opens an
   * incident, and the effect, with everything queued behind it, waits until an operator retries it.
   */
  const runEffect = async <T>(effect: EffectKind, effectSeq: number | null, description: string, run: () => Promise<T>): Promise<T> => {
    let incident: Incident | undefined;
    for (;;) {
      try {
        const value = await run();
        if (incident) resolveIncident(incident);
        return value;
      } catch (err) {
        if (isCancellation(err)) throw err;
        let retried = false;
        incident = reportIncident(incident, effect, effectSeq, description, err, () => {
          retried = true;
        });
        await condition(() => retried);
      }
    }
  };

  /** Runs an effect, with incidents where the case has them (see `runEffect`). */
  const effect = <T>(kind: EffectKind, effectSeq: number | null, description: string, run: () => Promise<T>): Promise<T> =>
    incidentsOn ? runEffect(kind, effectSeq, description, run) : run();

  /**
   * Feeds a system event (a timer, a task's or sub-processes' result) into the machine. Should the
   * engine fail on it, an incident opens and a retry feeds the event again.
   */
  const feed = (event: { type: string; output?: unknown }, label: string, payload: Record<string, unknown>, prior?: Incident) => {
    let result: StepResult;
    try {
      result = step(compiled, snapshot, event, Date.now());
    } catch (err) {
      const incident: Incident = reportIncident(prior, 'transition', null, `apply ${label}`, err, () => {
        incidents.delete(incident.id);
        if (status === 'open') feed(event, label, payload, incident);
      });
      return;
    }
    if (prior) resolveIncident(prior);
    void apply(result, label, payload, SYSTEM_ACTOR, null);
  };

  const cancelTimer = (id: string) => {
    const timer = timers.get(id);
    if (!timer) return;
    timers.delete(id);
    timer.scope.cancel();
  };

  const armTimer = (spec: TimerSpec) => {
    cancelTimer(spec.id);
    const scope = new CancellationScope();
    timers.set(spec.id, { spec, scope });
    scope
      .run(() => sleep(Math.max(1, Date.parse(spec.dueAt) - Date.now())))
      .then(
        () => {
          // A timer fired early (see fireDueTimers) is gone from the map already.
          if (timers.get(spec.id)?.scope !== scope) return;
          timers.delete(spec.id);
          fireTimer(spec);
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  };

  const fireTimer = (spec: TimerSpec) => {
    if (status !== 'open') return;
    const kind = spec.event.type.startsWith(TIMER_PREFIX) ? 'timer' : 'after';
    feed(spec.event, `${kind}:${spec.delay}`, {});
  };

  /** Timers due at `now`, earliest first (timers due at the same time in the order they were armed). */
  const dueTimers = (now: number): TimerSpec[] =>
    [...timers.values()]
      .map((t) => t.spec)
      .filter((spec) => Date.parse(spec.dueAt) <= now)
      .sort(byDueTime);

  /**
   * Fires every timer that is due before an event is applied, in due order, as if each had run on
   * time: after an outage the event and the timer arrive together, and the deadline comes first.
   * The timer's own sleep fires later and finds nothing to do.
   */
  const fireDueTimers = () => {
    for (let i = 0; i < MAX_DUE_TIMERS && status === 'open' && incidents.size === 0; i++) {
      const [next] = dueTimers(Date.now());
      if (!next) return;
      timers.delete(next.id);
      fireTimer(next);
    }
  };

  /** The snapshot the case will be in once its due timers have fired: what an event is checked against. */
  const snapshotAfterDueTimers = (): AnyMachineSnapshot => {
    const now = Date.now();
    if (dueTimers(now).length === 0) return snapshot;
    let snap = snapshot;
    const pending = new Map([...timers.values()].map(({ spec }) => [spec.id, spec]));
    for (let i = 0; i < MAX_DUE_TIMERS; i++) {
      const [next] = [...pending.values()].filter((spec) => Date.parse(spec.dueAt) <= now).sort(byDueTime);
      if (!next || snap.status !== 'active') break;
      pending.delete(next.id);
      let result: StepResult;
      try {
        result = step(compiled, snap, next.event, now);
      } catch {
        break; // firing it for real opens an incident, and the case then refuses events
      }
      snap = result.snapshot;
      result.cancelTimers.forEach((id) => pending.delete(id));
      for (const spec of result.startTimers) {
        pending.delete(spec.id);
        pending.set(spec.id, spec);
      }
    }
    return snap;
  };

  /** Feeds an invocation's done event into the machine, if that invocation is still the one under way. */
  const finishInvocation = (id: string, generation: number, output: Record<string, unknown>) => {
    if (activeInvokes.get(id) !== generation || status !== 'open') return;
    activeInvokes.delete(id);
    feed({ type: `${DONE_PREFIX}${id}`, output }, `done:${id}`, output);
  };

  const finishSubprocessesIfDone = (id: string) => {
    const generation = activeInvokes.get(id);
    if (generation === undefined) return;
    const mine = children.filter((c) => c.invokeId === id && c.generation === generation);
    if (mine.some((c) => c.status !== 'completed')) return;
    const items = mine.map((c) => ({ key: c.key, caseId: c.caseId, state: c.state, context: c.context }));
    finishInvocation(id, generation, { items });
  };

  /** Starts what a state invoked, once the row that entered the state is stored. */
  const invoke = (invocation: Invocation, stored: Promise<void>) => {
    const { id } = invocation;
    const generation = (invokeCounts.get(id) ?? 0) + 1;
    invokeCounts.set(id, generation);
    activeInvokes.set(id, generation);
    const now = Date.now();
    if (invocation.kind === 'task') {
      const task = compiled.definition.tasks[id]!;
      pendingTasks += 1;
      void stored
        .then(() =>
          effect('runTask', null, `run the automatic step ${id}`, () =>
            runTask({
              caseId,
              invokeId: id,
              task,
              context: invocation.context,
              params: compiled.params,
              guards: compiled.definition.guards,
              now,
            }),
          ),
        )
        .then((output) => {
          pendingTasks -= 1;
          finishInvocation(id, generation, output as unknown as Record<string, unknown>);
        });
      return;
    }
    const spec = compiled.definition.subprocesses[id]!;
    const sub = input.subprocessDefinitions?.[spec.process];
    if (!sub)
      throw ApplicationFailure.nonRetryable(
        `sub-process "${spec.process}" was not pinned when the case started; start cases through the Docket client`,
        'InvalidDefinition',
      );
    const items = subprocessItems(compiled, id, invocation.context, now);
    const started = items.map((item) => {
      const base = subprocessCaseId(caseId, id, item.key);
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
    pendingEffects += 1;
    effects = effects
      .then(async () => {
        for (const { child, item } of started) {
          await effect('startChild', null, `start the sub-process case ${child.caseId}`, () =>
            startChild(caseWorkflow, {
              workflowId: child.caseId,
              // The parent follows its sub-processes by their signals, so it may continue-as-new while they run.
              parentClosePolicy: ParentClosePolicy.ABANDON,
              args: [
                {
                  caseId: child.caseId,
                  definition: sub.definition,
                  definitionVersion: sub.definitionVersion,
                  definitionHash: sub.definitionHash,
                  calendar: input.calendar,
                  input: item.input,
                  startedBy: SYSTEM_ACTOR,
                  requestId: null,
                  ...(input.subprocessDefinitions && { subprocessDefinitions: input.subprocessDefinitions }),
                  parent: { caseId, invokeId: id, key: item.key },
                  ...(input.continueAsNewAfter !== undefined && { continueAsNewAfter: input.continueAsNewAfter }),
                },
              ],
            }),
          );
          child.started = true;
        }
      })
      .then(() => {
        pendingEffects -= 1;
      });
  };

  /** A state with an invoke was left before it was done: its task result is ignored, its open sub-process cases are cancelled. */
  const stopInvocation = (id: string) => {
    const generation = activeInvokes.get(id);
    if (generation === undefined) return;
    activeInvokes.delete(id);
    for (const child of children.filter((c) => c.invokeId === id && c.generation === generation && c.status === 'open')) {
      void getExternalWorkflowHandle(child.caseId)
        .cancel()
        .catch(() => undefined);
    }
  };

  const deadlines = () => [...timers.values()].map(({ spec: { event: _event, ...deadline } }) => deadline);

  /** Takes a step's result: timers, the log row and its effects. Resolves once the row is stored. */
  const apply = (
    result: StepResult,
    event: string,
    payload: Record<string, unknown>,
    actor: Actor,
    requestId: string | null,
  ): Promise<void> => {
    const fromState = seq < 0 ? null : state;
    snapshot = result.snapshot;
    state = result.state;
    status = result.status;
    result.cancelTimers.forEach(cancelTimer);
    if (status === 'open') result.startTimers.forEach(armTimer);
    else [...timers.keys()].forEach(cancelTimer);
    result.stopped.forEach(stopInvocation);
    if (!result.changed) return Promise.resolve();

    seq += 1;
    const at = nowIso();
    updatedAt = at;
    const record: TransitionRecord = {
      caseId,
      seq,
      processId,
      definitionVersion: pinned.definitionVersion,
      definitionHash: pinned.definitionHash,
      event,
      payload,
      actor,
      requestId,
      fromState,
      toState: state,
      status,
      at,
    };
    const projection: CaseProjection = {
      caseId,
      processId,
      definitionVersion: pinned.definitionVersion,
      definitionHash: pinned.definitionHash,
      customerId,
      state,
      status,
      context: snapshot.context as Record<string, unknown>,
      deadlines: deadlines(),
      lastSeq: seq,
      openedAt,
      updatedAt: at,
      closedAt: status === 'completed' ? at : null,
    };
    const notifications: Notification[] = result.notifications.map((n, i) => ({
      ...n,
      id: `${caseId}:${seq}:${i}`,
      caseId,
      processId,
      createdAt: at,
    }));
    // Rows are stored strictly in sequence order; notifications follow their row.
    pendingEffects += 1;
    const stored = effects.then(async () => {
      await effect('persistTransition', record.seq, `store transition ${record.seq} (${event})`, () =>
        persistTransition({ record, projection }),
      );
      storedSeq = record.seq;
    });
    effects = stored
      .then(() =>
        Promise.all(notifications.map((n) => effect('notify', record.seq, `send the ${n.kind} ${n.template} (${n.id})`, () => notify(n)))),
      )
      .then(() => {
        pendingEffects -= 1;
      });
    if (status === 'open') for (const invocation of result.invocations) invoke(invocation, stored);
    return stored;
  };

  if (input.carried) {
    snapshot = restoreSnapshot(compiled, input.carried.snapshot);
    state = stateToString(snapshot.value);
    status = snapshot.status === 'done' ? 'completed' : 'open';
    seq = input.carried.seq;
    openedAt = input.carried.openedAt;
    updatedAt = input.carried.updatedAt;
    input.carried.timers.forEach(armTimer);
  } else {
    if (vouchedOn && (unvouched(input) || input.caseId !== workflowInfo().workflowId))
      throw ApplicationFailure.create({
        type: 'Unauthenticated',
        nonRetryable: true,
        message: unvouched(input)
          ? 'this case was not started by Docket: its start carries no valid signature of a Docket client; start cases through the API or the CLI'
          : `this start was made for case "${input.caseId}", not "${workflowInfo().workflowId}"`,
      });
    // A start sent straight to Temporal is checked like one through the client: nothing that cannot be stored gets in.
    const refusal = checkStartInput(compiled, input.input, { actor: input.startedBy, requestId: input.requestId, now: Date.now() });
    if (refusal)
      throw ApplicationFailure.create({
        type: refusal.code,
        message: refusal.message,
        nonRetryable: true,
        details: refusal.issues ? [refusal.issues] : [],
      });
    seq = -1;
    state = '';
    openedAt = nowIso();
    updatedAt = openedAt;
    void apply(startCase(compiled, input.input, Date.now()), 'xstate.init', input.input, input.startedBy, input.requestId);
  }

  const refuse = (code: RefusalCode, message: string, issues?: unknown): never => {
    throw ApplicationFailure.create({ type: code, message, nonRetryable: true, details: issues === undefined ? [] : [issues] });
  };

  /**
   * An action must come from a Docket client or worker (signed: see security/vouch-codec.ts) and
   * be made for this case. Checked in validators only, so histories from before replay as they ran.
   */
  const refuseUnvouched = (req: { caseId?: string }, what: string) => {
    if (!vouchedOn) return;
    if (unvouched(req))
      refuse(
        'Unauthenticated',
        `${what} carries no valid signature of a Docket client: send it through the API or the CLI, which vouch for the actor`,
      );
    if (req.caseId !== caseId) refuse('Unauthenticated', `${what} was made for case "${String(req.caseId)}", not "${caseId}"`);
  };

  /** While an incident is open the case's effects wait, so it takes no new actions. */
  const refuseDuringIncident = () => {
    const [open] = incidents.values();
    if (open)
      refuse(
        'CaseHasIncident',
        `the case has an open incident (${open.incident.description} failed: ${open.incident.error.message}); it accepts events again once an operator has fixed the cause and retried it (docket incidents retry ${caseId})`,
        [...incidents.values()].map((i) => i.incident),
      );
  };

  /** Waits until transition `target` is stored; fails the action when an incident holds it. */
  const untilStored = async (target: number, what: string) => {
    // An incident is answered once it is on the operators' list too.
    await condition(() => storedSeq >= target || (incidents.size > 0 && recordingIncidents === 0));
    if (storedSeq >= target) return;
    const [open] = incidents.values();
    throw ApplicationFailure.create({
      type: 'IncidentOpened',
      nonRetryable: true,
      message: `${what} was accepted, but ${open!.incident.description} failed for good: ${open!.incident.error.message}; the case shows incident ${open!.incident.id} and goes on once an operator fixes the cause and retries it`,
      details: [open!.incident],
    });
  };

  const check = (req: SendEventRequest) => {
    refuseDuringIncident();
    const key = requestKey(req);
    if (key !== undefined) {
      const prior = requests.get(key);
      if (prior) {
        if (prior.fingerprint !== fingerprint(req))
          refuse('RequestIdReused', `request id "${req.requestId}" was already used for a different event; use a new request id`);
        return prior;
      }
    }
    const refusal = checkEvent(
      compiled,
      snapshotAfterDueTimers(),
      { type: req.type, data: req.data ?? {}, actor: req.actor, requestId: req.requestId ?? null },
      Date.now(),
    );
    if (refusal) refuse(refusal.code, refusal.message, refusal.issues);
    return undefined;
  };

  setHandler(
    sendEventUpdate,
    async (req: SendEventRequest): Promise<SendResult> => {
      if (dueTimers(Date.now()).length > 0 && patched('due-timers-fire-before-events')) fireDueTimers();
      const prior = check(req);
      if (prior) return prior.result; // the first answer, again
      const data = req.data ?? {};
      const result = step(compiled, snapshot, { type: req.type, data, actor: req.actor }, Date.now());
      const stored = apply(result, req.type, data, req.actor, req.requestId ?? null);
      const answer: SendResult = { caseId, seq, state, status };
      const key = requestKey(req);
      if (key !== undefined) {
        requests.set(key, { fingerprint: fingerprint(req), result: answer });
        while (requests.size > REMEMBERED_REQUESTS) requests.delete(requests.keys().next().value as string);
      }
      if (incidentsOn) await untilStored(answer.seq, req.type);
      else await stored;
      return answer;
    },
    {
      validator: (req: SendEventRequest) => {
        refuseUnvouched(req, 'the event');
        check(req);
      },
    },
  );

  setHandler(statusQuery, (role?: string): CaseStatusView => ({
    caseId,
    processId,
    definitionVersion: pinned.definitionVersion,
    definitionHash: pinned.definitionHash,
    state,
    status,
    context: snapshot.context as Record<string, unknown>,
    deadlines: deadlines(),
    allowedEvents: status === 'open' ? allowedEvents(compiled, snapshot, role) : [],
    seq,
    storedSeq,
    children: children.filter((c) => c.started).map(({ context: _context, generation: _generation, started: _started, ...child }) => child),
    ...(input.parent && { parent: input.parent }),
    incidents: [...incidents.values()].map((i) => i.incident),
    openedAt,
    updatedAt,
  }));
  setHandler(subprocessDoneSignal, (done: SubprocessDone) => {
    if (vouchedOn && unvouched(done)) return; // only a sub-process case's own worker reports it done
    const child = children.find((c) => c.caseId === done.caseId && c.status === 'open');
    if (!child) return;
    child.status = 'completed';
    child.state = done.state;
    child.context = done.context;
    finishSubprocessesIfDone(child.invokeId);
  });
  setHandler(definitionQuery, () => pinned.definition);

  const checkMigration = (req: MigrateCaseRequest) => {
    if (req.actor.role !== 'process_owner') refuse('Forbidden', `role "${req.actor.role}" may not migrate cases; it is for process_owner`);
    refuseDuringIncident();
    // The target is a published version: the client took it from the store, where only linted versions are published.
    let target: Definition;
    try {
      target = withDefaults(req.definition);
    } catch (err) {
      return refuse('InvalidDefinition', `the target definition is invalid: ${(err as Error).message}`);
    }
    const plan = planMigration({
      from: pinned.parsed,
      to: target,
      toVersion: req.definitionVersion,
      case: {
        caseId,
        state,
        status,
        context: snapshot.context as Record<string, unknown>,
        definitionVersion: pinned.definitionVersion,
        deadlines: deadlines(),
        ...(req.stateEnteredAt !== undefined && { stateEnteredAt: req.stateEnteredAt }),
      },
      mapping: req.mapping ?? {},
      calendar: input.calendar,
      now: Date.now(),
    });
    if (!plan.ok) {
      const codes = plan.blockers.map((b) => b.code);
      const code = codes.includes('CaseClosed') ? 'CaseClosed' : codes.includes('UnknownState') ? 'UnknownState' : 'MigrationBlocked';
      refuse(code, plan.blockers.map((b) => b.message).join('; '), plan.blockers);
    }
    return { target, plan };
  };

  setHandler(
    migrateCaseUpdate,
    async (req: MigrateCaseRequest): Promise<MigrateResult> => {
      if (dueTimers(Date.now()).length > 0 && patched('due-timers-fire-before-events')) fireDueTimers();
      const { target, plan } = checkMigration(req);
      const fromVersion = pinned.definitionVersion;
      const fromState = state;
      const next = compileDefinition(target, input.calendar);
      [...timers.keys()].forEach(cancelTimer);
      compiled = next;
      pinned = { definition: req.definition, definitionVersion: req.definitionVersion, definitionHash: req.definitionHash, parsed: target };
      const payload = { fromVersion, toVersion: req.definitionVersion, mapping: plan.mapping };
      const stored = apply(migrationStep(compiled, snapshot.context as Record<string, unknown>, plan), 'migrate', payload, req.actor, null);
      const answer: MigrateResult = {
        caseId,
        seq,
        fromVersion,
        toVersion: req.definitionVersion,
        fromState,
        state,
        status,
        deadlines: deadlines(),
      };
      if (incidentsOn) await untilStored(answer.seq, 'the migration');
      else await stored;
      return answer;
    },
    {
      validator: (req: MigrateCaseRequest) => {
        refuseUnvouched(req, 'the migration');
        checkMigration(req);
      },
    },
  );

  const checkRetry = (req: RetryIncidentsRequest) => {
    if (req.actor.role !== OPERATOR_ROLE)
      refuse('Forbidden', `role "${req.actor.role}" may not retry incidents; it is for ${OPERATOR_ROLE}`);
    if (incidents.size === 0) refuse('NoIncident', `case "${caseId}" has no open incident`);
    if (req.incidentId !== undefined && !incidents.has(req.incidentId))
      refuse('NoIncident', `case "${caseId}" has no open incident "${req.incidentId}"; open: ${[...incidents.keys()].join(', ')}`);
  };

  setHandler(
    retryIncidentsUpdate,
    async (req: RetryIncidentsRequest): Promise<RetryIncidentsResult> => {
      checkRetry(req);
      const retried = [...incidents.values()].filter((i) => req.incidentId === undefined || i.incident.id === req.incidentId);
      const attemptsBefore = new Map(retried.map((i) => [i.incident.id, i.incident.attempts]));
      retriedBy = req.actor.userId;
      retried.forEach((i) => i.retry());
      // Each retried effect either succeeds (its incident closes) or fails again (its attempts go up).
      await condition(
        () =>
          recordingIncidents === 0 &&
          [...attemptsBefore].every(([id, attempts]) => !incidents.has(id) || incidents.get(id)!.incident.attempts > attempts),
      );
      return {
        caseId,
        resolved: [...attemptsBefore.keys()].filter((id) => !incidents.has(id)),
        open: [...incidents.values()].map((i) => i.incident),
      };
    },
    {
      validator: (req: RetryIncidentsRequest) => {
        refuseUnvouched(req, 'the retry');
        checkRetry(req);
      },
    },
  );

  const threshold = input.continueAsNewAfter ?? 2000;
  const shouldContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= threshold;

  for (;;) {
    await condition(() => status === 'completed' || shouldContinue());
    // Let accepted actions and their effects finish before the run ends.
    await condition(() => allHandlersFinished() && pendingEffects === 0 && pendingTasks === 0);
    await effects;
    if (!allHandlersFinished() || pendingEffects > 0 || pendingTasks > 0) continue;
    if (status === 'completed') {
      if (input.parent) {
        const done: SubprocessDone = { ...input.parent, caseId, state, context: snapshot.context as Record<string, unknown> };
        // The parent may have been closed in the meantime; a finished sub-process case stays finished either way.
        await getExternalWorkflowHandle(input.parent.caseId)
          .signal(subprocessDoneSignal, done)
          .catch(() => undefined);
      }
      return { caseId, state, status, seq };
    }
    const carriedTimers = [...timers.values()].map((t) => t.spec);
    const { [UNVOUCHED]: _unvouched, ...signedInput } = input as CaseWorkflowInput & { [UNVOUCHED]?: boolean };
    return continueAsNew<typeof caseWorkflow>({
      ...signedInput,
      // A migrated case continues on the version it was migrated to.
      ...(pinned.definitionHash !== input.definitionHash && {
        definition: pinned.definition,
        definitionVersion: pinned.definitionVersion,
        definitionHash: pinned.definitionHash,
      }),
      carried: {
        snapshot: persistSnapshot(compiled, snapshot),
        seq,
        timers: carriedTimers,
        requests: [...requests.entries()],
        openedAt,
        updatedAt,
        runs: (input.carried?.runs ?? 0) + 1,
        ...(incidentCount > 0 && { incidentCount }),
        ...(children.length > 0 && { children, activeInvokes: [...activeInvokes.entries()], invokeCounts: [...invokeCounts.entries()] }),
      },
    });
  }
}

import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { isGrpcServiceError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { CaseStore, DefinitionSource, IncidentFilter, IncidentStore } from '../ports';
import { compileDefinition } from '../engine/compile';
import { withDefaults } from '../engine/definition-defaults';
import type { Definition } from '../engine/definition-schema';
import type { Actor, CalendarData, TransitionRecord } from '../engine/types';
import {
  definitionQuery,
  migrateCaseUpdate,
  adoptCalendarUpdate,
  type AdoptCalendarRequest,
  type AdoptCalendarResult,
  retryIncidentsUpdate,
  sendEventUpdate,
  statusQuery,
  type CaseStatusView,
  type StatusAsker,
  newCaseInput,
  type Incident,
  type MigrateCaseRequest,
  type MigrateResult,
  type PinnedDefinition,
  type RetryIncidentsResult,
  type SendEventRequest,
  type SendResult,
} from '../workflows/messages';
import type { caseWorkflow } from '../workflows/case-workflow';
import type { annotationWorkflow, AnnotationWorkflowInput } from '../workflows/annotation-workflow';
import type { ChainedAnnotation } from '../audit/annotations';
import { WorkflowFailedError } from '@temporalio/client';
import { customerOf, startVisibility } from '../workflows/search-attributes';
import { ownValue } from '../engine/own';
import { describeIssues, isRefusalCode } from '../engine/refusals';
import { storableProblems } from '../engine/storable';
import { checkStartInput } from '../engine/check';
import { canonicalJson } from '../engine/canonical-json';

/** An error with a stable code (see engine/refusals.ts); `refusal` is true when the request was refused and nothing changed. */
export class DocketError extends Error {
  override readonly name = 'DocketError';
  constructor(
    readonly code: string,
    message: string,
    readonly issues?: unknown,
  ) {
    super(message);
  }

  get refusal(): boolean {
    return isRefusalCode(this.code);
  }
}

export interface DocketClientOptions {
  temporal: Client;
  store: CaseStore;
  definitions: DefinitionSource;
  calendar: CalendarData;
  /** The calendar versions: new cases pin the newest (read at each start); without it, `calendar`. */
  calendars?: { current(): Promise<CalendarData> };
  taskQueue: string;
  /** The operators' list of incidents (absent: `incidents()` answers from nothing). */
  incidents?: IncidentStore;
  /** Passed to new cases: continue-as-new after this many history events. */
  continueAsNewAfter?: number;
  /** The customer records: with `requireCustomerRecord`, a case starts only for a customer that has one. */
  customers?: { exists(customerId: string): Promise<boolean> };
  requireCustomerRecord?: boolean;
}

export interface StartCaseOptions {
  /** Starting again with the same request id (by the same user) returns the same case. */
  requestId?: string;
  /**
   * The case's id, when Docket itself names it (a follow-up plan's comes from its customer): letters,
   * digits and `. _ : -` only, never personal data. Starting it again while it runs returns that case;
   * an id whose case has finished is refused (CaseClosed) and never started twice.
   */
  caseId?: string;
}

/** A case id Docket names itself (see `StartCaseOptions.caseId`). */
const OWN_CASE_ID = /^[a-z][a-z0-9_]*-[A-Za-z0-9][A-Za-z0-9._:-]{0,150}$/;

export interface StartedCase {
  caseId: string;
  processId: string;
  definitionVersion: number;
  state: string;
  status: string;
}

/**
 * Refuses (ValidationError, nothing sent) a request with text the database cannot store:
 * the workflow would refuse it too, but the request should not reach Temporal at all.
 */
function refuseUnstorable(request: Record<string, unknown>, what: string): void {
  const problems = storableProblems(request);
  if (problems.length > 0) throw new DocketError('ValidationError', `${what}: ${describeIssues(problems)}`, problems);
}

/** gRPC's NOT_FOUND status code. */
const GRPC_NOT_FOUND = 5;

/** The gRPC status code of a Temporal service error (or of one it wraps), if `err` is one. */
export function grpcStatusOf(err: unknown): number | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    if (isGrpcServiceError(e)) return e.code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps a Temporal failure to a DocketError where it is one of ours: a refusal the workflow threw
 * (an ApplicationFailure whose `type` is the code, itself or as the cause of a failed Update), or a
 * case Temporal does not have. Temporal answers NOT_FOUND both for a workflow that never existed and
 * for an Update to one that finished ("workflow execution already completed"); the SDK reports both as
 * WorkflowNotFoundError, so both map to CaseNotFound here and `send` tells a finished case apart by its
 * stored status.
 */
export function toDocketError(err: unknown, caseId?: string): unknown {
  if (err instanceof DocketError) return err;
  if (err instanceof WorkflowNotFoundError) return new DocketError('CaseNotFound', `no case "${caseId ?? err.workflowId}"`);
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) {
    return new DocketError(cause.type, cause.message, cause.details?.[0]);
  }
  // A service error the SDK left unclassified (it turns NOT_FOUND into WorkflowNotFoundError where it knows the call).
  if (caseId && grpcStatusOf(err) === GRPC_NOT_FOUND) return new DocketError('CaseNotFound', `no case "${caseId}"`);
  return err;
}

/**
 * The one way clients (CLI, HTTP API, UI) drive cases: it starts workflows on the
 * latest definition, sends events as Updates and reads status and history.
 */
export class DocketClient {
  constructor(private readonly opts: DocketClientOptions) {}

  private handle(caseId: string): WorkflowHandle<typeof caseWorkflow> {
    return this.opts.temporal.workflow.getHandle<typeof caseWorkflow>(caseId);
  }

  /** Readiness: resolves when Temporal describes this client's namespace within `timeoutMs`, rejects otherwise. */
  async checkTemporal(timeoutMs: number): Promise<void> {
    const temporal = this.opts.temporal;
    await temporal.withDeadline(Date.now() + timeoutMs, () =>
      temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }),
    );
  }

  /** Refuses (UnknownCustomer) a customer id without a record when records are required. */
  private async refuseUnknownCustomer(customerId: string): Promise<void> {
    const { customers, requireCustomerRecord } = this.opts;
    if (!customers || requireCustomerRecord !== true || (await customers.exists(customerId))) return;
    throw new DocketError(
      'UnknownCustomer',
      `no customer record "${customerId}": create it first (POST /customers, or docket customer create --id ${customerId} --name …), ` +
        'or start with a customer that has one',
    );
  }

  /** Checks the role and input, then starts a case on the latest definition version. */
  async startCase(processId: string, input: Record<string, unknown>, actor: Actor, options: StartCaseOptions = {}): Promise<StartedCase> {
    refuseUnstorable({ process: processId, actor: { userId: actor.userId }, requestId: options.requestId }, 'the case cannot be started');
    if (options.caseId !== undefined && (!OWN_CASE_ID.test(options.caseId) || !options.caseId.startsWith(`${processId}-`)))
      throw new DocketError('ValidationError', `case id "${options.caseId}" is not "${processId}-" and letters, digits, . _ : -`);
    const published = await this.opts.definitions.latest(processId);
    if (!published) {
      const known = (await this.opts.definitions.list()).map((d) => d.processId);
      throw new DocketError('UnknownProcess', `no process "${processId}"; known processes: ${known.join(', ')}`);
    }
    const { definition } = published;
    if (definition.startedBy.length === 0) {
      throw new DocketError(
        'Forbidden',
        `a ${processId} case runs only as a sub-process of another case; start the case of the process that runs it`,
      );
    }
    if (!definition.startedBy.includes(actor.role)) {
      throw new DocketError(
        'Forbidden',
        `role "${actor.role}" may not start a ${processId} case; it is for ${definition.startedBy.join(', ')}`,
      );
    }
    const calendar = this.opts.calendars ? await this.opts.calendars.current() : this.opts.calendar;
    const refusal = checkStartInput(compileDefinition(definition, calendar), input, {
      actor,
      requestId: options.requestId ?? null,
      now: Date.now(),
    });
    if (refusal) throw new DocketError(refusal.code, refusal.message, refusal.issues);
    await this.refuseUnknownCustomer(customerOf(definition, input));
    // Case ids carry no personal data: the process and a random (or request-derived) id.
    const requestKey = options.requestId
      ? createHash('sha256').update(`${actor.userId}\u0000${options.requestId}`).digest('hex').slice(0, 32)
      : undefined;
    const caseId = options.caseId ?? (requestKey ? `${processId}-${requestKey}` : `${processId}-${randomUUID()}`);
    if (requestKey) await this.refuseReusedStart(requestKey, processId, input, options.requestId!);
    const subprocessDefinitions = await this.pinSubprocesses(definition);
    const workflowInput = newCaseInput(caseId, published, calendar, input, actor, options.requestId ?? null, {
      ...(subprocessDefinitions && { subprocessDefinitions }),
      ...(this.opts.continueAsNewAfter !== undefined && { continueAsNewAfter: this.opts.continueAsNewAfter }),
    });
    try {
      await this.opts.temporal.workflow.start('caseWorkflow', {
        workflowId: caseId,
        taskQueue: this.opts.taskQueue,
        args: [workflowInput],
        // What operators see in Temporal (its Web UI, `temporal workflow list --query`); the case keeps it current.
        ...startVisibility(definition, { definitionVersion: published.version, definitionHash: published.hash }, input),
        ...(options.requestId || options.caseId ? { workflowIdConflictPolicy: 'USE_EXISTING' as const } : {}),
        ...(options.caseId ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError && options.caseId)
        throw new DocketError('CaseClosed', `case "${caseId}" has finished; a finished case is never started again`);
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // The same request id after its case finished: answer with that case.
      } else throw toDocketError(err);
    }
    // Answer once the start is in the transition log, so a client that reads the
    // case's history or a search right away finds it.
    let status = await this.status(caseId);
    for (const deadline = Date.now() + 30_000; status.storedSeq < 0 && status.incidents.length === 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await this.status(caseId);
    }
    const [incident] = status.incidents;
    if (status.storedSeq < 0 && incident)
      throw new DocketError(
        'IncidentOpened',
        `case "${caseId}" started, but ${incident.description} failed for good: ${incident.error.message}; the case shows incident ${incident.id} and goes on once an operator fixes the cause and retries it`,
        [incident],
      );
    if (status.storedSeq < 0)
      throw new DocketError('Unavailable', `case "${caseId}" started, but its start is not stored yet: is a worker running?`);
    // A concurrent start with the same request id may have got there first, with another input.
    if (options.requestId) await this.refuseDifferentStart(caseId, processId, input, options.requestId);
    return { caseId, processId, definitionVersion: status.definitionVersion, state: status.state, status: status.status };
  }

  /**
   * Refuses (RequestIdReused, nothing started) a request id this user already started a case with,
   * when the process or the input differ: the case of any process whose id the key derives is looked
   * up, since the key names the user and the request, not the process.
   */
  private async refuseReusedStart(requestKey: string, processId: string, input: Record<string, unknown>, requestId: string): Promise<void> {
    const processes = new Set([processId, ...(await this.opts.definitions.list()).map((d) => d.processId)]);
    for (const p of processes) {
      const caseId = `${p}-${requestKey}`;
      if (await this.opts.store.getCase(caseId)) await this.refuseDifferentStart(caseId, processId, input, requestId);
    }
  }

  /** Compares the stored start of `caseId` (its first transition) with a start of `processId` with `input`. */
  private async refuseDifferentStart(caseId: string, processId: string, input: Record<string, unknown>, requestId: string): Promise<void> {
    const first = (await this.opts.store.listTransitions(caseId))[0];
    if (!first || first.seq !== 0) return;
    const what =
      first.processId !== processId
        ? `a ${first.processId} case (${caseId})`
        : canonicalJson(first.payload) !== canonicalJson(input)
          ? `case ${caseId} with another input`
          : undefined;
    if (what) {
      throw new DocketError(
        'RequestIdReused',
        `request id "${requestId}" already started ${what}; use a new request id for a new case, or send the same start again to get that case`,
      );
    }
  }

  /** The latest published versions of the processes a definition runs as sub-processes, and of theirs. */
  private async pinSubprocesses(definition: Definition): Promise<Record<string, PinnedDefinition> | undefined> {
    const pinned: Record<string, PinnedDefinition> = {};
    const queue = [definition];
    for (let def = queue.shift(); def !== undefined; def = queue.shift()) {
      for (const spec of Object.values(def.subprocesses ?? {})) {
        if (Object.hasOwn(pinned, spec.process)) continue;
        const sub = await this.opts.definitions.latest(spec.process);
        if (!sub)
          throw new DocketError(
            'UnknownProcess',
            `process "${def.process}" runs "${spec.process}" as a sub-process, but no version of "${spec.process}" is published`,
          );
        pinned[spec.process] = { definition: sub.raw, definitionVersion: sub.version, definitionHash: sub.hash };
        queue.push(sub.definition);
      }
    }
    return Object.keys(pinned).length > 0 ? pinned : undefined;
  }

  /**
   * Sends one event to a case; resolves once the transition is stored. An event of a sub-process sent
   * to its parent goes to the sub-process case its routing field names (e.g. `department`).
   */
  async send(caseId: string, request: SendEventRequest): Promise<SendResult> {
    const { type, data, actor, requestId } = request;
    refuseUnstorable({ type, data, actor: { userId: actor.userId }, requestId }, `${JSON.stringify(type)} cannot be sent`);
    try {
      return await this.sendToCase(caseId, request);
    } catch (err) {
      if (err instanceof DocketError && err.code === 'UnknownEvent') return this.route(caseId, request, err);
      throw err;
    }
  }

  private async route(caseId: string, request: SendEventRequest, refusal: DocketError): Promise<SendResult> {
    const status = await this.status(caseId);
    if (status.children.length === 0) throw refusal;
    const parent = withDefaults(await this.caseDefinition(caseId));
    for (const invokeId of [...new Set(status.children.map((c) => c.invokeId))]) {
      const spec = ownValue(parent.subprocesses, invokeId);
      const mine = status.children.filter((c) => c.invokeId === invokeId);
      if (!spec || mine.length === 0) continue;
      const rawChild = await this.caseDefinition(mine[mine.length - 1]!.caseId).catch(() => undefined);
      if (rawChild === undefined) continue;
      const childDefinition = withDefaults(rawChild);
      if (!Object.hasOwn(childDefinition.events, request.type)) continue;
      const key = ownValue(request.data, spec.routeBy);
      const open = mine.filter((c) => c.status === 'open');
      const target = open.find((c) => c.key === key);
      if (target) return this.sendToCase(target.caseId, request);
      const keys = open.map((c) => c.key).join(', ') || 'none';
      if (key === undefined)
        throw new DocketError(
          'ValidationError',
          `${request.type} goes to one of the ${spec.process} sub-processes of case "${caseId}": name it with "${spec.routeBy}" (open: ${keys})`,
          [{ path: spec.routeBy, message: `required: one of ${keys}` }],
        );
      const finished = mine.find((c) => c.key === key);
      if (finished)
        throw new DocketError(
          'CaseClosed',
          `the ${spec.process} sub-process ${JSON.stringify(key)} of case "${caseId}" is finished (case "${finished.caseId}")`,
        );
      throw new DocketError(
        'NotAllowedInState',
        `case "${caseId}" has no open ${spec.process} sub-process ${JSON.stringify(key)}; open: ${keys}`,
      );
    }
    throw refusal;
  }

  private async sendToCase(caseId: string, request: SendEventRequest): Promise<SendResult> {
    try {
      return await this.handle(caseId).executeUpdate(sendEventUpdate, {
        args: [{ ...request, caseId }],
        // Identical retries share an update id, so Temporal itself answers them once; a
        // different event under a used request id reaches the validator and is refused.
        // The id starts with the event type: the Web UI lists every Update as `sendEvent`, by its id.
        updateId: `${request.type.slice(0, 64)}-${
          request.requestId
            ? createHash('sha256')
                .update(JSON.stringify([request.actor.userId, request.actor.role, request.requestId, request.type, request.data ?? {}]))
                .digest('hex')
            : randomUUID()
        }`,
      });
    } catch (err) {
      const mapped = toDocketError(err, caseId);
      if (mapped instanceof DocketError && mapped.code === 'CaseNotFound') {
        // Temporal answers an Update to a finished run as NOT_FOUND; the stored case tells the two apart.
        const finished = await this.opts.store.getCase(caseId);
        if (finished?.status === 'completed') {
          throw new DocketError('CaseClosed', `case "${caseId}" is finished (state "${finished.state}") and accepts no more events`);
        }
      }
      throw mapped;
    }
  }

  /** The live state of a case; `role` narrows the allowed events to what that role may send. */
  async status(caseId: string, role?: string, asker?: StatusAsker): Promise<CaseStatusView> {
    try {
      return await this.handle(caseId).query(statusQuery, role, asker);
    } catch (err) {
      throw toDocketError(err, caseId);
    }
  }

  /** The definition a case runs on (pinned at its start). */
  async caseDefinition(caseId: string): Promise<unknown> {
    try {
      return await this.handle(caseId).query(definitionQuery);
    } catch (err) {
      throw toDocketError(err, caseId);
    }
  }

  /**
   * Moves a running case to another definition version (the `migrateCase` Update); refusals change nothing.
   * The role is checked by the definition lifecycle, which plans the migration, and by the workflow.
   */
  async migrateCase(caseId: string, request: MigrateCaseRequest): Promise<MigrateResult> {
    try {
      return await this.handle(caseId).executeUpdate(migrateCaseUpdate, { args: [{ ...request, caseId }] });
    } catch (err) {
      throw toDocketError(err, caseId);
    }
  }

  /** Tells an open case about a newer version of its calendar: it recounts its running deadlines on it (admin). */
  async adoptCalendar(caseId: string, request: AdoptCalendarRequest): Promise<AdoptCalendarResult> {
    if (request.actor.role !== 'admin')
      throw new DocketError('Forbidden', `role "${request.actor.role}" may not change calendars; it is for admin`);
    try {
      return await this.handle(caseId).executeUpdate(adoptCalendarUpdate, { args: [{ ...request, caseId }] });
    } catch (err) {
      throw toDocketError(err, caseId);
    }
  }

  /** Open incidents (effects of cases that failed for good), oldest first; `caseId` narrows to one case. */
  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    if (this.opts.incidents) return this.opts.incidents.listOpen(filter);
    // Without the store, one case's incidents from its workflow, all on the first page.
    return filter.caseId !== undefined && filter.after === undefined ? (await this.status(filter.caseId)).incidents : [];
  }

  /** Retries a case's open incidents (or one of them) once their cause is fixed: an operator's action. */
  async retryIncidents(caseId: string, actor: Actor, incidentId?: string): Promise<RetryIncidentsResult> {
    if (actor.role !== 'admin') throw new DocketError('Forbidden', `role "${actor.role}" may not retry incidents; it is for admin`);
    try {
      return await this.handle(caseId).executeUpdate(retryIncidentsUpdate, {
        args: [{ caseId, actor, ...(incidentId !== undefined && { incidentId }) }],
      });
    } catch (err) {
      throw toDocketError(err, caseId);
    }
  }

  /**
   * Appends an annotation to a case through a worker (the holder of the audit signing key), which
   * chains and signs it and tells the rep; resolves with the stored annotation. The same request id
   * on the same case appends once. Callers check who may annotate and what.
   */
  async annotate(input: AnnotationWorkflowInput): Promise<ChainedAnnotation> {
    refuseUnstorable({ ...input }, 'the annotation cannot be stored');
    const key = createHash('sha256')
      .update(JSON.stringify([input.actor.userId, input.requestId ?? randomUUID()]))
      .digest('hex')
      .slice(0, 32);
    try {
      return await this.opts.temporal.workflow.execute<typeof annotationWorkflow>('annotationWorkflow', {
        workflowId: `annotation-${input.caseId}-${key}`,
        taskQueue: this.opts.taskQueue,
        args: [input],
        workflowExecutionTimeout: '2 minutes',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        let cause: unknown = err.cause;
        for (let i = 0; i < 3 && cause && !(cause instanceof ApplicationFailure); i++) cause = (cause as { cause?: unknown }).cause;
        if (cause instanceof ApplicationFailure && cause.type) throw new DocketError(cause.type, cause.message);
        throw new DocketError(
          'Unavailable',
          `the annotation of case "${input.caseId}" was not stored: ${err.message}; is a worker running?`,
        );
      }
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new DocketError('RequestIdReused', 'this annotation was already made');
      throw toDocketError(err);
    }
  }

  /** The transition log of a case, oldest first. */
  async history(caseId: string): Promise<TransitionRecord[]> {
    const rows = await this.opts.store.listTransitions(caseId);
    if (rows.length === 0) {
      // Distinguish "no such case" from "not stored yet".
      await this.status(caseId);
    }
    return rows;
  }

  /**
   * The raw Temporal event history of a case's workflow, every run oldest first
   * (a case that continued as new has several), as Temporal's JSON.
   */
  async workflowHistory(caseId: string): Promise<Array<{ runId: string; history: unknown }>> {
    const runs: Array<{ runId: string; history: unknown }> = [];
    try {
      let runId: string | undefined = (await this.handle(caseId).describe()).runId;
      while (runId && runs.length < 1000) {
        const history = await this.opts.temporal.workflow.getHandle(caseId, runId).fetchHistory();
        runs.unshift({ runId, history: JSON.parse(historyToJSON(history)) as unknown });
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      }
    } catch (err) {
      throw toDocketError(err, caseId);
    }
    return runs;
  }

  get store(): CaseStore {
    return this.opts.store;
  }

  get definitions(): DefinitionSource {
    return this.opts.definitions;
  }
}

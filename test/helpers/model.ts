import { TASK_EVENT_PREFIX } from '../../engine/work-types';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getAdjacencyMap, getStateNodes, type AdjacencyMap } from '@xstate/graph';
import type { ActorLogic, AnyMachineSnapshot, AnyStateMachine, StateNode } from 'xstate';
import { compileDefinition, type CompiledDefinition, type MachineEvent } from '../../engine/compile';
import type { Definition } from '../../engine/definition-schema';
import { assertValidDefinition } from '../../engine/lint';
import { WORK_PREFIX } from '../../engine/work/machine';
import { declaresWork, WORK_KEY } from '../../engine/work/model';
import { allowedEvents, startCase, step, type Invocation, type StepResult, type TimerSpec } from '../../engine/step';
import { checkEvent } from '../../engine/check';
import { SYSTEM_ACTOR, type Actor, type CalendarData, type CaseStatus } from '../../engine/types';
import { PROJECT_ROOT } from '../../config';
import type { ModelDriver, SampleContext } from './model-driver';

export const DEFINITIONS_DIR = path.join(PROJECT_ROOT, 'definitions');
export const MODEL_OUTPUT_DIR = path.join(PROJECT_ROOT, 'test-output', 'model-coverage');

/** Where the model starts its clock: a working Monday morning in Asia/Shanghai, so the generated paths never depend on the day the tests run. */
export const MODEL_START = Date.parse('2026-03-02T09:30:00+08:00');

/** Context key the instrumented copy of a machine lists the transitions it took under. */
const TAKEN = '__modelTransitions';
const MARKER_PREFIX = 'modelTransition';

/** Paths longer than this are split (a new path starts from the beginning), so they can run side by side. */
const MAX_PATH_STEPS = 30;
/** Distinct model states explored before the state space counts as unbounded. */
const STATE_LIMIT = 3_000;

/** Every definition file's process name, sorted. */
export function definitionProcesses(): string[] {
  return readdirSync(DEFINITIONS_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A definition file as written. */
export function readDefinitionFile(process: string): unknown {
  return JSON.parse(readFileSync(path.join(DEFINITIONS_DIR, `${process}.json`), 'utf8'));
}

/** A definition file, linted and parsed. */
export function loadDefinition(process: string): Definition {
  return assertValidDefinition(readDefinitionFile(process), `definitions/${process}.json`);
}

/** The driver of a process, from test/definitions/drivers/<process>.ts. */
export function loadDriver(process: string): ModelDriver {
  const file = path.join(PROJECT_ROOT, 'test', 'definitions', 'drivers', `${process}.ts`);
  let mod: { driver?: ModelDriver };
  try {
    mod = require(file) as { driver?: ModelDriver };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (err as Error).message.includes(file))
      throw new Error(
        `process "${process}" has no model driver: write test/definitions/drivers/${process}.ts exporting \`driver\` (start input and sample payloads per event)`,
      );
    throw err;
  }
  if (!mod.driver) throw new Error(`test/definitions/drivers/${process}.ts does not export \`driver\``);
  return mod.driver;
}

// ---------------------------------------------------------------------------------------------
// Transitions of a definition, and an instrumented copy that records which of them it takes.

export type TransitionKind = 'on' | 'after' | 'always' | 'onDone' | 'invoke.onDone' | 'invoke.onError';

/** One transition of the machine: each guarded alternative of an event counts on its own. */
export interface TransitionInfo {
  id: number;
  /** Dotted state path of the node the transition belongs to; `(root)` for the machine itself. */
  source: string;
  kind: TransitionKind;
  /** The event, delay or invoke id it answers to. */
  trigger: string;
  /** Position among the alternatives for the same trigger. */
  index: number;
  guard?: string;
  target?: string;
  label: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const toArray = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function describeGuard(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (isObject(guard) && typeof guard.type === 'string') return guard.type;
  return JSON.stringify(guard);
}

function describeTarget(target: unknown): string | undefined {
  const targets = toArray(target as string | string[] | undefined);
  return targets.length ? targets.join(', ') : undefined;
}

/**
 * Copies a definition with one extra action on every transition (every `on`, `after`,
 * `always`, `onDone` and invoke `onDone`/`onError` alternative) that appends the
 * transition's number to a context list, so a step tells exactly which transitions it took,
 * eventless and internal ones included.
 */
export function instrument(definition: Definition): { definition: Definition; transitions: TransitionInfo[] } {
  const copy = JSON.parse(JSON.stringify(definition)) as Definition;
  const transitions: TransitionInfo[] = [];
  const actions: Json = { ...(copy.actions as Json) };

  const mark = (source: string, kind: TransitionKind, trigger: string, value: unknown): unknown[] =>
    toArray(value as unknown[]).map((raw, index) => {
      const t: Json = typeof raw === 'string' ? { target: raw } : { ...(raw as Json) };
      const id = transitions.length;
      const guard = describeGuard(t.guard);
      const target = describeTarget(t.target);
      const what = kind === 'on' ? trigger : kind === 'after' ? `after ${trigger}` : kind === 'always' ? 'always' : `${trigger} ${kind}`;
      transitions.push({
        id,
        source,
        kind,
        trigger,
        index,
        ...(guard !== undefined && { guard }),
        ...(target !== undefined && { target }),
        label: `${source} —${what}${guard ? ` [${guard}]` : ''}→ ${target ?? '(stays)'}`,
      });
      const marker = `${MARKER_PREFIX}${id}`;
      actions[marker] = { type: 'append', path: TAKEN, value: { id: { value: id } } };
      t.actions = [...toArray(t.actions as unknown[]), marker];
      return t;
    });

  const walk = (node: Json, statePath: string) => {
    const source = statePath || '(root)';
    if (isObject(node.on)) for (const [event, value] of Object.entries(node.on)) node.on[event] = mark(source, 'on', event, value);
    if (isObject(node.after))
      for (const [delay, value] of Object.entries(node.after)) node.after[delay] = mark(source, 'after', delay, value);
    if (node.always !== undefined) node.always = mark(source, 'always', 'always', node.always);
    if (node.onDone !== undefined) node.onDone = mark(source, 'onDone', 'done', node.onDone);
    if (node.invoke !== undefined) {
      node.invoke = toArray(node.invoke as Json[]).map((inv) => {
        const copyInv: Json = { ...inv };
        const name = String(inv.id ?? inv.src);
        if (inv.onDone !== undefined) copyInv.onDone = mark(source, 'invoke.onDone', name, inv.onDone);
        if (inv.onError !== undefined) copyInv.onError = mark(source, 'invoke.onError', name, inv.onError);
        return copyInv;
      });
    }
    if (isObject(node.states))
      for (const [key, child] of Object.entries(node.states)) if (isObject(child)) walk(child, statePath ? `${statePath}.${key}` : key);
  };
  walk(copy.machine, '');
  copy.actions = actions as Definition['actions'];
  return { definition: copy, transitions };
}

/**
 * How many transitions XState itself sees in a machine (a check on `instrument`'s count). What the
 * engine compiles into a definition with people's work (the task operations `task.*`, and the
 * `$work.` guards in front of a task's events) are not the definition's own transitions: they are
 * left out (tested with the engine's work rules).
 */
export function xstateTransitionCount(machine: AnyStateMachine): number {
  const nodes = [machine.root, ...getStateNodes(machine.root)] as Array<StateNode<any, any>>;
  const workGuard = (g: unknown) => typeof g === 'object' && g !== null && String((g as { type?: unknown }).type).startsWith(WORK_PREFIX);
  const own = (ts: Array<{ eventType: string; guard?: unknown }>) =>
    ts.filter((t) => !t.eventType.startsWith(TASK_EVENT_PREFIX) && !workGuard(t.guard)).length;
  return nodes.reduce((n, node) => n + [...node.transitions.values()].reduce((m, ts) => m + own(ts), 0) + (node.always?.length ?? 0), 0);
}

/** The top-level context fields a JSON section of a definition reads (`context.x.y` → `x`). */
function contextFieldsRead(section: unknown, out = new Set<string>()): Set<string> {
  if (typeof section === 'string') {
    const m = /^context\.([A-Za-z0-9_]+)/.exec(section);
    if (m) out.add(m[1]!);
  } else if (Array.isArray(section)) section.forEach((s) => contextFieldsRead(s, out));
  else if (isObject(section)) Object.values(section).forEach((s) => contextFieldsRead(s, out));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model: a case as the workflow runs it (machine, armed deadlines, log sequence), as actor logic.

export type ModelEventKind = 'start' | 'human' | 'timer' | 'done';

export interface ModelEvent {
  type: string;
  kind: ModelEventKind;
  /** The driver sample's label (start, human), the timer id (timer) or the invoke id (done). */
  label: string;
  data?: Record<string, unknown>;
  actor?: Actor;
  input?: Record<string, unknown>;
  output?: unknown;
  timer?: TimerSpec;
  invoke?: Invocation;
}

/** The transition-log row a step writes. */
export interface ExpectedRow {
  seq: number;
  event: string;
  fromState: string | null;
  toState: string;
  actor: Actor;
  status: CaseStatus;
}

export interface ModelState {
  /** Actor-logic snapshot fields (@xstate/graph reads nothing else). */
  status: 'active' | 'done';
  output: undefined;
  error: undefined;
  started: boolean;
  snapshot: AnyMachineSnapshot | undefined;
  /** The same case on the instrumented machine. */
  probe: AnyMachineSnapshot | undefined;
  /** Workflow time, epoch ms. */
  now: number;
  state: string;
  caseStatus: CaseStatus;
  /** Seq of the last log row (-1 before the start). */
  seq: number;
  /** Armed deadlines, in the order the workflow armed them. */
  timers: TimerSpec[];
  /** Tasks and sub-process sets under way (invoked, not yet done, their state not left), as the workflow tracks them. */
  running: Invocation[];
  /** The transitions the step that led here took. */
  taken: number[];
  /** The log row the step that led here wrote (none when the step changed nothing). */
  row?: ExpectedRow;
}

/** The log-row event name of a deadline firing: `after:<delay>` for an `after`, `timer:<delay>` for a started timer. */
export function timerLogEvent(spec: TimerSpec): string {
  if (spec.event.type.startsWith('timer.')) return `timer:${spec.event.type.slice('timer.'.length)}`;
  return `after:${spec.delay}`;
}

/** The log-row event name of a finished task or set of sub-processes. */
export function doneLogEvent(invokeId: string): string {
  return `done:${invokeId}`;
}

const timerOrder = (timers: TimerSpec[]): TimerSpec[] =>
  timers
    .map((t, i) => ({ t, i }))
    .sort((a, b) => Date.parse(a.t.dueAt) - Date.parse(b.t.dueAt) || a.i - b.i)
    .map(({ t }) => t);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Instants in the state key only say that they are there: their value changes with every step's
 * time and would make the model endless. What a guard compares them with (a deadline) is in the key
 * through the armed deadlines, and replaying each path checks that nothing else depended on them.
 */
function abstractTimes(value: unknown): unknown {
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return '(instant)';
  if (Array.isArray(value)) return value.map(abstractTimes);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abstractTimes(v)]));
  return value;
}

function withoutTaken(context: Record<string, unknown>): Record<string, unknown> {
  const { [TAKEN]: _taken, ...rest } = context;
  return rest;
}

export class ProcessModel {
  readonly compiled: CompiledDefinition;
  readonly probe: CompiledDefinition;
  readonly transitions: TransitionInfo[];
  readonly keyFields: string[];

  constructor(
    readonly definition: Definition,
    readonly calendar: CalendarData,
    readonly driver: ModelDriver,
    readonly startAt = MODEL_START,
  ) {
    this.compiled = compileDefinition(definition, calendar);
    const instrumented = instrument(definition);
    this.probe = compileDefinition(instrumented.definition, calendar);
    this.transitions = instrumented.transitions;
    const seen = xstateTransitionCount(this.compiled.machine);
    if (seen !== this.transitions.length)
      throw new Error(`${this.process}: XState sees ${seen} transitions but the model counted ${this.transitions.length}`);
    // People's work reads its bookkeeping (approval steps, reminders) and the assignees its tasks name.
    const work = declaresWork(definition) ? [WORK_KEY, ...Object.values(definition.humanTasks ?? {}).flatMap((t) => t.assignee ?? [])] : [];
    this.keyFields = [
      ...contextFieldsRead([definition.guards, (definition as Json).tasks, (definition as Json).subprocesses, work]),
      ...(work.length ? [WORK_KEY] : []),
    ].sort();
  }

  get process(): string {
    return this.definition.process;
  }

  initial(): ModelState {
    return {
      status: 'active',
      output: undefined,
      error: undefined,
      started: false,
      snapshot: undefined,
      probe: undefined,
      now: this.startAt,
      state: '',
      caseStatus: 'open',
      seq: -1,
      timers: [],
      running: [],
      taken: [],
    };
  }

  sampleContext(s: { now: number; state: string; context: Record<string, unknown> }): SampleContext {
    return { now: s.now, state: s.state, context: s.context, params: this.compiled.params, calendar: this.calendar };
  }

  private contextOf(s: ModelState): Record<string, unknown> {
    return (s.snapshot?.context ?? {}) as Record<string, unknown>;
  }

  /** The part of the context that tells model states apart. */
  stateKey(context: Record<string, unknown>): unknown {
    if (this.driver.stateKey) return this.driver.stateKey(context);
    return Object.fromEntries(this.keyFields.map((k) => [k, abstractTimes(context[k] ?? null)]));
  }

  serialize(s: ModelState): string {
    if (!s.started) return '(not started)';
    const timers = timerOrder(s.timers).map((t) => `${t.id}${Date.parse(t.dueAt) <= s.now ? ' (due)' : ''}`);
    const running = s.running.map((r) => `${r.id} ${JSON.stringify(this.stateKey(r.context))}`);
    return JSON.stringify([s.state, s.caseStatus, this.stateKey(this.contextOf(s)), timers, running]);
  }

  /** The events that can happen next, as the runtime would see them. */
  events(s: ModelState): ModelEvent[] {
    if (!s.started) return this.startEvents();
    if (s.caseStatus === 'completed') return [];
    const ordered = timerOrder(s.timers);
    const fire = (t: TimerSpec): ModelEvent => ({ type: t.event.type, kind: 'timer', label: t.id, timer: t });
    // A deadline already due fires at once, before anyone can act.
    if (ordered[0] && Date.parse(ordered[0].dueAt) <= s.now) return [fire(ordered[0])];
    const ctx = this.sampleContext({ now: s.now, state: s.state, context: this.contextOf(s) });
    const done = (inv: Invocation): ModelEvent => ({
      type: `xstate.done.actor.${inv.id}`,
      kind: 'done',
      label: inv.id,
      // What the task checks, and what the sub-processes are started from, is the context when it was invoked.
      output: this.invokeOutput(inv, this.sampleContext({ now: s.now, state: s.state, context: inv.context })),
      invoke: inv,
    });
    // An automatic task runs by itself right after its state is entered.
    const task = s.running.find((inv) => inv.kind === 'task');
    if (task) return [done(task)];
    const events: ModelEvent[] = [...this.humanEvents(s, ctx)];
    if (ordered[0]) events.push(fire(ordered[0]));
    for (const inv of s.running) events.push(done(inv));
    return events;
  }

  private invokeOutput(inv: Invocation, ctx: SampleContext): unknown {
    if (inv.kind === 'task') {
      const task = this.driver.tasks?.[inv.id];
      if (!task) throw new Error(`the ${this.process} driver has no \`tasks.${inv.id}\`: give the output the automatic task produces`);
      return task(ctx);
    }
    const sub = this.driver.subprocesses?.[inv.id];
    if (!sub)
      throw new Error(`the ${this.process} driver has no \`subprocesses.${inv.id}\`: give the children's output and how to complete them`);
    return sub.output(ctx);
  }

  private startEvents(): ModelEvent[] {
    const ctx = this.sampleContext({ now: this.startAt, state: '', context: {} });
    const samples = this.driver.start(ctx);
    if (samples.length === 0) throw new Error(`the ${this.process} driver gives no start input`);
    return samples.map((sample) => {
      // A process no role may start runs as a sub-process: its parent case starts it as the system.
      const allowed = this.definition.startedBy.length === 0 ? [SYSTEM_ACTOR.role] : this.definition.startedBy;
      if (!allowed.includes(sample.actor.role))
        throw new Error(
          `${this.process} driver, start "${sample.label}": role "${sample.actor.role}" may not start a case (it may: ${allowed.join(', ')})`,
        );
      const parsed = this.compiled.inputSchema.safeParse(sample.input);
      if (!parsed.success)
        throw new Error(`${this.process} driver, start "${sample.label}": the input is invalid: ${parsed.error.message}`);
      return { type: 'xstate.init', kind: 'start', label: sample.label, input: sample.input, actor: sample.actor };
    });
  }

  private humanEvents(s: ModelState, ctx: SampleContext): ModelEvent[] {
    const snapshot = s.snapshot!;
    const events: ModelEvent[] = [];
    for (const type of allowedEvents(this.compiled, snapshot, undefined)) {
      const samplesOf = this.driver.events[type];
      if (!samplesOf) throw new Error(`the ${this.process} driver has no samples for ${type} (accepted in state "${s.state}")`);
      const samples = samplesOf(ctx);
      if (samples.length === 0) throw new Error(`the ${this.process} driver gives no sample for ${type} in state "${s.state}"`);
      for (const sample of samples) {
        const where = `${this.process} driver, ${type} "${sample.label}"`;
        const roles = this.definition.events[type]!.roles;
        if (!roles.includes(sample.actor.role))
          throw new Error(`${where}: role "${sample.actor.role}" may not send ${type} (roles: ${roles.join(', ')})`);
        const parsed = this.compiled.payloadSchemas.get(type)!.safeParse(sample.data);
        if (!parsed.success) throw new Error(`${where}: the payload fails the event's schema: ${parsed.error.message}`);
        // A sample whose guard does not hold here is refused by the workflow: no transition to explore.
        if (checkEvent(this.compiled, snapshot, { type, data: sample.data, actor: sample.actor }, s.now) !== null) continue;
        events.push({ type, kind: 'human', label: sample.label, data: sample.data, actor: sample.actor });
      }
    }
    return events;
  }

  /** Applies one event the way the workflow does: the step, its timers, its log row. */
  apply(s: ModelState, event: ModelEvent): ModelState {
    if (event.kind === 'start') {
      // The user who starts the case is its initiator (people's work keeps them), as in the workflow.
      const real = startCase(this.compiled, event.input!, s.now, event.actor!.userId);
      const probe = startCase(this.probe, event.input!, s.now, event.actor!.userId);
      return this.next(s, real, probe, 'xstate.init', event.actor!, s.now);
    }
    if (!s.snapshot || !s.probe) throw new Error('the case is not started');
    let now = s.now;
    let timers = s.timers;
    let running = s.running;
    let machineEvent: MachineEvent & { output?: unknown };
    let logEvent: string;
    let actor: Actor = SYSTEM_ACTOR;
    switch (event.kind) {
      case 'human':
        machineEvent = { type: event.type, data: event.data ?? {}, actor: event.actor! };
        logEvent = event.type;
        actor = event.actor!;
        break;
      case 'timer':
        now = Math.max(now, Date.parse(event.timer!.dueAt));
        timers = timers.filter((t) => t.id !== event.timer!.id);
        machineEvent = { type: event.timer!.event.type };
        logEvent = timerLogEvent(event.timer!);
        break;
      case 'done':
        running = running.filter((r) => r.id !== event.invoke!.id);
        machineEvent = { type: event.type, output: event.output };
        logEvent = doneLogEvent(event.invoke!.id);
        break;
    }
    const real = step(this.compiled, s.snapshot, machineEvent, now);
    const probe = step(this.probe, s.probe, machineEvent, now);
    return this.next({ ...s, timers, running }, real, probe, logEvent, actor, now);
  }

  private next(s: ModelState, real: StepResult, probe: StepResult, logEvent: string, actor: Actor, now: number): ModelState {
    const realContext = real.snapshot.context as Record<string, unknown>;
    const probeContext = probe.snapshot.context as Record<string, unknown>;
    if (JSON.stringify(real.snapshot.value) !== JSON.stringify(probe.snapshot.value))
      throw new Error(`${this.process}: the instrumented machine reached ${probe.state}, the definition ${real.state}`);
    if (JSON.stringify(withoutTaken(probeContext)) !== JSON.stringify(realContext))
      throw new Error(`${this.process}: the instrumented machine's context differs from the definition's in state ${real.state}`);
    const before = s.probe ? (((s.probe.context as Record<string, unknown>)[TAKEN] as Array<{ id: number }> | undefined)?.length ?? 0) : 0;
    const taken = ((probeContext[TAKEN] as Array<{ id: number }> | undefined) ?? []).slice(before).map((t) => t.id);

    // The workflow's bookkeeping: cancel, then arm (re-arming an id replaces it); a finished case has none.
    let timers = s.timers.filter((t) => !real.cancelTimers.includes(t.id));
    if (real.status === 'open') {
      for (const spec of real.startTimers) timers = [...timers.filter((t) => t.id !== spec.id), spec];
    } else timers = [];

    // Leaving a state stops what it invoked; entering one starts it (only in an open case).
    let running = s.running.filter((r) => !real.stopped.includes(r.id));
    if (real.status === 'open') for (const inv of real.invocations) running = [...running.filter((r) => r.id !== inv.id), inv];
    else running = [];

    const changed = real.changed;
    const seq = changed ? s.seq + 1 : s.seq;
    return {
      status: real.status === 'completed' ? 'done' : 'active',
      output: undefined,
      error: undefined,
      started: true,
      snapshot: real.snapshot,
      probe: probe.snapshot,
      now,
      state: real.state,
      caseStatus: real.status,
      seq,
      timers,
      running,
      taken,
      ...(changed && {
        row: { seq, event: logEvent, fromState: s.started ? s.state : null, toState: real.state, actor, status: real.status },
      }),
    };
  }

  /** The model as actor logic, for @xstate/graph. */
  logic(): ActorLogic<ModelState & { context: undefined }, ModelEvent & { type: string }, undefined> {
    const initial = this.initial();
    return {
      config: this.definition,
      transition: (s: ModelState, event: ModelEvent) => this.apply(s, event),
      getInitialSnapshot: () => initial,
      getPersistedSnapshot: (s: ModelState) => s,
    } as unknown as ActorLogic<ModelState & { context: undefined }, ModelEvent & { type: string }, undefined>;
  }

  serializeEvent(e: ModelEvent): string {
    return `${e.kind}:${e.type}:${e.label}`;
  }

  /** Every model state reachable from the start, with the events between them (@xstate/graph's adjacency map). */
  explore(): AdjacencyMap<ModelState, ModelEvent> {
    const seen = new Set<string>();
    try {
      return getAdjacencyMap(this.logic(), {
        serializeState: (s) => {
          const key = this.serialize(s);
          seen.add(key);
          if (seen.size > STATE_LIMIT) throw new Error('Traversal limit exceeded');
          return key;
        },
        serializeEvent: (e) => this.serializeEvent(e),
        events: (s) => this.events(s),
      });
    } catch (err) {
      if (/Traversal limit exceeded/.test((err as Error).message))
        throw new Error(
          `${this.process}: more than ${STATE_LIMIT} model states; a context field in the state key (${this.keyFields.join(', ') || 'none'}) grows without bound: give the driver a \`stateKey\``,
        );
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Paths that together take every transition.

export interface ModelStep {
  event: ModelEvent;
  /** The model state after the event. */
  state: ModelState;
}

export interface ModelPath {
  process: string;
  /** `P1`, `P2`, … in the order they were generated. */
  name: string;
  /** True when the path lets a deadline fire (it needs time skipping, so it runs alone). */
  timed: boolean;
  steps: ModelStep[];
}

export interface Coverage {
  process: string;
  version: number;
  transitions: TransitionInfo[];
  /** Transition id → where a path takes it first. */
  coveredBy: Map<number, { path: string; step: number }>;
  missing: TransitionInfo[];
  paths: ModelPath[];
  states: number;
  edges: number;
}

interface Edge {
  to: string;
  event: ModelEvent;
  state: ModelState;
}

/**
 * Runs a route through the adjacency map again from the start. The map keeps one model state per
 * state key, so an edge leaving a state reached through a loop was computed from the first visit
 * (another seq, time, context); replaying gives every step its true state, and checks that the
 * state key is fine enough: the replay must reach the same keys and take the same transitions.
 */
function replay(model: ProcessModel, route: Edge[]): ModelStep[] {
  let s = model.initial();
  return route.map((edge, i) => {
    const wanted = model.serializeEvent(edge.event);
    const event = model.events(s).find((e) => model.serializeEvent(e) === wanted);
    if (!event) throw new Error(`${model.process}: step ${i + 1} (${wanted}) is not possible when the route is replayed from the start`);
    const next = model.apply(s, event);
    if (model.serialize(next) !== edge.to || next.taken.join() !== edge.state.taken.join())
      throw new Error(
        `${model.process}: replaying step ${i + 1} (${wanted}) reached ${model.serialize(next)} taking [${next.taken.join()}], ` +
          `the model map says ${edge.to} taking [${edge.state.taken.join()}]: the state key misses something a guard or deadline depends on (give the driver a \`stateKey\`)`,
      );
    s = next;
    return { event, state: next };
  });
}

/** Generates the paths for a process: explores the model, then covers every transition greedily with as few paths as it can. */
export function generatePaths(model: ProcessModel): Coverage {
  const adjacency = model.explore() as unknown as Record<string, { transitions: Record<string, { event: ModelEvent; state: ModelState }> }>;
  const keys = Object.keys(adjacency);
  const start = model.serialize(model.initial());
  const edgesOf = (key: string): Edge[] =>
    Object.values(adjacency[key]!.transitions).map((t) => ({ to: model.serialize(t.state), event: t.event, state: t.state }));
  let edges = 0;
  const reachable = new Set<number>();
  for (const key of keys)
    for (const e of edgesOf(key)) {
      edges += 1;
      e.state.taken.forEach((id) => reachable.add(id));
    }

  const uncovered = new Set(model.transitions.map((t) => t.id).filter((id) => reachable.has(id)));
  /** Shortest route from `from` to an edge that takes an uncovered transition, through allowed edges. */
  const route = (from: string, allowed: (e: Edge) => boolean): Edge[] | undefined => {
    const parent = new Map<string, { key: string; edge: Edge } | null>([[from, null]]);
    const queue = [from];
    const back = (key: string, last: Edge): Edge[] => {
      const out = [last];
      for (let p = parent.get(key); p; p = parent.get(p.key)) out.unshift(p.edge);
      return out;
    };
    while (queue.length) {
      const key = queue.shift()!;
      for (const edge of edgesOf(key)) {
        if (!allowed(edge)) continue;
        if (edge.state.taken.some((id) => uncovered.has(id))) return back(key, edge);
        if (!parent.has(edge.to)) {
          parent.set(edge.to, { key, edge });
          queue.push(edge.to);
        }
      }
    }
    return undefined;
  };

  const paths: ModelPath[] = [];
  const coverWith = (allowed: (e: Edge) => boolean) => {
    for (;;) {
      const steps: Edge[] = [];
      let at = start;
      for (;;) {
        const found = route(at, allowed);
        if (!found || (steps.length > 0 && steps.length + found.length > MAX_PATH_STEPS)) break;
        steps.push(...found);
        found.forEach((e) => e.state.taken.forEach((id) => uncovered.delete(id)));
        at = found.at(-1)!.to;
      }
      if (steps.length === 0) return;
      paths.push({
        process: model.process,
        name: `P${paths.length + 1}`,
        timed: steps.some((e) => e.event.kind === 'timer'),
        steps: replay(model, steps),
      });
    }
  };
  // First what needs no deadline (those paths can run side by side), then the rest.
  coverWith((e) => e.event.kind !== 'timer');
  coverWith(() => true);

  const coveredBy = new Map<number, { path: string; step: number }>();
  for (const p of paths)
    p.steps.forEach((s, i) => s.state.taken.forEach((id) => coveredBy.has(id) || coveredBy.set(id, { path: p.name, step: i + 1 })));
  return {
    process: model.process,
    version: model.definition.version,
    transitions: model.transitions,
    coveredBy,
    missing: model.transitions.filter((t) => !coveredBy.has(t.id)),
    paths,
    states: keys.length,
    edges,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports.

export function coverageTable(coverages: Coverage[]): string {
  const header = ['process', 'version', 'transitions covered / total', 'coverage', 'paths', 'steps', 'model states'];
  const rows = coverages.map((c) => {
    const covered = c.transitions.length - c.missing.length;
    const pct = c.transitions.length === 0 ? 100 : (100 * covered) / c.transitions.length;
    return [
      c.process,
      String(c.version),
      `${covered} / ${c.transitions.length}`,
      `${pct.toFixed(1)}%`,
      String(c.paths.length),
      String(c.paths.reduce((n, p) => n + p.steps.length, 0)),
      String(c.states),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const missing = coverages.flatMap((c) => c.missing.map((t) => `  not covered: ${c.process}: ${t.label}`));
  return [
    'Model-based coverage of the definitions (transitions taken by the generated paths)',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...missing,
  ].join('\n');
}

/** One step as plain JSON for review. */
export function describeStep(model: ProcessModel, s: ModelStep): Record<string, unknown> {
  const e = s.event;
  return {
    event: e.type,
    kind: e.kind,
    sample: e.kind === 'start' || e.kind === 'human' ? e.label : undefined,
    actor: e.actor,
    data: e.data ?? e.input,
    output: e.output,
    state: s.state.state,
    status: s.state.caseStatus,
    deadlines: timerOrder(s.state.timers).map((t) => t.delay),
    row: s.state.row
      ? { seq: s.state.row.seq, event: s.state.row.event, fromState: s.state.row.fromState, toState: s.state.row.toState }
      : null,
    takes: s.state.taken.map((id) => model.transitions[id]!.label),
  };
}

export function writeCoverageJson(model: ProcessModel, c: Coverage): string {
  mkdirSync(MODEL_OUTPUT_DIR, { recursive: true });
  const file = path.join(MODEL_OUTPUT_DIR, `${c.process}.json`);
  const covered = c.transitions.length - c.missing.length;
  const json = {
    process: c.process,
    version: c.version,
    modelStart: new Date(model.startAt).toISOString(),
    stateKeyFields: model.keyFields,
    total: c.transitions.length,
    covered,
    percent: c.transitions.length === 0 ? 100 : Math.round((10000 * covered) / c.transitions.length) / 100,
    modelStates: c.states,
    modelEdges: c.edges,
    transitions: c.transitions.map((t) => ({ ...t, coveredBy: c.coveredBy.get(t.id) ?? null })),
    paths: c.paths.map((p) => ({ name: p.name, timed: p.timed, steps: p.steps.map((s) => describeStep(model, s)) })),
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

/**
 * Measurement 1: the pure step function, per process definition. Every definition
 * in the definitions folder is walked with the event sequences of ./event-walk,
 * and every `step` call is timed on its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileDefinition } from '../engine/compile';
import { definitionSchema } from '../engine/definition-schema';
import { assertValidDefinition } from '../engine/lint';
import { startCase, step } from '../engine/step';
import { checkEvent } from '../engine/check';
import type { CalendarData } from '../engine/types';
import { planWalks } from './event-walk';
import { median, percentiles, round } from './stats';

export interface InterpreterResult {
  process: string;
  version: number;
  /** States and transitions the walks cover. */
  states: number;
  transitions: number;
  walks: number;
  /** Events timed (after warm-up). */
  events: number;
  /** Microseconds per `step` call. */
  stepUs: { p50: number; p95: number; p99: number };
  /** Microseconds per `checkEvent` call (the Update validator's work) for human events. */
  checkUs: { p50: number; p99: number };
  /** Microseconds to compile the definition (parse + build the machine and validators), as a workflow does at start and on replay. */
  compileUs: number;
}

/** Monday 2 March 2026, 10:00 in Shanghai: walks run on a fixed workflow time. */
const BENCH_NOW = Date.parse('2026-03-02T02:00:00Z');

export function definitionFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

/** Times `step` over every definition in `dir` until `minEvents` events per process have been timed. */
export function measureInterpreter(dir: string, calendar: CalendarData, minEvents: number): InterpreterResult[] {
  const results: InterpreterResult[] = [];
  for (const file of definitionFiles(dir)) {
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const definition = assertValidDefinition(raw, file);
    const compiled = compileDefinition(definition, calendar);
    // What a workflow does at its start and on every replay: parse the pinned definition, build the machine.
    const compileTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = nowUs();
      const parsed = definitionSchema.parse(raw);
      compileDefinition(parsed, calendar);
      compileTimes.push(nowUs() - t0);
    }
    const plan = planWalks(compiled, BENCH_NOW);
    const stepTimes: number[] = [];
    const checkTimes: number[] = [];
    const warmup = Math.max(200, Math.floor(minEvents / 10));
    let done = 0;
    while (stepTimes.length < minEvents) {
      for (const walk of plan.walks) {
        let now = BENCH_NOW;
        let snapshot = startCase(compiled, plan.input, now).snapshot;
        for (const event of walk.events) {
          now += 60_000;
          const human = event.actor !== undefined;
          const c0 = nowUs();
          const refusal = human
            ? checkEvent(compiled, snapshot, { type: event.type, data: event.data ?? {}, actor: event.actor! }, now)
            : null;
          const c1 = nowUs();
          if (refusal) throw new Error(`${definition.process}: the walk's ${event.type} was refused: ${refusal.message}`);
          const result = step(compiled, snapshot, event, now);
          const s1 = nowUs();
          snapshot = result.snapshot;
          done += 1;
          if (done <= warmup) continue;
          stepTimes.push(s1 - c1);
          if (human) checkTimes.push(c1 - c0);
        }
      }
    }
    const steps = percentiles(stepTimes);
    const checks = percentiles(checkTimes);
    results.push({
      process: definition.process,
      version: definition.version,
      states: plan.states,
      transitions: plan.transitions,
      walks: plan.walks.length,
      events: stepTimes.length,
      stepUs: { p50: round(steps.p50), p95: round(steps.p95), p99: round(steps.p99) },
      checkUs: { p50: round(checks.p50), p99: round(checks.p99) },
      compileUs: round(median(compileTimes), 0),
    });
  }
  return results;
}

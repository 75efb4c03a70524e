/**
 * Property-based: whatever a hostile user sends to the pure engine — any event name, any
 * payload, any actor, any start input — the outcome is an applied transition whose stored
 * data can be stored, or a typed refusal. Never an exception.
 */
import fc from 'fast-check';
import type { AnyMachineSnapshot } from 'xstate';
import cnJson from '../../calendars/cn.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition, type CompiledDefinition } from '../../engine/compile';
import { REFUSAL_CODES, type Refusal } from '../../engine/refusals';
import type { Definition } from '../../engine/definition-schema';
import { allowedEvents, persistSnapshot, startCase, step } from '../../engine/step';
import { checkEvent, checkStartInput } from '../../engine/check';
import { storableProblems, unstorableText } from '../../engine/storable';
import type { Actor } from '../../engine/types';
import { hostileEventName, hostilePayload, hostileText, hostileValue, PROTOTYPE_NAMES } from '../helpers/hostile';
import { definitionProcesses, loadDefinition, loadDriver, MODEL_START } from '../helpers/model';
import type { ModelDriver, SampleContext } from '../helpers/model-driver';

const calendar = validateCalendar(cnJson);
const RUNS = 120;

interface Loaded {
  process: string;
  definition: Definition;
  compiled: CompiledDefinition;
  driver: ModelDriver;
  input: Record<string, unknown>;
  roles: string[];
}

const loaded: Loaded[] = definitionProcesses().map((process) => {
  const definition = loadDefinition(process);
  const compiled = compileDefinition(definition, calendar);
  const driver = loadDriver(process);
  const ctx: SampleContext = { now: MODEL_START, state: '', context: {}, params: compiled.params, calendar };
  const roles = [...new Set([...definition.startedBy, ...Object.values(definition.events).flatMap((e) => e.roles)])];
  return { process, definition, compiled, driver, input: driver.start(ctx)[0]!.input, roles };
});

/** A reachable snapshot: the start, then up to `choices.length` valid events the driver knows how to send. */
function reach(l: Loaded, choices: number[]): { snapshot: AnyMachineSnapshot; now: number } {
  let now = MODEL_START;
  let snapshot = startCase(l.compiled, l.input, now).snapshot;
  for (const choice of choices) {
    const allowed = allowedEvents(l.compiled, snapshot, undefined);
    if (allowed.length === 0) break;
    const type = allowed[choice % allowed.length]!;
    const ctx: SampleContext = {
      now,
      state: '',
      context: snapshot.context as Record<string, unknown>,
      params: l.compiled.params,
      calendar,
    };
    const samples = l.driver.events[type]?.(ctx) ?? [];
    const sample = samples[choice % Math.max(samples.length, 1)];
    if (!sample) continue;
    now += 3_600_000;
    if (checkEvent(l.compiled, snapshot, { type, data: sample.data, actor: sample.actor }, now) !== null) continue;
    snapshot = step(l.compiled, snapshot, { type, data: sample.data, actor: sample.actor }, now).snapshot;
  }
  return { snapshot, now: now + 60_000 };
}

function expectTypedRefusal(refusal: Refusal): void {
  expect(REFUSAL_CODES).toContain(refusal.code);
  expect(typeof refusal.message).toBe('string');
  expect(refusal.message.length).toBeGreaterThan(0);
  // A refusal is shown, logged and may be written to the security log: it must itself be storable.
  expect(unstorableText(refusal.message)).toBeUndefined();
}

describe.each(loaded.map((l) => [l.process, l] as const))('hostile input to the pure engine: %s', (_name, l) => {
  const declared = Object.keys(l.definition.events);
  const delays = Object.keys(l.definition.delays);
  const samples = (): Array<Record<string, unknown>> => {
    const ctx: SampleContext = { now: MODEL_START, state: '', context: {}, params: l.compiled.params, calendar };
    return Object.values(l.driver.events).flatMap((fn) => fn(ctx).map((s) => s.data));
  };
  const actor: fc.Arbitrary<Actor> = fc.record({
    userId: fc.oneof(fc.constantFrom('amy', 'bob'), hostileText(10)),
    role: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...l.roles) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), hostileText(6)) },
    ),
  });

  it('checkEvent answers null (then step applies it and everything stored can be stored) or a typed refusal; it never throws', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 6 }),
        hostileEventName(declared, delays),
        hostilePayload(samples()),
        actor,
        (choices, type, data, who) => {
          const { snapshot, now } = reach(l, choices);
          const refusal = checkEvent(l.compiled, snapshot, { type, data, actor: who }, now);
          if (refusal === null) {
            expect(Object.hasOwn(l.definition.events, type)).toBe(true);
            const result = step(l.compiled, snapshot, { type, data, actor: who }, now);
            expect(storableProblems({ data, actor: who, context: persistSnapshot(l.compiled, result.snapshot) })).toEqual([]);
            return;
          }
          expectTypedRefusal(refusal);
          if (!Object.hasOwn(l.definition.events, type)) {
            expect(refusal.code).toBe('UnknownEvent');
          } else if (l.definition.events[type]!.roles.includes(who.role)) {
            const problems = storableProblems({ data, actor: { userId: who.userId } });
            if (problems.length > 0) {
              expect(refusal.code).toBe('ValidationError');
              expect(refusal.issues).toEqual(problems);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('checkStartInput answers null (then the case starts and its context can be stored) or a typed refusal; it never throws', () => {
    const input = fc
      .tuple(
        fc.constant(l.input),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...Object.keys(l.input)), hostileText(6)), hostileValue), { maxLength: 3 }),
      )
      .map(([valid, extra]) => Object.fromEntries([...Object.entries(valid), ...extra]));
    fc.assert(
      fc.property(input, (value) => {
        const refusal = checkStartInput(l.compiled, value);
        if (refusal === null) {
          const started = startCase(l.compiled, value, MODEL_START);
          expect(storableProblems({ input: value, context: persistSnapshot(l.compiled, started.snapshot) })).toEqual([]);
          return;
        }
        expectTypedRefusal(refusal);
        expect(refusal.code).toBe('ValidationError');
      }),
      { numRuns: RUNS },
    );
  });

  it.each([...PROTOTYPE_NAMES])('the event type %j is an unknown event, for every role', (type) => {
    const { snapshot, now } = reach(l, []);
    for (const role of l.roles) {
      const refusal = checkEvent(l.compiled, snapshot, { type, data: {}, actor: { userId: 'amy', role } }, now);
      expect(refusal).toMatchObject({
        code: 'UnknownEvent',
        message: expect.stringContaining(`is not an event of process "${l.process}"`),
      });
    }
  });
});

describe('text that cannot be stored, in the complaint process', () => {
  const l = loaded.find((x) => x.process === 'complaint')!;
  const cs: Actor = { userId: 'amy', role: 'cs_agent' };
  const data = { department: 'service', assignee: 'bob' };

  it.each([
    ['a NUL in the comment', { ...data, comment: 'ok\u0000' }, 'data.comment', /U\+0000 \(NUL\) at position 2/],
    ['a lone surrogate in a payload field', { ...data, assignee: 'bob\ud800' }, 'data.assignee', /unpaired UTF-16 surrogate U\+D800/],
    [
      'a "__proto__" field',
      JSON.parse('{"department":"service","assignee":"bob","__proto__":{"x":1}}'),
      'data.__proto__',
      /prototype pollution/,
    ],
  ])('%s is a ValidationError naming the path', (_what, payload, path, message) => {
    const { snapshot, now } = reach(l, []);
    const refusal = checkEvent(l.compiled, snapshot, { type: 'ACCEPT', data: payload, actor: cs }, now);
    expect(refusal).toEqual({
      code: 'ValidationError',
      message: expect.stringContaining(`ACCEPT cannot be stored: ${path}: `),
      issues: [{ path, message: expect.stringMatching(message) }],
    });
  });

  it('a NUL in the actor is a ValidationError naming actor.userId', () => {
    const { snapshot, now } = reach(l, []);
    const refusal = checkEvent(l.compiled, snapshot, { type: 'ACCEPT', data, actor: { userId: 'a\u0000', role: 'cs_agent' } }, now);
    expect(refusal?.code).toBe('ValidationError');
    expect(refusal?.issues).toEqual([{ path: 'actor.userId', message: expect.stringMatching(/U\+0000/) }]);
    const withRequestId = checkEvent(l.compiled, snapshot, { type: 'ACCEPT', data, actor: cs, requestId: 'r\ud800' }, now);
    expect(withRequestId?.issues).toEqual([{ path: 'requestId', message: expect.stringMatching(/U\+D800/) }]);
  });

  it('a NUL in a start input is a ValidationError naming input.<field>, before the schema is checked', () => {
    const refusal = checkStartInput(l.compiled, { ...l.input, content: 'cracked\u0000door' });
    expect(refusal).toEqual({
      code: 'ValidationError',
      message: expect.stringContaining('the input of a complaint case cannot be stored: input.content: contains the character U+0000'),
      issues: [{ path: 'input.content', message: expect.any(String) }],
    });
    expect(checkStartInput(l.compiled, l.input)).toBeNull();
    expect(
      checkStartInput(l.compiled, l.input, { actor: { userId: 'amy\ud800', role: 'cs_agent' }, requestId: 'r\u0000' })?.issues,
    ).toEqual([
      { path: 'startedBy.userId', message: expect.stringMatching(/U\+D800/) },
      { path: 'requestId', message: expect.stringMatching(/U\+0000/) },
    ]);
    expect(checkStartInput(l.compiled, { ...l.input, severity: 'apocalyptic' })?.code).toBe('ValidationError');
  });
});

import fc from 'fast-check';
import cnJson from '../../calendars/cn.json';
import complaintJson from '../../definitions/complaint.json';
import contractJson from '../../definitions/contract.json';
import improvementJson from '../../definitions/improvement_measure.json';
import lostDealJson from '../../definitions/lost_deal.json';
import visitJson from '../../definitions/visit.json';
import { validateCalendar } from '../../engine/calendar';
import { compileDefinition } from '../../engine/compile';
import { withDefaults } from '../../engine/definition-defaults';
import { lintDefinition } from '../../engine/lint';
import { MicrostepLimitError } from '../../engine/microstep-limit';
import { acceptedEvents, startCase, step } from '../../engine/step';

/**
 * Random definitions, made by breaking the shipped ones, go through the linter: it answers with
 * findings (or none), never with an exception. Those it accepts compile and start, and take an
 * event, without hanging and without any error but the engine's typed one.
 */

type Json = any;

const cn = validateCalendar(cnJson);
const SHIPPED: Json[] = [complaintJson, contractJson, improvementJson, lostDealJson, visitJson];
const NOW = Date.parse('2026-03-02T10:00:00+08:00');

/** Names that have tripped lookups before: properties of every object, XState's own event names, paths, unicode. */
const PROTO_NAME = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf');
const NAME = fc.oneof(
  { arbitrary: PROTO_NAME, weight: 3 },
  fc.constantFrom(
    'xstate.init',
    'xstate.done.actor.check',
    'xstate.after.acceptDue.complaint.received',
    'timer.acceptDue',
    'done:x',
    '*',
    '',
    '.',
    '#complaint',
    '#complaint.closed',
    '.child',
    'received',
    'closed',
    'ACCEPT',
    'WITHDRAW',
    'context.x',
    'data.x',
    '受理',
    '\u0000',
    '\ud800',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

/** Patterns: safe, catastrophic, invalid, unicode-only-invalid, unreadable by the checker. */
const PATTERN = fc.constantFrom('^[0-9]{4}$', '^(a+)+$', '[', '^\\-$', '^(?<y>[0-9])$', '^\\p{L}+$', '', '^[a-z]*[a-z]*$');

/** Every place in a JSON value: the parent object or list and the key, shallow first, capped. */
function places(root: Json): Array<{ parent: Json; key: string | number }> {
  const out: Array<{ parent: Json; key: string | number }> = [];
  const queue: Json[] = [root];
  while (queue.length && out.length < 5000) {
    const node = queue.shift();
    if (node === null || typeof node !== 'object') continue;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      out.push({ parent: node, key });
      queue.push(node[key]);
    }
  }
  return out;
}

/** The state configs of a machine (with their parent's `states` and own name). */
function stateConfigs(d: Json): Array<{ name: string; config: Json; siblings: Json }> {
  const out: Array<{ name: string; config: Json; siblings: Json }> = [];
  const walk = (states: Json) => {
    if (states === null || typeof states !== 'object') return;
    for (const name of Object.keys(states)) {
      const config = states[name];
      if (config === null || typeof config !== 'object') continue;
      out.push({ name, config, siblings: states });
      walk(config.states);
    }
  };
  walk(d.machine?.states);
  return out;
}

const pick = <T>(list: T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

/** Puts `key` into an object as an own property (an assignment of `__proto__` would set the prototype instead). */
const put = (obj: Json, key: string, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });

type Mutation = (d: Json) => void;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Any place: a new value, a new name, or gone.
  fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 3 })).map(([n, value]): Mutation => (d) => {
    const p = pick(places(d), n);
    if (p) p.parent[p.key] = value;
  }),
  fc.tuple(fc.nat(), NAME).map(([n, name]): Mutation => (d) => {
    const p = pick(places(d), n);
    if (p) p.parent[p.key] = name;
  }),
  fc.tuple(fc.nat(), NAME).map(([n, name]): Mutation => (d) => {
    const p = pick(
      places(d).filter((x) => !Array.isArray(x.parent)),
      n,
    );
    if (!p) return;
    const value = p.parent[p.key];
    delete p.parent[p.key];
    put(p.parent, name, value);
  }),
  fc.nat().map((n): Mutation => (d) => {
    const p = pick(places(d), n);
    if (p && !Array.isArray(p.parent)) delete p.parent[p.key];
  }),
  // A transition: its target, guard or actions named at random.
  fc.tuple(fc.nat(), fc.constantFrom('target', 'guard', 'actions'), NAME).map(([n, field, name]): Mutation => (d) => {
    const state = pick(stateConfigs(d), n);
    const on = state?.config.on;
    const event = on && typeof on === 'object' ? pick(Object.keys(on), n) : undefined;
    if (event === undefined) return;
    const t = on[event];
    on[event] = typeof t === 'object' && t !== null && !Array.isArray(t) ? { ...t, [field]: name } : { [field]: name };
  }),
  // A name the file refers to: an action, a guard, a delay, a task, a parameter, a guard inside a guard.
  fc
    .tuple(fc.nat(), fc.constantFrom('entry', 'exit', 'after', 'invoke', 'param', 'guardRef', 'dueAt'), NAME)
    .map(([n, where, name]): Mutation => (d) => {
      const state = pick(stateConfigs(d), n);
      if (where === 'entry' || where === 'exit') {
        if (state) state.config[where] = [name];
      } else if (where === 'after') {
        if (state) put((state.config.after ??= {}), name, { actions: [] });
      } else if (where === 'invoke') {
        if (state) state.config.invoke = { id: name, src: name, onDone: state.name };
      } else if (where === 'param') {
        const delay = pick(Object.values<Json>(d.delays ?? {}), n);
        if (delay) delay.businessDays = { param: name };
      } else {
        const guard = pick(Object.keys(d.guards ?? {}), n);
        if (guard !== undefined) d.guards[guard] = where === 'guardRef' ? { guard: name } : { before: [{ dueAt: name }, 'now'] };
      }
    }),
  // An event a state accepts, named at random.
  fc.tuple(fc.nat(), NAME, NAME).map(([n, event, target]): Mutation => (d) => {
    const state = pick(stateConfigs(d), n);
    if (!state) return;
    state.config.on ??= {};
    put(state.config.on, event, target);
  }),
  // Eventless transitions between existing states (a loop, a chain, or to itself), guarded or not.
  fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.nat()).map(([a, b, guarded, g]): Mutation => (d) => {
    const states = stateConfigs(d);
    const from = pick(states, a);
    const to = pick(
      states.filter((s) => s.siblings === from?.siblings),
      b,
    );
    if (!from || !to) return;
    const guard = guarded ? pick(Object.keys(d.guards ?? {}), g) : undefined;
    from.config.always = guard === undefined ? { target: to.name } : { guard, target: to.name };
  }),
  // A nested state: compound, parallel or final, with children.
  fc.tuple(fc.nat(), fc.constantFrom('compound', 'parallel', 'final', 'history'), NAME).map(([n, type, child]): Mutation => (d) => {
    const state = pick(stateConfigs(d), n);
    if (!state) return;
    if (type !== 'compound') state.config.type = type;
    state.config.states = {};
    put(state.config.states, child, { type: 'final' });
    state.config.initial = child;
  }),
  // A payload pattern.
  fc.tuple(fc.nat(), PATTERN).map(([n, pattern]): Mutation => (d) => {
    const event = pick(Object.values<Json>(d.events ?? {}), n);
    const schema = event?.payload ?? d.input;
    if (schema === null || typeof schema !== 'object') return;
    schema.properties ??= {};
    schema.properties.code = { type: 'string', pattern };
  }),
);

const definition = fc
  .tuple(fc.nat({ max: SHIPPED.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 4 }))
  .map(([i, mutations]) => {
    const d: Json = structuredClone(SHIPPED[i]);
    for (const m of mutations) m(d);
    return d;
  });

/** Starts a case on an accepted definition and sends each event it accepts once; only a MicrostepLimitError may be thrown. */
function run(raw: Json): void {
  const compiled = compileDefinition(withDefaults(raw), cn);
  try {
    const started = startCase(compiled, { [raw.customerField]: 'CUST-1' }, NOW);
    for (const type of [...acceptedEvents(started.snapshot)].slice(0, 5)) {
      try {
        step(compiled, started.snapshot, { type, data: {}, actor: { userId: 'u', role: 'admin' } }, NOW + 1000);
      } catch (err) {
        if (!(err instanceof MicrostepLimitError)) throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof MicrostepLimitError)) throw err;
  }
}

describe('the linter on random definitions', () => {
  it('answers with findings (or none), never with an exception', () => {
    fc.assert(
      fc.property(definition, (raw) => {
        const result = lintDefinition(raw);
        expect(result.ok).toBe(result.problems.length === 0);
        for (const p of result.problems) {
          expect(typeof p.code).toBe('string');
          expect(typeof p.path).toBe('string');
          expect(p.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('accepts only definitions that compile, start and take events in bounded time, with no error but the typed one', () => {
    let accepted = 0;
    fc.assert(
      fc.property(definition, (raw) => {
        if (!lintDefinition(raw).ok) return;
        accepted++;
        const started = Date.now();
        run(raw);
        expect(Date.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 300, seed: 12 },
    );
    // Most random changes break a definition; enough must pass for this property to say something.
    expect(accepted).toBeGreaterThan(20);
  });
});

describe('the engine on definitions published before the linter refused eventless loops', () => {
  it('starts them and takes events in bounded time: a result, or a MicrostepLimitError', () => {
    const loops = fc
      .tuple(
        fc.nat({ max: SHIPPED.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean(), fc.nat()), { minLength: 1, maxLength: 4 }),
      )
      .map(([i, edges]) => {
        const d: Json = structuredClone(SHIPPED[i]);
        const states = stateConfigs(d).filter((s) => s.siblings === d.machine.states);
        for (const [a, b, guarded, g] of edges) {
          const from = pick(states, a)!;
          const to = pick(states, b)!;
          const guard = guarded ? pick(Object.keys(d.guards ?? {}), g) : undefined;
          from.config.always = guard === undefined ? { target: to.name } : { guard, target: to.name };
        }
        return d;
      });
    fc.assert(
      fc.property(loops, (raw) => {
        const started = Date.now();
        run(raw);
        expect(Date.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 100, seed: 13 },
    );
  });
});

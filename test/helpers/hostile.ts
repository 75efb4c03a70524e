/**
 * Arbitraries (fast-check) of what a hostile user sends: event names that collide with
 * prototype members or with the engine's own events, text with NUL and lone surrogates,
 * numbers JSON cannot carry, deep nesting and prototype-pollution keys.
 */
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../engine/storable';

/** Names every plain object inherits. */
export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
] as const;

/** One UTF-16 unit or code point: often a NUL or half of a surrogate pair. */
const hostileUnit = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d') },
  { weight: 1, arbitrary: fc.constantFrom('😀', '投', '\u202e', '\ufeff', '\uffff', '"', '\\', '.', '%', '$', '\n') },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** Text that is often unstorable (NUL, lone surrogates) or odd (bidi marks, emoji). */
export const hostileText = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: hostileUnit, maxLength });

/**
 * Event names: prototype members, the engine's internal events (`xstate.*`, timers, done events),
 * unicode, and (given) the definition's own events and delays so that some are real.
 */
export function hostileEventName(declared: readonly string[] = [], delays: readonly string[] = []): fc.Arbitrary<string> {
  const name = fc.oneof(fc.constantFrom('x', 'complaint', 'investigating', ...delays, ...declared), hostileText(8));
  return fc.oneof(
    fc.constantFrom(...PROTOTYPE_NAMES),
    fc.constantFrom('xstate.init', 'xstate.stop', '*', '', ' ', 'ACCEPT ', 'accept'),
    name.map((n) => `xstate.after.${n}`),
    fc.tuple(name, name).map(([d, s]) => `xstate.after.${d}.complaint.${s}`),
    name.map((n) => `xstate.done.actor.${n}`),
    name.map((n) => `xstate.error.actor.${n}`),
    name.map((n) => `xstate.done.state.${n}`),
    name.map((n) => `timer.${n}`),
    name.map((n) => `done:${n}`),
    name.map((n) => `after:${n}`),
    hostileText(20),
    ...(declared.length > 0 ? [fc.constantFrom(...declared)] : []),
  );
}

/** A value nested `depth` arrays and objects deep. */
export function nestedValue(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

const hostileNumber = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 53 + 1,
    1e21,
  ),
  fc.double(),
  fc.integer(),
);

const hostileKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom('comment', 'attachments', 'department', 'assignee', 'amount', 'reason', 'customer') },
  { weight: 3, arbitrary: hostileText(8) },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText(16) },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, '', 'x'.repeat(70_000)) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 40 }).map((d) => nestedValue(d)) },
);

/**
 * JSON-like values with hostile leaves and keys. Objects are built with `Object.fromEntries`, so a
 * `__proto__` key is an own key, as `JSON.parse` makes it.
 */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

/** An event payload: an object of hostile fields, sometimes mixed into a valid sample. */
export function hostilePayload(valid: Array<Record<string, unknown>> = []): fc.Arbitrary<Record<string, unknown>> {
  const fields = fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 4 });
  const base = valid.length > 0 ? fc.constantFrom(...valid) : fc.constant({});
  return fc
    .tuple(base, fields, fc.boolean())
    .map(([sample, extra, keepSample]) => Object.fromEntries([...(keepSample ? Object.entries(sample) : []), ...extra]));
}

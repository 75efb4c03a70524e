import { describeIssues as describeStorableProblems } from '../../engine/refusals';
import { firstStorableProblem, MAX_JSON_DEPTH, storableProblems, unstorableText } from '../../engine/storable';
import { ownValue, hasOwnKey } from '../../engine/own';

/** A value nested `depth` objects deep: `{ a: { a: … { a: 1 } } }`. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('storableProblems', () => {
  it('accepts what PostgreSQL stores: text in any script, emoji (surrogate pairs), control characters, big numbers', () => {
    const value = {
      comment: '投诉已受理 — the door arrived cracked 😀',
      tab: 'a\tb\u0001\uffff\ufffe',
      amount: 1e308,
      tiny: 5e-324,
      list: [null, true, 0, -1.5, 'x'],
      nested: { 'key with spaces': { ключ: '値' } },
      constructor: 'Acme Construction', // a field named like a prototype member, holding text
    };
    expect(storableProblems(value, 'data')).toEqual([]);
    expect(firstStorableProblem(value)).toBeUndefined();
  });

  it('refuses NUL in a value, naming the field path and the position', () => {
    expect(storableProblems({ comment: 'ab\u0000c' }, 'data')).toEqual([
      { path: 'data.comment', message: 'contains the character U+0000 (NUL) at position 2, which cannot be stored; remove it' },
    ]);
  });

  it('refuses lone surrogates, high or low, in values and array items', () => {
    const problems = storableProblems({ items: ['ok', 'x\ud800', '\udc00y', '\ude00\ud83d'] }, 'input');
    expect(problems.map((p) => p.path)).toEqual(['input.items.1', 'input.items.2', 'input.items.3']);
    expect(problems[0]!.message).toMatch(/unpaired UTF-16 surrogate U\+D800 at position 1/);
    expect(problems[1]!.message).toMatch(/U\+DC00 at position 0/);
    // A low surrogate before a high one is not a pair.
    expect(problems[2]!.message).toMatch(/U\+DE00 at position 0/);
  });

  it('refuses NUL and lone surrogates in field names, showing the name escaped', () => {
    const problems = storableProblems(JSON.parse('{"a\\u0000b": 1, "\\ud800": 2}'), 'data');
    expect(problems).toEqual([
      {
        path: 'data."a\\u0000b"',
        message: 'the field name contains the character U+0000 (NUL) at position 1, which cannot be stored; remove it',
      },
      { path: 'data."\\ud800"', message: expect.stringMatching(/^the field name contains an unpaired UTF-16 surrogate U\+D800/) },
    ]);
    // The path itself holds no NUL or lone surrogate: it can be shown, logged and stored.
    expect(problems.every((p) => unstorableText(p.path) === undefined)).toBe(true);
  });

  it('refuses a "__proto__" key and a "constructor" holding a "prototype" (prototype pollution), explaining why', () => {
    const parsed = JSON.parse('{"data": {"__proto__": {"isAdmin": true}}, "x": {"constructor": {"prototype": {"polluted": 1}}}}');
    const problems = storableProblems(parsed);
    expect(problems.map((p) => p.path)).toEqual(['data.__proto__', 'x.constructor']);
    expect(problems[0]!.message).toMatch(/prototype pollution/);
    expect(problems[1]!.message).toMatch(/prototype pollution/);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('refuses non-finite numbers and values JSON cannot carry', () => {
    expect(
      storableProblems({ a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 10n, d: () => 1 }, 'data').map((p) => [p.path, p.message]),
    ).toEqual([
      ['data.a', 'is NaN, which JSON cannot carry; send a finite number'],
      ['data.b', 'is Infinity, which JSON cannot carry; send a finite number'],
      ['data.c', expect.stringMatching(/^is a bigint/)],
      ['data.d', expect.stringMatching(/^is a function/)],
    ]);
    // JSON leaves undefined fields out: nothing to refuse.
    expect(storableProblems({ a: undefined })).toEqual([]);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, without recursion`, () => {
    expect(storableProblems(nested(MAX_JSON_DEPTH))).toEqual([]);
    const problems = storableProblems(nested(MAX_JSON_DEPTH + 1), 'data');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe(`is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it`);
    expect(problems[0]!.path).toBe(`data${'.a'.repeat(MAX_JSON_DEPTH)}`);
    // Far deeper than the call stack allows, and cyclic: still one answer.
    expect(storableProblems(nested(200_000))).toHaveLength(1);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(storableProblems(cyclic)).toHaveLength(1);
  });

  it('reports at most 20 problems, depth first, and describes them in one line', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, '\u0000']));
    const problems = storableProblems(many);
    expect(problems).toHaveLength(20);
    expect(problems[0]!.path).toBe('f0');
    expect(describeStorableProblems(problems.slice(0, 2))).toBe(
      'f0: contains the character U+0000 (NUL) at position 0, which cannot be stored; remove it; f1: contains the character U+0000 (NUL) at position 0, which cannot be stored; remove it',
    );
    expect(storableProblems('\u0000')).toEqual([{ path: '', message: expect.stringMatching(/U\+0000/) }]);
  });

  it('shortens a long field name in a path', () => {
    const key = `${'k'.repeat(100)} x`;
    expect(storableProblems({ [key]: '\u0000' })[0]!.path).toBe(JSON.stringify(`${'k'.repeat(60)}…`));
  });
});

describe('ownValue', () => {
  it('finds own entries only, never what every object inherits', () => {
    const events: Record<string, { roles: string[] }> = { ACCEPT: { roles: ['cs_agent'] } };
    expect(ownValue(events, 'ACCEPT')).toEqual({ roles: ['cs_agent'] });
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      expect(ownValue(events, name)).toBeUndefined();
      expect(hasOwnKey(events, name)).toBe(false);
    }
    expect(ownValue(undefined, 'ACCEPT')).toBeUndefined();
    expect(ownValue(JSON.parse('{"__proto__": 1}') as Record<string, number>, '__proto__')).toBe(1);
  });
});

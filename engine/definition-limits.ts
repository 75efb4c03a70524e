/**
 * How large a definition may be. The linter refuses a larger one: the engine, the linter and the
 * diagram walk every state and transition, and a definition far beyond the shipped ones (at most
 * 12 states, 15 events and 50 KB) is a mistake or an attack rather than a process.
 */
export const DEFINITION_LIMITS = {
  /** Bytes of the file as compact JSON (UTF-8). */
  bytes: 1_000_000,
  /** Nesting of objects and lists in the file (the shipped definitions reach 11). */
  depth: 32,
  /** States, at every level of nesting (the machine itself not counted); a diagram is drawn for as many. */
  states: 500,
  /** Declared events. */
  events: 200,
  /** Transitions (`on`, `after`, `always`, `onDone`, invoke `onDone`/`onError`), counted one per target list entry. */
  transitions: 1000,
  /** Characters of one payload `pattern`. */
  patternLength: 500,
  /** Different payload `pattern`s in one definition. */
  patterns: 50,
} as const;

export interface JsonMeasure {
  /** Deepest nesting seen; stops growing once past `DEFINITION_LIMITS.depth`. */
  depth: number;
  /** Bytes as compact UTF-8 JSON, or undefined when the value is nested too deep to be measured or is no JSON. */
  bytes: number | undefined;
  /** Where a `__proto__` key is (dotted paths), in file order. */
  protoKeys: string[];
}

/**
 * Measures a JSON value without recursion, so that a deeply nested file cannot overflow the stack:
 * its nesting depth, its size, and the places of `__proto__` keys (a name that JavaScript objects
 * do not keep as data).
 */
export function measureJson(value: unknown): JsonMeasure {
  let depth = 0;
  const protoKeys: string[] = [];
  const stack: Array<{ value: unknown; depth: number; path: string; key: string }> = [{ value, depth: 0, path: '', key: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.key === '__proto__') protoKeys.push(item.path);
    if (item.value === null || typeof item.value !== 'object') continue;
    const d = item.depth + 1;
    if (d > depth) depth = d;
    if (d > DEFINITION_LIMITS.depth) return { depth, bytes: undefined, protoKeys };
    const entries: Array<[string, unknown]> = Array.isArray(item.value)
      ? item.value.map((v, i) => [`[${i}]`, v])
      : Object.keys(item.value).map((k) => [k, (item.value as Record<string, unknown>)[k]]);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const path = key.startsWith('[') ? `${item.path}${key}` : item.path ? `${item.path}.${key}` : key;
      stack.push({ value: child, depth: d, path, key });
    }
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined; // not JSON (a BigInt, a cycle): only a caller that skipped JSON.parse can pass one
  }
  return { depth, bytes: text === undefined ? undefined : utf8Length(text), protoKeys };
}

function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Where each value of a JSON text sits: `machine.states.a.on.B` or `events.X.roles[0]`
 * → its line. Used to show the linter's problems at their place in the editor.
 */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

/** The position of every key (or array item) of a JSON text, by its path; undefined when the text is not JSON. */
export function jsonPositions(text: string): Map<string, Position> | undefined {
  const out = new Map<string, Position>();
  let i = 0;
  const newlines: number[] = [];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) newlines.push(k);
  const pos = (offset: number): Position => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newlines[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    const last = lo === 0 ? -1 : newlines[lo - 1]!;
    return { line: lo + 1, column: offset - last, offset };
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (): never => {
    throw new Error('not JSON');
  };
  const str = (): string => {
    if (text[i] !== '"') fail();
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  /** The items of an object or array, `item` reading each one, up to `close`. */
  const items = (close: '}' | ']', item: (n: number) => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (let n = 0; ; n++) {
      ws();
      item(n);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      fail();
    }
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      items('}', () => {
        const at = i;
        const key = str();
        const child = path ? `${path}.${key}` : key;
        out.set(child, pos(at));
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(child);
      });
    } else if (c === '[') {
      items(']', (n) => {
        const child = `${path}[${n}]`;
        out.set(child, pos(i));
        value(child);
      });
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value('');
    ws();
    if (i !== text.length) fail();
  } catch {
    return undefined;
  }
  return out;
}

/** The line of a problem's path: the deepest part of the path found in the text (line 1 when none is). */
export function lineOf(positions: Map<string, Position>, path: string): number {
  let p = path;
  while (p) {
    const found = positions.get(p);
    if (found) return found.line;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return positions.get(p)?.line ?? 1;
}

/** The line and column of a JSON syntax error, from the message of JSON.parse (which names a position). */
export function syntaxErrorLine(text: string, message: string): number | undefined {
  const lineCol = /line (\d+)/i.exec(message);
  if (lineCol) return Number(lineCol[1]);
  const at = /position (\d+)/i.exec(message);
  if (!at) return undefined;
  const offset = Number(at[1]);
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

import { localDateTime } from '../engine/calendar';
import type { CalendarData } from '../engine/types';

/** Code points that take two columns in a terminal (CJK, Hangul, full-width forms). */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1faff],
  [0x20000, 0x3fffd],
];

function isWide(cp: number): boolean {
  return WIDE.some(([from, to]) => cp >= from && cp <= to);
}

function isZeroWidth(cp: number): boolean {
  return (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f);
}

/** The number of terminal columns `text` takes. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    width += isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1;
  }
  return width;
}

/** Pads `text` with spaces to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts `text` to at most `max` columns, ending with `…` when cut. Newlines become spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  if (displayWidth(flat) <= max) return flat;
  let out = '';
  let width = 0;
  for (const ch of flat) {
    const w = displayWidth(ch);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

/** A table with a header row and columns aligned by display width; every line is indented by `indent`. */
export function table(headers: string[], rows: string[][], indent = '  '): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `key  value` lines with the keys aligned. */
export function keyValues(pairs: Array<[string, string]>, indent = ''): string {
  const width = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => `${indent}${padEnd(k, width)}  ${v}`.trimEnd()).join('\n') + '\n';
}

/** Labels in both languages: `Investigating / 调查核实`. */
export function bothLabels(labels: { en?: string; 'zh-CN'?: string } | undefined): string {
  if (!labels) return '';
  return [labels.en, labels['zh-CN']].filter((s): s is string => typeof s === 'string' && s.length > 0).join(' / ');
}

/** A value for one line of human output: strings as they are, anything else as compact JSON. */
export function compactValue(value: unknown, max = 80): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : (JSON.stringify(value) as string | undefined);
  return truncate(text ?? '', max);
}

/** `2025-10-09 14:00:00 +08:00`: an instant on the calendar's local clock. */
export function localTime(calendar: CalendarData, iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const local = localDateTime(calendar, t); // 2025-10-09T14:00:00+08:00
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(.*)$/.exec(local);
  if (!match) return local;
  const [, date, time, offset] = match;
  return `${date} ${time} ${offset === 'Z' ? '+00:00' : offset}`;
}

/** How far `iso` is from `now`: `in 2d 3h`, `5m ago`. */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const minutes = Math.floor(abs / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const span =
    days > 0
      ? `${days}d${hours ? ` ${hours}h` : ''}`
      : hours > 0
        ? `${hours}h${mins ? ` ${mins}m` : ''}`
        : minutes > 0
          ? `${mins}m`
          : 'less than a minute';
  if (minutes === 0) return diff >= 0 ? 'in less than a minute' : 'just now';
  return diff >= 0 ? `in ${span}` : `${span} ago`;
}

/** Pretty JSON with a final newline. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

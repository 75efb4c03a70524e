import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Actor } from '../engine/types';
import { ROLE_NAMES } from '../engine/roles';
import { didYouMean } from '../engine/suggest';
import { CliError, invalidArgument } from './errors';
import { describeIssues } from '../engine/refusals';
import { storableProblems } from '../engine/storable';

/**
 * Parses `--as <user>:<role>`. The role follows the last colon, so user ids may
 * themselves contain colons; the role must be one of the organisation's roles.
 */
export function parseActor(text: string | undefined, option = '--as'): Actor {
  const value = (text ?? '').trim();
  const colon = value.lastIndexOf(':');
  if (colon < 0) throw invalidArgument(`${option} must look like <user>:<role> (e.g. alice:cs_agent), got "${value}"`);
  const userId = value.slice(0, colon).trim();
  const role = value.slice(colon + 1).trim();
  if (!userId) throw invalidArgument(`${option} "${value}" names no user: write <user>:<role> (e.g. alice:cs_agent)`);
  if (!role) throw invalidArgument(`${option} "${value}" names no role: write <user>:<role> (e.g. alice:cs_agent)`);
  if (!ROLE_NAMES.includes(role)) throw invalidArgument(`${option}: unknown role "${role}"${didYouMean(role, ROLE_NAMES)}`);
  return { userId, role };
}

/** Reads a file named on the command line; a missing or unreadable file is bad input. */
export function readArgumentFile(file: string, option: string, cwd: string): string {
  const full = path.resolve(cwd, file);
  try {
    return readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw invalidArgument(`${option}: cannot read "${file}": ${why}`);
  }
}

/**
 * Reads a JSON object given inline (`'{"a":1}'`) or from a file (`@payload.json`,
 * relative to `cwd`). Anything but a JSON object is bad input, and so is text that
 * cannot be stored (a ValidationError naming the path: `--data` → `data.comment`).
 */
export function readJsonObject(value: string, option: string, cwd: string = process.cwd()): Record<string, unknown> {
  const fromFile = value.startsWith('@');
  const file = value.slice(1);
  if (fromFile && !file) throw invalidArgument(`${option}: "@" must be followed by a file name, e.g. ${option} @payload.json`);
  const text = fromFile ? readArgumentFile(file, option, cwd) : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const where = fromFile ? ` in "${file}"` : '';
    const hint = fromFile ? '' : ` (quote it for the shell, e.g. ${option} '{"key":"value"}', or use ${option} @file.json)`;
    throw invalidArgument(`${option}: invalid JSON${where}: ${(err as Error).message}${hint}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const got = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
    throw invalidArgument(`${option} must be a JSON object, got ${got}${fromFile ? ` in "${file}"` : ''}`);
  }
  const problems = storableProblems(parsed, option.startsWith('--') ? option.slice(2) : '');
  if (problems.length > 0) {
    throw new CliError(
      'ValidationError',
      `${option}${fromFile ? ` ("${file}")` : ''} cannot be stored: ${describeIssues(problems)}`,
      true,
      problems,
    );
  }
  return parsed as Record<string, unknown>;
}

/** The values of a repeatable option, each of which may also list several separated by commas (`--tag a,b --tag c`). */
export function commaList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

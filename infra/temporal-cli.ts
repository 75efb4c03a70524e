/**
 * Finds (or, as a last resort, builds) a Temporal CLI whose `server start-dev`
 * gives a real Temporal server with no internet access beyond the Go module proxy.
 *
 * Resolution order:
 *  1. TEMPORAL_ADDRESS           an already running server
 *  2. TEMPORAL_CLI_PATH          an explicit path to a `temporal` binary
 *  3. `temporal` on PATH
 *  4. a previous build in the cache dir (<cache>/bin/temporal), or an earlier SDK download there
 *  5. the SDK's own download, when its download host answers
 *  6. `go install github.com/temporalio/cli/cmd/temporal@<version>` into the cache dir
 *
 * The cache dir is $DOCKET_CACHE_DIR, else $XDG_CACHE_HOME/docket, else ~/.cache/docket.
 */
import { spawn, execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childEnvironment, loadHostConfig } from '../config';

/** The CLI release built from source. Later tags carry a `replace` directive that `go install` refuses. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
/** Host the SDK downloads server binaries from. */
export const TEMPORAL_DOWNLOAD_HOST = 'temporal.download';

export type TemporalServerSource =
  /** An existing server; nothing to start. */
  | { kind: 'address'; address: string }
  /** A Temporal CLI binary on disk. */
  | { kind: 'path'; path: string; origin: 'env' | 'path' | 'cache' | 'built' }
  /** Let @temporalio/testing download the CLI itself (into `downloadDir`). */
  | { kind: 'download'; downloadDir: string };

/** Root of everything Docket caches on this machine. */
export function docketCacheDir(): string {
  return loadHostConfig().cacheDir;
}

/** Where a built `temporal` binary is kept. */
export function cachedTemporalCliPath(): string {
  return path.join(docketCacheDir(), 'bin', 'temporal');
}

export async function resolveTemporalCli(): Promise<TemporalServerSource> {
  const host = loadHostConfig();
  const address = host.temporalAddress;
  if (address) return { kind: 'address', address };

  const explicit = host.temporalCliPath;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!(await isExecutable(resolved))) {
      throw new Error(`TEMPORAL_CLI_PATH points to ${resolved}, which is not an executable file`);
    }
    return { kind: 'path', path: resolved, origin: 'env' };
  }

  const onPath = await findOnPath('temporal');
  if (onPath && (await isTemporalCli(onPath))) return { kind: 'path', path: onPath, origin: 'path' };

  const cached = cachedTemporalCliPath();
  if (await isExecutable(cached)) return { kind: 'path', path: cached, origin: 'cache' };
  const downloaded = await previousSdkDownload();
  if (downloaded) return { kind: 'path', path: downloaded, origin: 'cache' };

  if (await isHostReachable(TEMPORAL_DOWNLOAD_HOST)) {
    return {
      kind: 'download',
      downloadDir: path.join(docketCacheDir(), 'download'),
    };
  }

  return { kind: 'path', ...(await buildOrAwaitTemporalCli()) };
}

/**
 * Builds the CLI with Go into the cache dir (no-op when already there).
 * Serialised across processes by a lock file.
 */
export async function buildTemporalCli(): Promise<string> {
  return (await buildOrAwaitTemporalCli()).path;
}

async function buildOrAwaitTemporalCli(): Promise<{ path: string; origin: 'cache' | 'built' }> {
  const target = cachedTemporalCliPath();
  if (await isExecutable(target)) return { path: target, origin: 'cache' };

  const go = await findGo();
  if (!go) {
    throw new Error(
      [
        'Cannot provide a Temporal server:',
        '  - TEMPORAL_ADDRESS (an existing server) is not set,',
        '  - TEMPORAL_CLI_PATH (a temporal binary) is not set,',
        '  - no `temporal` on PATH,',
        `  - no cached build at ${target},`,
        `  - ${TEMPORAL_DOWNLOAD_HOST} is unreachable, and`,
        `  - Go is not installed, so ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} cannot be built.`,
        'Install Go (>= 1.25, or any Go with GOTOOLCHAIN=auto and the Go module proxy reachable),',
        'or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.',
      ].join('\n'),
    );
  }

  const binDir = path.dirname(target);
  await fs.mkdir(binDir, { recursive: true });
  return withFileLock(path.join(docketCacheDir(), 'locks', 'temporal-cli.lock'), 'building the Temporal CLI', async () => {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutable(target)) return { path: target, origin: 'cache' as const };

    const staging = path.join(binDir, `.staging-${process.pid}`);
    await removeStaleStaging(binDir);
    await fs.mkdir(staging, { recursive: true });
    const started = Date.now();
    progress(
      `building the Temporal CLI from source (${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}) into ${binDir}; ` +
        'the first build takes several minutes',
    );
    try {
      await runStreaming(
        go,
        [
          'install',
          `-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.replace(/^v/, '')}`,
          `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`,
        ],
        childEnvironment({ GOBIN: staging }),
        'building the Temporal CLI',
      );
      const built = path.join(staging, 'temporal');
      if (!(await isExecutable(built))) throw new Error(`go install finished but ${built} is missing`);
      await fs.rename(built, target);
    } finally {
      await fs.rm(staging, { recursive: true, force: true });
    }
    progress(`built the Temporal CLI in ${formatSeconds(Date.now() - started)}: ${target}`);
    return { path: target, origin: 'built' as const };
  });
}

// ---------------------------------------------------------------------------
// Shared helpers (also used by temporal-test-server.ts)
// ---------------------------------------------------------------------------

export function progress(message: string): void {
  process.stderr.write(`[docket] ${message}\n`);
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of loadHostConfig().searchPath) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A CLI the SDK downloaded into our download dir on an earlier, online run. */
async function previousSdkDownload(): Promise<string | undefined> {
  const dir = path.join(docketCacheDir(), 'download');
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch {
    return undefined;
  }
  for (const entry of entries.sort().reverse()) {
    if (!/^temporal-sdk-typescript-[^/]+$/.test(entry) || entry.endsWith('.downloading')) continue;
    const candidate = path.join(dir, entry);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function findGo(): Promise<string | undefined> {
  const onPath = await findOnPath('go');
  if (onPath) return onPath;
  const goRoot = loadHostConfig().goRoot;
  const candidates = [
    goRoot ? path.join(goRoot, 'bin', 'go') : undefined,
    '/usr/local/go/bin/go',
    '/usr/lib/go/bin/go',
    path.join(os.homedir(), 'go', 'bin', 'go'),
  ];
  for (const candidate of candidates) {
    if (candidate && (await isExecutable(candidate))) return candidate;
  }
  return undefined;
}

/** Guards against some unrelated program called `temporal`. */
async function isTemporalCli(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      resolve(!err && /^temporal version/m.test(stdout));
    });
  });
}

/**
 * True when an HTTPS HEAD request to `host` gets any HTTP answer within `timeoutMs`.
 * Offline machines fail fast (DNS) or hit the timeout, so this never hangs.
 */
export async function isHostReachable(host: string, timeoutMs = 3000): Promise<boolean> {
  try {
    await fetch(`https://${host}/`, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, copying its output to stderr, with a heartbeat line every 30 s. */
export async function runStreaming(command: string, args: string[], env: NodeJS.ProcessEnv, what: string, cwd?: string): Promise<void> {
  const started = Date.now();
  const heartbeat = setInterval(() => progress(`still ${what} (${formatSeconds(Date.now() - started)})`), 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, {
        env,
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const relay = (chunk: string): void => {
        // Drop colour codes (Maven emits them even in batch mode).
        const text = chunk.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
        if (text.trim()) process.stderr.write(text);
      };
      child.stdout.setEncoding('utf8').on('data', relay);
      child.stderr.setEncoding('utf8').on('data', relay);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${what} failed: \`${command} ${args.join(' ')}\` exited with ${signal ?? code}`));
      });
    });
  } finally {
    clearInterval(heartbeat);
  }
}

async function removeStaleStaging(dir: string): Promise<void> {
  // Only called while holding the lock, so any staging dir left here belongs to a dead build.
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('.staging-')) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

const LOCK_HEARTBEAT_MS = 30_000;
const LOCK_STALE_MS = 5 * 60_000;

/**
 * Runs `fn` while holding an exclusive lock file, so that parallel processes (e.g. test
 * workers) don't provision the same thing at once. The holder touches the file every 30 s;
 * a lock whose owner process is gone, or that has not been touched for 5 minutes, is taken over.
 */
export async function withFileLock<T>(lockPath: string, what: string, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
  };
  const content = JSON.stringify(me);
  let announced = false;
  for (;;) {
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await staleLockOwner(lockPath);
    if (owner === 'stale') {
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (!announced) {
      progress(`waiting for another process (${owner}) that is ${what} (lock: ${lockPath})`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }

  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    try {
      if ((await fs.readFile(lockPath, 'utf8')) === content) await fs.rm(lockPath, { force: true });
    } catch {
      // already gone
    }
  }
}

/** Returns 'stale' or a description of the live owner. */
async function staleLockOwner(lockPath: string): Promise<string> {
  let text: string;
  let mtimeMs: number;
  try {
    text = await fs.readFile(lockPath, 'utf8');
    mtimeMs = (await fs.stat(lockPath)).mtimeMs;
  } catch {
    return 'stale'; // vanished between our attempts: just retry
  }
  const age = Date.now() - mtimeMs;
  if (age > LOCK_STALE_MS) return 'stale';
  let owner: LockOwner | undefined;
  try {
    owner = JSON.parse(text) as LockOwner;
  } catch {
    // Written non-atomically by `wx` + write: give the writer a moment.
    return age > 10_000 ? 'stale' : 'unknown';
  }
  if (owner.host === os.hostname() && !isProcessAlive(owner.pid)) return 'stale';
  return `pid ${owner.pid} on ${owner.host}`;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

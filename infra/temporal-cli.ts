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
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { goInstallCached } from './go-build';
import { findOnPath, isExecutable, isHostReachable } from './provisioning';
import { loadHostConfig } from '../config';

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
  const { built } = await goInstallCached({
    what: 'the Temporal CLI',
    packages: [`${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
    binaries: { temporal: target },
    lock: 'temporal-cli.lock',
    flags: [`-ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.replace(/^v/, '')}`],
    withoutGo: [
      'Cannot provide a Temporal server:',
      '  - TEMPORAL_ADDRESS (an existing server) is not set,',
      '  - TEMPORAL_CLI_PATH (a temporal binary) is not set,',
      '  - no `temporal` on PATH,',
      `  - no cached build at ${target},`,
      `  - ${TEMPORAL_DOWNLOAD_HOST} is unreachable, and`,
      `  - Go is not installed, so ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} cannot be built.`,
      'Install Go (>= 1.25, or any Go with GOTOOLCHAIN=auto and the Go module proxy reachable),',
      'or set TEMPORAL_CLI_PATH or TEMPORAL_ADDRESS.',
    ],
  });
  return { path: target, origin: built ? 'built' : 'cache' };
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

/** Guards against some unrelated program called `temporal`. */
async function isTemporalCli(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      resolve(!err && /^temporal version/m.test(stdout));
    });
  });
}

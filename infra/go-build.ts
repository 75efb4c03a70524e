/**
 * Builds Go programs from the Go module proxy into Docket's cache dir, once per machine: `go install`
 * into a staging folder, then renamed into place, under a lock file so that parallel processes
 * (test workers, several servers starting at once) build once and the others wait for that build.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withFileLock } from './file-lock';
import { findOnPath, formatSeconds, isExecutable, progress, runStreaming } from './provisioning';
import { childEnvironment, loadHostConfig } from '../config';

export interface GoInstall {
  /** What is built, for progress lines and errors ("the Temporal CLI"). */
  what: string;
  /** `module/path/cmd@version` arguments of `go install`. */
  packages: string[];
  /** The binaries go install writes (the last element of each package path), each to the file it is kept as. */
  binaries: Record<string, string>;
  /** Name of the lock file under `<cache>/locks`. */
  lock: string;
  /** Extra `go install` flags (e.g. `-ldflags=…`). */
  flags?: string[];
  /** What to do when Go is missing: the lines of the error that says so. */
  withoutGo: string[];
}

/**
 * The binaries of `install`, built when any of them is missing (`built` says whether this call built them).
 * A build shows go's own output, a line every 30 s, and how long it took.
 */
export async function goInstallCached(install: GoInstall): Promise<{ built: boolean; ms: number }> {
  const targets = Object.values(install.binaries);
  const present = async () => (await Promise.all(targets.map(isExecutable))).every(Boolean);
  if (await present()) return { built: false, ms: 0 };

  const go = await findGo();
  if (!go) throw new Error(install.withoutGo.join('\n'));

  const binDir = path.dirname(targets[0]!);
  await fs.mkdir(binDir, { recursive: true });
  return withFileLock(
    path.join(loadHostConfig().cacheDir, 'locks', install.lock),
    async () => {
      // Another process may have finished the build while we waited for the lock.
      if (await present()) return { built: false, ms: 0 };
      const staging = path.join(binDir, `.staging-${process.pid}`);
      await removeStaleStaging(binDir);
      await fs.mkdir(staging, { recursive: true });
      const started = Date.now();
      progress(
        `building ${install.what} from source (${install.packages.join(', ')}) into ${binDir}; the first build takes several minutes`,
      );
      try {
        await runStreaming(
          go,
          ['install', ...(install.flags ?? []), ...install.packages],
          childEnvironment({ GOBIN: staging }),
          `building ${install.what}`,
        );
        for (const [name, target] of Object.entries(install.binaries)) {
          const built = path.join(staging, name);
          if (!(await isExecutable(built))) throw new Error(`go install finished but ${built} is missing`);
          await fs.rename(built, target);
        }
      } finally {
        await fs.rm(staging, { recursive: true, force: true });
      }
      const ms = Date.now() - started;
      progress(`built ${install.what} in ${formatSeconds(ms)}: ${targets.join(', ')}`);
      return { built: true, ms };
    },
    { what: `building ${install.what}`, pollMs: 1000 },
  );
}

export async function findGo(): Promise<string | undefined> {
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

async function removeStaleStaging(dir: string): Promise<void> {
  // Only called while holding the lock, so any staging dir left here belongs to a dead build.
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('.staging-')) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

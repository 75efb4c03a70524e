/**
 * Builds the web UI (web/) with vite into `.cache/web/<hash of the sources>` and
 * returns that folder; a build of the same sources is reused. `npm start` and the
 * browser tests call it, so no manual build step is needed. Run alone, it prints the folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const WEB = path.join(ROOT, 'web');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (name === 'test' || name === 'node_modules' || name === 'dist') continue;
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else out.push(full);
  }
  return out;
}

/** A hash of everything the build reads: the web sources, this script and the installed vite and preact. */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(WEB), __filename]) {
    hash.update(path.relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  for (const pkg of ['vite', 'preact']) {
    const manifest = path.join(ROOT, 'node_modules', pkg, 'package.json');
    hash.update(existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : 'none');
  }
  return hash.digest('hex').slice(0, 16);
}

/** The folder of a build of the current sources, building it first when there is none. */
export async function ensureWebBuild(options: { cacheDir?: string; log?: (line: string) => void } = {}): Promise<string> {
  const cache = options.cacheDir ?? path.join(ROOT, '.cache', 'web');
  const out = path.join(cache, webSourceHash());
  if (existsSync(path.join(out, 'index.html'))) return out;
  mkdirSync(cache, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}-${Date.now()}`;
  options.log?.('  building the web UI…');
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: WEB,
    base: '/',
    logLevel: 'warn',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: { outDir: tmp, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  });
  try {
    renameSync(tmp, out);
  } catch (err) {
    // Another process built the same sources meanwhile: use its build.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(out, 'index.html'))) throw err;
  }
  // Keep the cache small: only the newest few builds.
  const builds = readdirSync(cache)
    .filter((n) => /^[0-9a-f]{16}$/.test(n))
    .map((n) => ({ n, t: statSync(path.join(cache, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const old of builds.slice(5)) rmSync(path.join(cache, old.n), { recursive: true, force: true });
  return out;
}

if (require.main === module) {
  ensureWebBuild()
    .then((dir) => process.stdout.write(`${dir}\n`))
    .catch((err: unknown) => {
      console.error(`building the web UI failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}

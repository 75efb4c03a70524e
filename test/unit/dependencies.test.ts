import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';

// The lockfile is what `npm ci` installs: it must list every package (the optional
// native packages of other platforms too, or `npm ci` refuses it), and every package
// in it must run on the oldest Node version package.json admits.
const root = join(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

describe('package-lock.json', () => {
  const oldestNode = semver.minVersion(manifest.engines.node);

  it('names a Node version the machines run', () => {
    expect(oldestNode).not.toBeNull();
    expect(semver.major(oldestNode!)).toBe(20);
  });

  it('holds only packages that run on the oldest Node version package.json admits', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
      if (!path || range === undefined) continue;
      if (!semver.satisfies(oldestNode!, range)) refusing.push(`${path} (node ${range})`);
    }
    expect(refusing).toEqual([]);
  });

  it('lists every direct dependency at the exact version package.json names', () => {
    const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
    const wrong = Object.entries(wanted)
      .filter(([name, version]) => lock.packages[`node_modules/${name}`]?.version !== version)
      .map(([name, version]) => `${name}@${version}`);
    expect(wrong).toEqual([]);
  });

  it('lists the optional packages of every platform, as npm ci requires', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path}/node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push(`${name} (for ${path || 'the project'})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/**
 * Issue 13: the environment is read in config/ only; what infra and `npm start` read there keeps
 * the names, defaults and precedence they had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, loadHostConfig, writeRuntimeInfo } from '../../config';

test('the servers and tools of this machine default as before', () => {
  const host = loadHostConfig({});
  expect(host.ports).toEqual({ postgres: 5433, temporal: 7233, temporalUi: 8233 });
  expect(host.cacheDir).toBe(path.join(homedir(), '.cache', 'docket'));
  expect(host.temporalNamespace).toBe('default');
  expect(host.databaseUrl).toBeUndefined();
  expect(host.temporalAddress).toBeUndefined();
  expect(host.user).toBe('unknown');
  expect(host.searchPath).toEqual([]);
});

test('variables set override the defaults; blank ones count as unset', () => {
  const host = loadHostConfig({
    DOCKET_PG_PORT: '6543',
    DOCKET_TEMPORAL_PORT: '17233',
    DOCKET_TEMPORAL_UI_PORT: '18233',
    XDG_CACHE_HOME: '/var/cache',
    DATABASE_URL: '  ',
    TEMPORAL_ADDRESS: ' 10.0.0.1:7233 ',
    TEMPORAL_CLI_PATH: '',
    MAVEN_HOME: '',
    M2_HOME: '/opt/m2',
    PATH: ['/a', '', '/b'].join(path.delimiter),
    USERNAME: 'ops',
  });
  expect(host.ports).toEqual({ postgres: 6543, temporal: 17233, temporalUi: 18233 });
  expect(host.cacheDir).toBe('/var/cache/docket');
  expect(host.databaseUrl).toBeUndefined();
  expect(host.temporalAddress).toBe('10.0.0.1:7233');
  expect(host.temporalCliPath).toBeUndefined();
  expect(host.mavenHomes).toEqual(['/opt/m2']);
  expect(host.searchPath).toEqual(['/a', '/b']);
  expect(host.user).toBe('ops');
  expect(loadHostConfig({ DOCKET_CACHE_DIR: '/x/cache', XDG_CACHE_HOME: '/var/cache' }).cacheDir).toBe('/x/cache');
});

test('a port that is not a number is refused, naming the variable', () => {
  expect(() => loadHostConfig({ DOCKET_PG_PORT: 'five' })).toThrow(/DOCKET_PG_PORT/);
});

test('npm start takes its servers from the environment only, not from an earlier run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-config-'));
  try {
    writeRuntimeInfo(dir, { temporalAddress: '127.0.0.1:7233', namespace: 'default', taskQueue: 'docket', pid: 1 });
    expect(loadConfig({ DOCKET_DATA_DIR: dir }).temporalAddress).toBe('127.0.0.1:7233');
    expect(loadConfig({ DOCKET_DATA_DIR: dir }, { serversFromRuntimeFile: false }).temporalAddress).toBeUndefined();
    expect(loadConfig({ DOCKET_DATA_DIR: dir, TEMPORAL_ADDRESS: 'temporal:7233' }, { serversFromRuntimeFile: false }).temporalAddress).toBe(
      'temporal:7233',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Issue 12: the embedded database's secrets file is private, and each process gets the URL of
 * its own role from configuration; the runtime file carries no password.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { roleUrls, urlFor } from '../../adapters/postgres/roles';
import { defaultSecretsFile, readSecrets, SecretsFileError, writeSecrets, type PostgresSecrets } from '../../infra/postgres/secrets';
import { loadConfig, runtimeDatabaseFields, runtimeFile, writeRuntimeInfo } from '../../config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'docket-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const secrets: PostgresSecrets = {
  superuser: { user: 'postgres', password: 'su-Pw_1' },
  roles: { owner: 'owner-Pw_2', api: 'api-Pw_3', worker: 'worker-Pw_4' },
};

test('the secrets file sits beside the data directory, in a folder of its own', () => {
  expect(defaultSecretsFile('/srv/docket/data/postgres')).toBe('/srv/docket/data/secrets/postgres.json');
});

test('the secrets file is written mode 0600 in a 0700 folder and read back', async () => {
  const file = path.join(dir, 'secrets', 'postgres.json');
  await writeSecrets(file, secrets);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  expect(readSecrets(file)).toEqual(secrets);
  expect(readSecrets(path.join(dir, 'none.json'))).toBeUndefined();
});

test('a secrets file others may read is made private when read', async () => {
  const file = path.join(dir, 'secrets', 'postgres.json');
  await writeSecrets(file, secrets);
  chmodSync(file, 0o644);
  readSecrets(file);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test('a damaged secrets file is refused with its path, not taken for a missing one', () => {
  const file = path.join(dir, 'postgres.json');
  writeFileSync(file, '{"superuser":{"user":"postgres"}}', { mode: 0o600 });
  expect(() => readSecrets(file)).toThrow(SecretsFileError);
  expect(() => readSecrets(file)).toThrow(file);
});

test('role URLs keep the server and database and encode the password', () => {
  const urls = roleUrls('postgres://postgres:x@db.example.com:5432/docket', { owner: 'a/b', api: 'c@d', worker: 'e:f' });
  expect(urls.api).toBe('postgres://docket_api:c%40d@db.example.com:5432/docket');
  expect(new URL(urls.owner).username).toBe('docket_owner');
  expect(decodeURIComponent(new URL(urls.worker).password)).toBe('e:f');
  expect(urlFor('postgres://127.0.0.1:5433/docket', 'docket_worker', 'p')).toBe('postgres://docket_worker:p@127.0.0.1:5433/docket');
});

describe('configuration', () => {
  function startedEmbedded(): void {
    const secretsFile = path.join(dir, 'secrets', 'postgres.json');
    writeRuntimeInfo(dir, {
      ...runtimeDatabaseFields({ url: 'postgres://postgres:su-Pw_1@127.0.0.1:5433/docket', embedded: true, secretsFile }),
      temporalAddress: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'docket',
      pid: 1,
    });
  }

  test('the runtime file of an embedded database names no user and no password, and is mode 0600', async () => {
    const secretsFile = path.join(dir, 'secrets', 'postgres.json');
    await writeSecrets(secretsFile, secrets);
    startedEmbedded();
    const text = readFileSync(runtimeFile(dir), 'utf8');
    expect(statSync(runtimeFile(dir)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(text)).toMatchObject({ database: 'postgres://127.0.0.1:5433/docket', databaseSecrets: secretsFile });
    for (const word of ['su-Pw_1', 'owner-Pw_2', 'api-Pw_3', 'worker-Pw_4']) expect(text).not.toContain(word);
    expect(text).not.toMatch(/\/\/[^/"]*@/);
  });

  test('an external DATABASE_URL is not written to the runtime file', () => {
    expect(runtimeDatabaseFields({ url: 'postgres://admin:secret@db:5432/docket', embedded: false })).toEqual({});
  });

  test('with a running npm start, the API and the CLI get docket_api, a worker docket_worker', async () => {
    await writeSecrets(path.join(dir, 'secrets', 'postgres.json'), secrets);
    startedEmbedded();
    const config = loadConfig({ DOCKET_DATA_DIR: dir });
    expect(config.apiDatabaseUrl).toBe('postgres://docket_api:api-Pw_3@127.0.0.1:5433/docket');
    expect(config.workerDatabaseUrl).toBe('postgres://docket_worker:worker-Pw_4@127.0.0.1:5433/docket');
    expect(config.databaseUrl).toBe(config.apiDatabaseUrl);
    expect(JSON.stringify(config)).not.toContain('su-Pw_1');
    expect(JSON.stringify(config)).not.toContain('owner-Pw_2');
  });

  test('the environment wins: role URLs, then DATABASE_URL for every process', async () => {
    await writeSecrets(path.join(dir, 'secrets', 'postgres.json'), secrets);
    startedEmbedded();
    const only = loadConfig({ DOCKET_DATA_DIR: dir, DATABASE_URL: 'postgres://admin:a@db:5432/docket' });
    expect(only).toMatchObject({
      databaseUrl: 'postgres://admin:a@db:5432/docket',
      apiDatabaseUrl: 'postgres://admin:a@db:5432/docket',
      workerDatabaseUrl: 'postgres://admin:a@db:5432/docket',
      databaseSetup: { adminUrl: 'postgres://admin:a@db:5432/docket', passwords: {} },
    });
    const roles = loadConfig({
      DOCKET_DATA_DIR: dir,
      DATABASE_URL: 'postgres://admin:a@db:5432/docket',
      DOCKET_API_DATABASE_URL: 'postgres://docket_api:b@db:5432/docket',
      DOCKET_WORKER_DATABASE_URL: 'postgres://docket_worker:c@db:5432/docket',
      DOCKET_DB_API_PASSWORD: 'given',
    });
    expect(roles.apiDatabaseUrl).toBe('postgres://docket_api:b@db:5432/docket');
    expect(roles.workerDatabaseUrl).toBe('postgres://docket_worker:c@db:5432/docket');
    expect(roles.databaseSetup?.passwords).toEqual({ api: 'given' });
  });

  test('a role URL that is not a URL is refused naming the variable', () => {
    expect(() => loadConfig({ DOCKET_DATA_DIR: dir, DOCKET_WORKER_DATABASE_URL: 'docket_worker@db' })).toThrow(
      /DOCKET_WORKER_DATABASE_URL/,
    );
  });
});

/**
 * The data-at-scale part of `npm run bench`: on PostgreSQL of its own (`.cache/bench-scale-postgres`,
 * port 5443, kept between runs with the data set in it), or on the server of DATABASE_URL.
 */
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loadCalendar } from '../../client/setup';
import { loadConfig, PROJECT_ROOT } from '../../config';
import { startPostgres, type RunningPostgres } from '../../infra/postgres';
import { runScale, type ScaleOptions, type ScaleResult } from './run';
import type { Log } from './seed';

export const SCALE_POSTGRES_PORT = 5443;
const MB = 1024 * 1024;

const startOwn = () => startPostgres({ dataDir: path.join(PROJECT_ROOT, '.cache', 'bench-scale-postgres'), port: SCALE_POSTGRES_PORT });

/**
 * Gives the bench's own server the memory a database server of this size is given (a quarter of the
 * machine's memory for shared buffers, at most 4 GB; the embedded default is 128 MB), restarting it
 * once when that changes. A server at DATABASE_URL is left as it is configured.
 */
async function withServerMemory(pg: RunningPostgres, log: Log): Promise<RunningPostgres> {
  if (!pg.embedded) return pg;
  const sharedMb = Math.max(128, Math.min(4096, Math.floor(os.totalmem() / MB / 4)));
  const cacheMb = Math.floor(os.totalmem() / MB / 2);
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  let changed: boolean;
  try {
    const { rows } = await client.query<{ mb: number }>(
      `SELECT setting::bigint * 8 / 1024 AS mb FROM pg_settings WHERE name = 'shared_buffers'`,
    );
    changed = Number(rows[0]?.mb) !== sharedMb;
    if (changed) {
      await client.query(`ALTER SYSTEM SET shared_buffers = '${sharedMb}MB'`);
      await client.query(`ALTER SYSTEM SET effective_cache_size = '${cacheMb}MB'`);
    }
  } finally {
    await client.end();
  }
  if (!changed) return pg;
  log(`  restarting it with shared_buffers = ${sharedMb} MB, effective_cache_size = ${cacheMb} MB`);
  await pg.stop();
  return startOwn();
}

/** The server the data set lives on: the bench's own (memory as above), or DATABASE_URL's. */
export async function startScaleServer(log: Log = console.log): Promise<RunningPostgres> {
  log('Starting PostgreSQL for the data at scale…');
  return withServerMemory(await startOwn(), log);
}

export async function runScaleBench(opts: ScaleOptions, log: Log = console.log): Promise<ScaleResult> {
  const config = loadConfig();
  const calendar = await loadCalendar(config);
  const pg = await startScaleServer(log);
  try {
    return await runScale(opts, { serverUrl: pg.url, definitionsDir: config.definitionsDir, calendar }, log);
  } finally {
    await pg.stop();
  }
}

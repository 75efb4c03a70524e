import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { PostgresCaseStore } from '../adapters/postgres';
import { validateCalendar } from '../engine/calendar';
import type { CalendarData } from '../engine/types';
import type { DocketConfig } from '../worker/config';
import { DocketClient } from './docket-client';
import { FileDefinitionSource } from './definitions';

/** The calendar new cases are pinned to: the configured file, with an optional time zone override. */
export async function loadCalendar(config: Pick<DocketConfig, 'calendarFile' | 'timeZone'>): Promise<CalendarData> {
  const data = JSON.parse(await readFile(config.calendarFile, 'utf8')) as Record<string, unknown>;
  return validateCalendar(config.timeZone ? { ...data, timeZone: config.timeZone } : data);
}

export interface ConnectedClient {
  docket: DocketClient;
  close(): Promise<void>;
}

/** Connects a DocketClient to the configured Temporal server and database. */
export async function connectDocket(config: DocketConfig): Promise<ConnectedClient> {
  if (!config.databaseUrl) throw new Error('no database: set DATABASE_URL, or run `npm start` first');
  const connection = await Connection.connect({ address: config.temporalAddress ?? 'localhost:7233' });
  const pool = new Pool({ connectionString: config.databaseUrl, max: 4 });
  const docket = new DocketClient({
    temporal: new Client({ connection, namespace: config.namespace }),
    store: new PostgresCaseStore(pool),
    definitions: new FileDefinitionSource(config.definitionsDir),
    calendar: await loadCalendar(config),
    taskQueue: config.taskQueue,
    continueAsNewAfter: config.continueAsNewAfter,
  });
  return {
    docket,
    async close() {
      await pool.end();
      await connection.close();
    },
  };
}

import { createPool } from '../adapters/postgres';
import { Client, Connection } from '@temporalio/client';
import { PostgresCaseStore, PostgresIncidentStore } from '../adapters/postgres';
import { validateCalendar } from '../engine/calendar';
import type { CalendarData } from '../engine/types';
import { temporalTls, type DocketConfig } from '../config';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { resolveActorKeys, VouchCodec } from '../security';
import { DocketClient } from './docket-client';
import { CaseMigrations } from './case-migration';
import { DefinitionLifecycle } from './lifecycle';
import { CalendarSource, readCalendarFile } from './calendars';
import { PostgresCalendarStore } from '../adapters/postgres/calendar-store';
import { PostgresCustomerStore } from '../adapters/postgres/customer-store';

/** The calendar new cases are pinned to: the configured file, with an optional time zone override. */
export async function loadCalendar(config: Pick<DocketConfig, 'calendarFile' | 'timeZone'>): Promise<CalendarData> {
  const data = await readCalendarFile(config);
  return validateCalendar(config.timeZone ? { ...data, timeZone: config.timeZone } : data);
}

export interface ConnectedClient {
  docket: DocketClient;
  /** Drafts, publishing, diffs and diagrams (process owners). */
  lifecycle?: DefinitionLifecycle;
  /** Migration of running cases (process owners). */
  migrations?: CaseMigrations;
  /** The connection to Temporal (for checks such as its search attributes). */
  connection?: Connection;
  /** The business calendar's versions (new cases pin the newest). */
  calendars?: CalendarSource;
  close(): Promise<void>;
}

/** Connects a DocketClient to the configured Temporal server and database. */
export async function connectDocket(config: DocketConfig): Promise<ConnectedClient> {
  if (!config.databaseUrl) throw new Error('no database: set DATABASE_URL, or run `npm start` first');
  const connection = await Connection.connect({ address: config.temporalAddress ?? 'localhost:7233', tls: temporalTls(config) });
  const pool = createPool({ connectionString: config.databaseUrl, max: 4 });
  // Definitions live in the database; the shipped versions are imported on first use (adapters/postgres/definition-store.ts).
  const definitions = new PostgresDefinitionStore(pool, { importDir: config.definitionsDir });
  const store = new PostgresCaseStore(pool);
  const calendars = new CalendarSource(new PostgresCalendarStore(pool), config);
  const calendar = await calendars.current();
  const docket = new DocketClient({
    temporal: new Client({
      connection,
      namespace: config.namespace,
      dataConverter: { payloadCodecs: [new VouchCodec(resolveActorKeys(config))] },
    }),
    store,
    incidents: new PostgresIncidentStore(pool),
    definitions,
    calendar,
    calendars,
    taskQueue: config.taskQueue,
    continueAsNewAfter: config.continueAsNewAfter,
    customers: new PostgresCustomerStore(pool),
    requireCustomerRecord: config.requireCustomerRecord,
  });
  const lifecycle = new DefinitionLifecycle({ store: definitions, cases: store });
  return {
    docket,
    lifecycle,
    migrations: new CaseMigrations({ lifecycle, store: definitions, docket, cases: store, calendar }),
    connection,
    calendars,
    async close() {
      await pool.end();
      await connection.close();
    },
  };
}

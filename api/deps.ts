import type { Pool } from 'pg';
import type { PostgresCaseQueries } from '../adapters/postgres/case-query';
import type { PostgresCaseStore } from '../adapters/postgres/case-store';
import type { PostgresCustomerStore } from '../adapters/postgres/customer-store';
import type { PostgresSecurityLog } from '../adapters/postgres/security-log';
import type { PostgresUserStore } from '../adapters/postgres/user-store';
import type { DocketClient } from '../client/docket-client';
import type { FollowUps } from '../client/follow-ups';
import type { Handovers } from '../client/handovers';
import type { CaseMigrations } from '../client/case-migration';
import type { CalendarSource } from '../client/calendars';
import type { DefinitionLifecycle } from '../client/lifecycle';
import type { Authenticator } from './auth';
import type { DefinitionCatalog } from './catalog';

/** What the API runs on. */
export interface ApiDeps {
  docket: DocketClient;
  caseStore: PostgresCaseStore;
  queries: PostgresCaseQueries;
  users: PostgresUserStore;
  /** Customer records, their grades, contacts and timelines. */
  customers: PostgresCustomerStore;
  /** Customers' follow-up plans, kept in step with their records. */
  followUps: FollowUps;
  /** Handovers of customers from one rep to another. */
  handovers: Handovers;
  securityLog: PostgresSecurityLog;
  catalog: DefinitionCatalog;
  authenticator: Authenticator;
  /** The API's own PostgreSQL pool: readiness queries it, the business metrics are counted on it. */
  pool: Pool;
  /** The audit public keyring (`DOCKET_AUDIT_PUBLIC_KEYS_FILE`): the keys verifications trust; without it, docket.audit_keys. */
  auditPublicKeysFile?: string;
  /** Drafts, publishing, diffs and diagrams of process owners (absent: those routes answer 503). */
  lifecycle?: DefinitionLifecycle;
  /** Migration of running cases by process owners (absent: those routes answer 503). */
  migrations?: CaseMigrations;
  /** The business calendar's versions (absent: the calendar routes answer 503). */
  calendars?: CalendarSource;
}

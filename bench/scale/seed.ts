/**
 * `npm run bench -- --seed-scale`: loads a large organisation's data into a database of its own
 * (never the user's): the shipped definitions published as the app publishes them, users in every
 * role, customers with their grade history and contact log, and open and closed cases with their
 * transitions and notifications (./templates.ts, ./plan.ts, ./rows.ts), with COPY. The indexes of
 * the big tables are dropped for the load and built again from their own definitions, so the end
 * state is the migrated schema. What was seeded is recorded in `bench_scale.seeded`; a later run
 * asking for the same reuses it (after applying the migrations added since).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { MigrationError } from '../../adapters/postgres/errors';
import { loadMigrations, migrate } from '../../adapters/postgres/migrate';
import { PostgresDefinitionStore, shippedVersions } from '../../adapters/postgres/definition-store';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { keyIdOf } from '../../audit/keys';
import type { CalendarData } from '../../engine/types';
import { createDatabase } from '../../infra/postgres';
import { CopyIn, copyText, textArray } from './copy';
import { customerId, makeContacts, makeCustomer, makeUsers } from './people';
import { countsAt, planCases, type ScaleCounts, type TemplatePools } from './plan';
import { Rng, SkewedPicker } from './rng';
import { CASE_COLUMNS, caseRows, OUTBOX_COLUMNS, RowHeap, TRANSITION_COLUMNS, type Signing, type Table } from './rows';
import { walkTemplates } from './templates';

/** The files that decide what is seeded: a change to any of them (or to a definition) seeds the data set again. */
const GENERATOR_FILES = ['copy.ts', 'payloads.ts', 'people.ts', 'pieces.ts', 'plan.ts', 'rng.ts', 'rows.ts', 'seed.ts', 'templates.ts'];

/** A digest of the generator's source and of the definitions it walks: what a seeded data set was made by. */
export async function generatorDigest(definitionsDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of GENERATOR_FILES) hash.update(await readFile(path.join(__dirname, file)));
  const definitions = await shippedVersions(definitionsDir);
  for (const [processId, chain] of [...definitions].sort(([a], [b]) => a.localeCompare(b)))
    for (const d of chain) hash.update(`${processId}:${d.version}:${d.hash}\n`);
  return `scale-seed:${hash.digest('hex').slice(0, 16)}`;
}
/** The tables loaded with their secondary indexes dropped (and primary keys, where nothing refers to them). */
const BIG_TABLES = ['cases', 'transitions', 'notification_outbox'];
/**
 * The triggers that keep the reports' rollups (migrations 021 to 023, 030) and their counts (024,
 * 026), and the users' cases (027), by table: off during the load, rebuilt after it.
 */
const REPORT_TRIGGERS: Record<string, string[]> = {
  transitions: [
    'transitions_report_stays',
    'transitions_report_approvals',
    'transitions_report_events',
    'transitions_report_escalations',
    'transitions_report_first_wins',
    'transitions_user_cases',
  ],
  cases: [
    'cases_report_events_insert',
    'cases_report_events_update',
    'cases_report_cases_insert',
    'cases_report_cases_update',
    'cases_report_cases_delete',
    'cases_report_firsts_insert',
    'cases_report_firsts_update',
    'cases_report_firsts_delete',
    'cases_user_cases_insert',
    'cases_user_cases_update',
    'cases_user_cases_delete',
  ],
  report_events: [
    'report_events_counts_insert',
    'report_events_counts_update',
    'report_events_counts_delete',
    'report_events_counts_truncate',
    'report_events_report_counts_insert',
    'report_events_report_counts_update',
    'report_events_report_counts_delete',
    'report_events_report_counts_truncate',
  ],
  notification_outbox: [
    'notification_outbox_report_escalations_insert',
    'notification_outbox_report_escalations_update',
    'notification_outbox_report_escalations_delete',
  ],
  report_stays: ['report_stays_counts_insert', 'report_stays_counts_update', 'report_stays_counts_delete', 'report_stays_counts_truncate'],
  report_approvals: [
    'report_approvals_counts_insert',
    'report_approvals_counts_update',
    'report_approvals_counts_delete',
    'report_approvals_counts_truncate',
  ],
  report_cases: ['report_cases_counts_insert', 'report_cases_counts_update', 'report_cases_counts_delete', 'report_cases_counts_truncate'],
  customer_grade_changes: ['customer_grade_changes_report_intention'],
  customers: ['customers_report_intention_owner'],
  report_escalations: [
    'report_escalations_counts_insert',
    'report_escalations_counts_update',
    'report_escalations_counts_delete',
    'report_escalations_counts_truncate',
  ],
};

/** Turns the reports' rollup triggers off or on. */
async function reportTriggers(pool: Pool, action: 'DISABLE' | 'ENABLE'): Promise<void> {
  for (const [table, triggers] of Object.entries(REPORT_TRIGGERS)) {
    await pool.query(`ALTER TABLE docket.${table} ${triggers.map((t) => `${action} TRIGGER ${t}`).join(', ')}`);
  }
}
/** How skewed customers are: a few large accounts with many cases, many with a few. */
const CUSTOMER_SKEW = 0.5;

export type Log = (line: string) => void;

export interface SeedOptions {
  /** A connection URL of the server (as a role that may create databases). */
  serverUrl: string;
  /** The database to seed (created when missing; never one that holds other data: it is dropped to reseed). */
  database: string;
  /** 1: 100,000 open cases, 1,000,000 closed, 10,000,000 transitions, 50,000 customers. */
  scale: number;
  /** Seed again even when the database holds this scale already. */
  reseed?: boolean;
  seed?: number;
  definitionsDir: string;
  calendar: CalendarData;
  /** One case in `signEvery` has every row signed (0: none); signing all 10 million rows would take long. */
  signEvery?: number;
  log?: Log;
}

export interface SeededCounts {
  openCases: number;
  closedCases: number;
  transitions: number;
  customers: number;
  users: number;
  gradeChanges: number;
  contacts: number;
  notifications: number;
  escalations: number;
  signedCases: number;
}

export interface SeedInfo {
  databaseUrl: string;
  reused: boolean;
  scale: number;
  asked: ScaleCounts;
  counts: SeededCounts;
  /** The instant the data set's "now" is (cases closed before it, open ones last touched before it). */
  seededAt: string;
  /** `rollups` is missing from records of seeds made before the reports' rollups. */
  seconds: { total: number; templates: number; load: number; indexes: number; rollups?: number; analyze: number };
  /** Transitions per second of the load (COPY), indexes not counted. */
  loadRowsPerS: number;
  signEvery: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function migrationsDigest(): Promise<string> {
  const list = await loadMigrations();
  return createHash('sha256')
    .update(list.map((m) => `${m.version}:${m.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** Seeds the database (or finds it seeded as asked) and returns what it holds. */
export async function seedScale(opts: SeedOptions): Promise<SeedInfo> {
  const log = opts.log ?? (() => undefined);
  const seed = opts.seed ?? 20_260_105;
  const signEvery = opts.signEvery ?? 100;
  const asked = countsAt(opts.scale);
  const digest = await migrationsDigest();
  const generator = await generatorDigest(opts.definitionsDir);
  let databaseUrl = await createDatabase(opts.serverUrl, opts.database);
  if (!opts.reseed) {
    const found = await recorded(databaseUrl);
    if (found && found.scale === opts.scale && found.seed === seed && found.generator === generator) {
      if (found.migrations === digest || (await upgraded(databaseUrl, digest, log))) {
        log(`Reusing ${opts.database}: seeded at scale ${opts.scale} on ${found.info.seededAt} (--reseed to seed it again)`);
        return { ...found.info, databaseUrl, reused: true };
      }
    } else if (found) log(`${opts.database} holds another data set (${found.generator}, scale ${found.scale}): seeding it again`);
  }
  databaseUrl = await createDatabase(opts.serverUrl, opts.database, { fresh: true });
  const t0 = performance.now();
  const pool = new Pool({ connectionString: databaseUrl, max: 5 });
  try {
    return await seedInto(pool, databaseUrl, opts, { seed, signEvery, asked, digest, generator, log, t0 });
  } finally {
    await pool.end();
  }
}

/**
 * Brings a seeded database up to the migrations added since, as an upgrade brings a production
 * database (their own backfills included); false when a migration it ran has changed since (seed again).
 */
async function upgraded(databaseUrl: string, digest: string, log: Log): Promise<boolean> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const applied = await migrate(pool);
    if (applied.length > 0) {
      log(`  applied ${applied.join(', ')} to the seeded data; analysing…`);
      await pool.query('ANALYZE');
    }
    await pool.query('UPDATE bench_scale.seeded SET migrations = $1', [digest]);
    return true;
  } catch (err) {
    if (!(err instanceof MigrationError)) throw err;
    log(`  ${err.message}: seeding again`);
    return false;
  } finally {
    await pool.end();
  }
}

interface Recorded {
  scale: number;
  seed: number;
  generator: string;
  migrations: string;
  info: SeedInfo;
}

async function recorded(databaseUrl: string): Promise<Recorded | undefined> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { rows } = await pool.query<{ t: string | null }>(`SELECT to_regclass('bench_scale.seeded')::text AS t`);
    if (rows[0]?.t == null) return undefined;
    const found = await pool.query<{ scale: number; seed: number; generator: string; migrations: string; info: SeedInfo }>(
      'SELECT scale, seed, generator, migrations, info FROM bench_scale.seeded WHERE finished',
    );
    return found.rows[0];
  } finally {
    await pool.end();
  }
}

interface Run {
  seed: number;
  signEvery: number;
  asked: ScaleCounts;
  digest: string;
  generator: string;
  log: Log;
  t0: number;
}

async function seedInto(pool: Pool, databaseUrl: string, opts: SeedOptions, run: Run): Promise<SeedInfo> {
  const { seed, signEvery, asked, log } = run;
  const rng = new Rng(seed);
  const now = Date.now();
  log(
    `Seeding ${opts.database} at scale ${opts.scale}: ${fmt(asked.openCases)} open cases, ${fmt(asked.closedCases)} closed, ` +
      `${fmt(asked.transitions)} transitions, ${fmt(asked.customers)} customers…`,
  );
  await migrate(pool);
  await new PostgresDefinitionStore(pool).importFiles(opts.definitionsDir);
  await pool.query(`CREATE SCHEMA bench_scale;
    CREATE TABLE bench_scale.seeded (
      id int PRIMARY KEY DEFAULT 1 CHECK (id = 1), scale float8 NOT NULL, seed int NOT NULL, generator text NOT NULL,
      migrations text NOT NULL, finished boolean NOT NULL DEFAULT false, info jsonb);
    CREATE TABLE bench_scale.samples (kind text NOT NULL, id text NOT NULL, PRIMARY KEY (kind, id))`);
  await pool.query('INSERT INTO bench_scale.seeded (scale, seed, generator, migrations) VALUES ($1, $2, $3, $4)', [
    opts.scale,
    seed,
    run.generator,
    run.digest,
  ]);

  // The definitions as the store published them: their hashes are the ones cases pin.
  const tTemplates = performance.now();
  const shipped = await shippedVersions(opts.definitionsDir);
  const stored = await pool.query<{ process_id: string; version: number; hash: string }>(
    `SELECT process_id, version, hash FROM docket.definition_versions WHERE status = 'published'`,
  );
  const pools: TemplatePools = new Map();
  const perVersion = Math.round(30 + 170 * Math.sqrt(Math.min(1, opts.scale)));
  let k = 0;
  for (const [processId, chain] of shipped) {
    const versions = [];
    for (const published of chain) {
      const row = stored.rows.find((r) => r.process_id === processId && r.version === published.version);
      if (row?.hash !== published.hash) throw new Error(`${processId} v${published.version} was not published as shipped`);
      versions.push(walkTemplates(published, opts.calendar, perVersion, seed + ++k));
    }
    pools.set(processId, versions);
  }
  const templateSeconds = (performance.now() - tTemplates) / 1000;
  log(`  ${k} definition versions, ${fmt(k * perVersion)} case templates walked through the engine (${templateSeconds.toFixed(1)} s)`);

  // The rollups' triggers are off from here (customers and their grade changes included), rebuilt at once after the load.
  await reportTriggers(pool, 'DISABLE');
  // People and customers.
  const { users, byRole } = makeUsers(opts.scale, rng);
  const owners = byRole.get('sales_rep')!;
  const managers = byRole.get('sales_manager')!;
  const agents = byRole.get('cs_agent')!;
  const ownerOf: Array<string | null> = [];
  let gradeChanges = 0;
  let contactCount = 0;
  const client = await pool.connect();
  try {
    const u = await CopyIn.start(client, 'docket.users', ['user_id', 'display_name', 'email', 'roles']);
    for (const user of users) await u.write([user.userId, copyText(user.displayName), user.email, textArray(user.roles)].join('\t'));
    await u.end();
    const c = await CopyIn.start(client, 'docket.customers', [
      'customer_id',
      'name',
      'contacts',
      'industry',
      'size',
      'business_scope',
      'need_type',
      'owner_id',
      'value_grade',
      'intention_grade',
      'created_at',
      'created_by',
      'updated_at',
      'updated_by',
    ]);
    const histories: Array<ReturnType<typeof makeCustomer>['changes']> = [];
    const logs: Array<ReturnType<typeof makeContacts>> = [];
    for (let i = 0; i < asked.customers; i++) {
      const { customer, changes } = makeCustomer(i, owners, managers, now, rng);
      ownerOf.push(customer.owner);
      const contacts = makeContacts(customer, agents, now, rng);
      const updatedAt = Math.max(customer.createdAt, changes.at(-1)?.at ?? 0);
      await c.write(
        [
          customer.customerId,
          copyText(customer.name),
          copyText(JSON.stringify(customer.contacts)),
          customer.industry,
          customer.size,
          copyText(customer.businessScope),
          customer.needType,
          copyText(customer.owner),
          copyText(customer.valueGrade),
          copyText(customer.intentionGrade),
          new Date(customer.createdAt).toISOString(),
          customer.createdBy,
          new Date(updatedAt).toISOString(),
          changes.at(-1)?.by ?? customer.createdBy,
        ].join('\t'),
      );
      histories.push(changes);
      logs.push(contacts);
    }
    await c.end();
    const g = await CopyIn.start(client, 'docket.customer_grade_changes', [
      'customer_id',
      'grade',
      'from_grade',
      'to_grade',
      'reason',
      'changed_by',
      'changed_as',
      'at',
    ]);
    for (const [i, changes] of histories.entries())
      for (const ch of changes) {
        gradeChanges++;
        await g.write(
          [
            customerId(i),
            ch.grade,
            copyText(ch.from),
            copyText(ch.to),
            copyText(ch.reason),
            ch.by,
            ch.as,
            new Date(ch.at).toISOString(),
          ].join('\t'),
        );
      }
    await g.end();
    const l = await CopyIn.start(client, 'docket.customer_contacts', [
      'customer_id',
      'channel',
      'direction',
      'summary',
      'at',
      'by_user',
      'by_role',
      'recorded_at',
    ]);
    for (const [i, contacts] of logs.entries())
      for (const e of contacts) {
        contactCount++;
        const at = new Date(e.at).toISOString();
        await l.write([customerId(i), e.channel, e.direction, copyText(e.summary), at, e.by, e.as, at].join('\t'));
      }
    await l.end();
  } finally {
    client.release();
  }
  log(`  ${fmt(users.length)} users, ${fmt(asked.customers)} customers, ${fmt(gradeChanges)} grade changes, ${fmt(contactCount)} contacts`);

  // The cases: planned, then written in the order things happened.
  const plans = planCases(pools, asked, now, new SkewedPicker(asked.customers, CUSTOMER_SKEW), rng);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signing: Signing = { keyId: keyIdOf(publicKey), privateKey, every: signEvery };
  await new PostgresCaseStore(pool).registerAuditKey({
    keyId: signing.keyId,
    algorithm: 'ed25519',
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    createdAt: new Date(now - 4 * 365 * 86_400_000).toISOString(),
  });
  const indexes = await dropIndexes(pool);
  const tLoad = performance.now();
  const loaded = await loadCases(pool, plans, { byRole, ownerOf: (i) => ownerOf[i] ?? null, customerId }, seed, signing, log);
  const loadSeconds = (performance.now() - tLoad) / 1000;

  const tIndexes = performance.now();
  log(`  building ${indexes.length} indexes of ${BIG_TABLES.join(', ')}…`);
  await buildIndexes(pool, indexes, log);
  const indexSeconds = (performance.now() - tIndexes) / 1000;

  // The reports' rollups from the loaded log at once (their triggers, row by row, were off for the
  // COPY), then their counts from them (their triggers were off for the rebuild).
  const tRollups = performance.now();
  log('  report rollups…');
  await pool.query('SELECT docket.rebuild_report_rollups()');
  await pool.query('SELECT docket.rebuild_target_rollups()');
  await pool.query('SELECT docket.rebuild_report_percentiles()');
  await pool.query('SELECT docket.rebuild_report_counts()');
  await pool.query('SELECT docket.rebuild_user_cases()');
  await reportTriggers(pool, 'ENABLE');
  const rollupSeconds = (performance.now() - tRollups) / 1000;

  const tAnalyze = performance.now();
  log('  VACUUM ANALYZE…');
  await pool.query('VACUUM (ANALYZE)');
  const analyzeSeconds = (performance.now() - tAnalyze) / 1000;

  await pool.query(
    `INSERT INTO bench_scale.samples (kind, id) SELECT 'signed', unnest($1::text[]) UNION ALL SELECT 'probe', unnest($2::text[])`,
    [loaded.signed, loaded.probes],
  );
  const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
  const counts: SeededCounts = {
    openCases: await count(`SELECT count(*) AS n FROM docket.cases WHERE status = 'open'`),
    closedCases: await count(`SELECT count(*) AS n FROM docket.cases WHERE status = 'completed'`),
    transitions: await count('SELECT count(*) AS n FROM docket.transitions'),
    customers: await count('SELECT count(*) AS n FROM docket.customers'),
    users: await count('SELECT count(*) AS n FROM docket.users'),
    gradeChanges: await count('SELECT count(*) AS n FROM docket.customer_grade_changes'),
    contacts: await count('SELECT count(*) AS n FROM docket.customer_contacts'),
    notifications: await count('SELECT count(*) AS n FROM docket.notification_outbox'),
    escalations: await count(`SELECT count(*) AS n FROM docket.notification_outbox WHERE kind = 'escalation'`),
    signedCases: loaded.signed.length,
  };
  const total = (performance.now() - run.t0) / 1000;
  const info: SeedInfo = {
    databaseUrl,
    reused: false,
    scale: opts.scale,
    asked,
    counts,
    seededAt: new Date(now).toISOString(),
    seconds: {
      total: Math.round(total * 10) / 10,
      templates: Math.round(templateSeconds * 10) / 10,
      load: Math.round(loadSeconds * 10) / 10,
      indexes: Math.round(indexSeconds * 10) / 10,
      rollups: Math.round(rollupSeconds * 10) / 10,
      analyze: Math.round(analyzeSeconds * 10) / 10,
    },
    loadRowsPerS: Math.round(counts.transitions / loadSeconds),
    signEvery,
  };
  const { databaseUrl: _url, ...kept } = info;
  await pool.query('UPDATE bench_scale.seeded SET finished = true, info = $1', [JSON.stringify(kept)]);
  log(
    `  seeded in ${info.seconds.total} s (templates ${info.seconds.templates} s, load ${info.seconds.load} s, ` +
      `indexes ${info.seconds.indexes} s, rollups ${info.seconds.rollups} s, vacuum and analyze ${info.seconds.analyze} s)`,
  );
  return info;
}

interface IndexDef {
  table: string;
  name: string;
  /** The statement that makes it again: CREATE INDEX, or ALTER TABLE … ADD CONSTRAINT for a primary key. */
  create: string;
}

/** Drops the secondary indexes (and unreferenced primary keys) of the big tables; returns how to make them again. */
async function dropIndexes(pool: Pool): Promise<IndexDef[]> {
  const { rows } = await pool.query<{
    tbl: string;
    name: string;
    def: string;
    con: string | null;
    condef: string | null;
    referenced: boolean;
  }>(
    `SELECT c.relname AS tbl, i.relname AS name, pg_get_indexdef(i.oid) AS def, con.conname AS con,
            pg_get_constraintdef(con.oid) AS condef,
            EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = c.oid) AS referenced
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = c.oid
      WHERE n.nspname = 'docket' AND c.relname = ANY($1)
      ORDER BY c.relname, i.relname`,
    [BIG_TABLES],
  );
  const out: IndexDef[] = [];
  for (const r of rows) {
    if (r.con !== null) {
      if (r.referenced) continue;
      await pool.query(`ALTER TABLE docket.${r.tbl} DROP CONSTRAINT ${r.con}`);
      out.push({ table: r.tbl, name: r.con, create: `ALTER TABLE docket.${r.tbl} ADD CONSTRAINT ${r.con} ${r.condef!}` });
    } else {
      await pool.query(`DROP INDEX docket.${r.name}`);
      out.push({ table: r.tbl, name: r.name, create: r.def });
    }
  }
  for (const t of BIG_TABLES) await pool.query(`ALTER TABLE docket.${t} SET (autovacuum_enabled = false)`);
  return out;
}

/** Builds the indexes again, two at a time, the largest table's first. */
async function buildIndexes(pool: Pool, indexes: IndexDef[], log: Log): Promise<void> {
  const queue = [...indexes].sort((a, b) => BIG_TABLES.indexOf(b.table) - BIG_TABLES.indexOf(a.table));
  const worker = async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET maintenance_work_mem = '512MB'`);
      for (let next = queue.shift(); next; next = queue.shift()) {
        const t = performance.now();
        await client.query(next.create);
        log(`    ${next.table}.${next.name} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all([worker(), worker()]);
  for (const t of BIG_TABLES) await pool.query(`ALTER TABLE docket.${t} RESET (autovacuum_enabled)`);
}

/** Writes every planned case's rows through three COPYs, in the order they happened; logs progress. */
async function loadCases(
  pool: Pool,
  plans: ReturnType<typeof planCases>,
  staff: Parameters<typeof caseRows>[2],
  seed: number,
  signing: Signing,
  log: Log,
): Promise<{ signed: string[]; probes: string[] }> {
  const clients: PoolClient[] = [];
  const copies = {} as Record<Table, CopyIn>;
  const written: Record<Table, number> = { transitions: 0, cases: 0, outbox: 0 };
  const signed: string[] = [];
  const probes: string[] = [];
  const probeEvery = Math.max(1, Math.floor(plans.count / 2000));
  try {
    for (const [table, name, columns] of [
      ['transitions', 'docket.transitions', TRANSITION_COLUMNS],
      ['cases', 'docket.cases', CASE_COLUMNS],
      ['outbox', 'docket.notification_outbox', OUTBOX_COLUMNS],
    ] as const) {
      const client = await pool.connect();
      clients.push(client);
      await client.query('SET synchronous_commit = off');
      copies[table] = await CopyIn.start(client, name, columns);
    }
    const heap = new RowHeap();
    const t0 = performance.now();
    let lastLog = t0;
    const emitUntil = async (at: number) => {
      while (heap.peek() < at) {
        const row = heap.pop()!;
        written[row.table]++;
        await copies[row.table].write(row.line);
      }
    };
    for (let k = 0; k < plans.count; k++) {
      const i = plans.order[k]!;
      await emitUntil(plans.opened[i]!);
      const { caseId, rows } = caseRows(plans, i, staff, seed, signing);
      for (const row of rows) heap.push(row);
      if (signing.every > 0 && i % signing.every === 0) signed.push(caseId);
      if (i % probeEvery === 0) probes.push(caseId);
      const t = performance.now();
      if (t - lastLog > 5000) {
        lastLog = t;
        const rate = written.transitions / ((t - t0) / 1000);
        const left = (plans.transitions - written.transitions) / Math.max(rate, 1);
        log(
          `  ${fmt(written.transitions)} / ${fmt(plans.transitions)} transitions (${((100 * written.transitions) / plans.transitions).toFixed(1)}%), ` +
            `${fmt(written.cases)} / ${fmt(plans.count)} cases, ${fmt(written.outbox)} notifications · ${fmt(rate)} transitions/s · ~${Math.ceil(left)} s left`,
        );
      }
    }
    await emitUntil(Infinity);
    const stored = await Promise.all([copies.transitions.end(), copies.cases.end(), copies.outbox.end()]);
    log(
      `  loaded ${fmt(stored[0])} transitions, ${fmt(stored[1])} cases, ${fmt(stored[2])} notifications in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (err) {
    await Promise.all(Object.values(copies).map((c) => c.abort(err instanceof Error ? err.message : String(err))));
    throw err;
  } finally {
    for (const c of clients) c.release();
  }
  return { signed, probes };
}

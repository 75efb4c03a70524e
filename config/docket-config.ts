import path from 'node:path';
import { z } from 'zod';
import { readRuntimeInfo, runtimeDatabaseUrls } from './runtime-file';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

const intFromEnv = (def: number) => z.coerce.number().int().positive().default(def);

const robotSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a name of letters, digits, _ . - (at most 64)'),
    kind: z.enum(['wecom', 'dingtalk', 'feishu']),
    url: z.string().regex(/^https?:\/\/\S+$/, 'an http(s) URL'),
    secret: z.string().min(1).optional(),
    roles: z.array(z.string().min(1)).optional(),
    processes: z.array(z.string().min(1)).optional(),
    kinds: z.array(z.enum(['reminder', 'escalation', 'info'])).optional(),
  })
  .strict();

const envSchema = z.object({
  DOCKET_DATA_DIR: z.string().default(path.join(PROJECT_ROOT, 'data')),
  DATABASE_URL: z.string().url('DATABASE_URL must be a URL such as postgres://user:pass@host:5432/docket').optional(),
  DOCKET_API_DATABASE_URL: z
    .string()
    .url('DOCKET_API_DATABASE_URL must be a URL such as postgres://docket_api:pass@host:5432/docket (`docket db setup` prints it)')
    .optional(),
  DOCKET_WORKER_DATABASE_URL: z
    .string()
    .url('DOCKET_WORKER_DATABASE_URL must be a URL such as postgres://docket_worker:pass@host:5432/docket (`docket db setup` prints it)')
    .optional(),
  DOCKET_DB_OWNER_PASSWORD: z.string().min(1).optional(),
  DOCKET_DB_API_PASSWORD: z.string().min(1).optional(),
  DOCKET_DB_WORKER_PASSWORD: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  DOCKET_TASK_QUEUE: z.string().default('docket'),
  DOCKET_DEFINITIONS_DIR: z.string().default(path.join(PROJECT_ROOT, 'definitions')),
  DOCKET_CALENDAR: z.string().default(path.join(PROJECT_ROOT, 'calendars', 'cn.json')),
  DOCKET_TIME_ZONE: z.string().optional(),
  SMTP_URL: z.string().url('SMTP_URL must look like smtp://user:pass@host:587').optional(),
  SMTP_FROM: z.string().default('docket@localhost'),
  NOTIFY_DEFAULT_DOMAIN: z.string().optional(),
  NOTIFY_ROLE_ADDRESSES: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return {};
      try {
        return z.record(z.string(), z.array(z.string())).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'NOTIFY_ROLE_ADDRESSES must be JSON like {"service_manager":["sm@example.com"]}' });
        return z.NEVER;
      }
    }),
  // Notifications (README "Notifications").
  DOCKET_ROBOT_WEBHOOKS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return [];
      let json: unknown;
      try {
        json = JSON.parse(s);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'DOCKET_ROBOT_WEBHOOKS must be JSON: [{"name":"ops","kind":"feishu","url":"https://…","secret":"…"}]',
        });
        return z.NEVER;
      }
      const parsed = z.array(robotSchema).safeParse(json);
      if (parsed.success) return parsed.data;
      // Name the fields, never echo the values (URLs and secrets).
      const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      ctx.addIssue({ code: 'custom', message: `DOCKET_ROBOT_WEBHOOKS: ${where}` });
      return z.NEVER;
    }),
  DOCKET_DELIVERY_INTERVAL_MS: intFromEnv(5000),
  DOCKET_DELIVERY_MAX_ATTEMPTS: intFromEnv(8),
  DOCKET_DELIVERY_BACKOFF_MS: intFromEnv(30_000),
  WORKER_MAX_CACHED_WORKFLOWS: intFromEnv(1000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: intFromEnv(40),
  WORKER_MAX_CONCURRENT_ACTIVITIES: intFromEnv(100),
  DOCKET_CONTINUE_AS_NEW_AFTER: intFromEnv(2000),
  DOCKET_REQUIRE_CUSTOMER_RECORD: z
    .enum(['true', 'false'], { message: 'DOCKET_REQUIRE_CUSTOMER_RECORD must be true (the default) or false' })
    .default('true'),
  DOCKET_WORKFLOW_BUNDLE: z.string().optional(),
  DOCKET_API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DOCKET_API_HOST: z.string().default('127.0.0.1'),
  DOCKET_API_URL: z.string().url('DOCKET_API_URL must be a URL such as http://127.0.0.1:3000').optional(),
  DOCKET_WEB_DIR: z.string().min(1).optional(),
  DOCKET_TOKEN: z.string().optional(),
  DOCKET_API_JOB_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  DOCKET_API_JOB_TIME_LIMIT_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'LOG_FORMAT must be json (the default) or pretty' }).default('json'),
  // The CLI's language for linter and diff messages: DOCKET_LANG, else the locale (LANG, e.g. zh_CN.UTF-8).
  DOCKET_LANG: z.enum(['en', 'zh-CN'], { message: 'DOCKET_LANG must be en or zh-CN' }).optional(),
  LANG: z.string().optional(),
  // Operations (README "Operations").
  DOCKET_METRICS_TOKEN: z.string().min(16, 'DOCKET_METRICS_TOKEN must be at least 16 characters (a random secret)').optional(),
  DOCKET_WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'DOCKET_WORKER_METRICS_ADDRESS must be host:port, e.g. 127.0.0.1:9464')
    .optional(),
  DOCKET_ACTOR_KEYS: z.string().optional(),
  // Keyed audit (audit/keys.ts).
  DOCKET_AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  DOCKET_AUDIT_PUBLIC_KEYS_FILE: z.string().min(1).optional(),
});

/** Every variable `loadConfig` reads, by name (for `docket doctor`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface DocketConfig {
  dataDir: string;
  /**
   * The database for direct access (CLI, migrations): DATABASE_URL, else the API's role on the
   * database a running `npm start` names. Undefined when neither names one.
   */
  databaseUrl?: string;
  /** The HTTP API's connection (role docket_api): DOCKET_API_DATABASE_URL, else DATABASE_URL, else `npm start`'s. */
  apiDatabaseUrl?: string;
  /** The worker's connection (role docket_worker): DOCKET_WORKER_DATABASE_URL, else DATABASE_URL, else `npm start`'s. */
  workerDatabaseUrl?: string;
  /**
   * `docket db setup` and `docket db migrate`: DATABASE_URL as given (an admin's or the owner's),
   * and the role passwords to set (DOCKET_DB_OWNER_PASSWORD, …_API_…, …_WORKER_…; generated when unset).
   */
  databaseSetup?: { adminUrl?: string; passwords: { owner?: string; api?: string; worker?: string } };
  temporalAddress?: string;
  /**
   * TLS to Temporal (mTLS with a client certificate per service in production): files of the
   * client certificate and key, the server's root CA, and a server name override. Absent: plain TCP.
   */
  temporalTls?: { certFile?: string; keyFile?: string; caFile?: string; serverName?: string };
  namespace: string;
  taskQueue: string;
  definitionsDir: string;
  calendarFile: string;
  timeZone?: string;
  smtp?: { url: string; from: string; defaultDomain?: string; roleAddresses: Record<string, string[]> };
  /** Group robots notifications are posted to (DOCKET_ROBOT_WEBHOOKS); secrets and URLs are never logged. */
  robots: Array<z.infer<typeof robotSchema>>;
  /** Every worker's outbox delivery loop: poll interval, attempts before a row fails, first retry delay (doubling). */
  delivery: { intervalMs: number; maxAttempts: number; backoffMs: number };
  worker: { maxCachedWorkflows: number; maxConcurrentWorkflowTasks: number; maxConcurrentActivities: number };
  continueAsNewAfter: number;
  /** Whether a case may only be started for a customer with a record (DOCKET_REQUIRE_CUSTOMER_RECORD, default true). */
  requireCustomerRecord: boolean;
  /** A prebuilt workflow bundle (from bundleWorkflowCode); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** The CLI's language for linter and diff messages (DOCKET_LANG, else `zh-CN` when LANG starts with zh). */
  lang: 'en' | 'zh-CN';
  /** JSON lines (default), or `pretty` for a person at a terminal (LOG_FORMAT). */
  logFormat: 'json' | 'pretty';
  /**
   * Prometheus metrics: the bearer token `GET /metrics` of the API requires (DOCKET_METRICS_TOKEN; unset: open),
   * and where a worker serves the Temporal SDK's metrics (DOCKET_WORKER_METRICS_ADDRESS; unset: not served).
   */
  metrics: { token?: string; workerAddress?: string };
  /**
   * Keys clients and workers vouch for actors with (`id:base64secret`, comma-separated, the first
   * signs); unset: the data directory's `secrets/actor-keys.json` (see security/actor-keys.ts).
   */
  actorKeys?: string;
  /** Keyed audit: the worker's signing key and the public keyring verifiers pin. */
  audit: AuditKeyConfig;
  /** The HTTP API: where `npm start` serves it, and where the CLI finds it (with the token it authenticates with). */
  api?: {
    port: number;
    host: string;
    url?: string;
    token?: string;
    /**
     * A prebuilt web UI (DOCKET_WEB_DIR: a folder `npm run build:web` made) the API serves as is;
     * unset: the API builds the UI of its sources into `.cache/web` when no build of them is there.
     */
    webDir?: string;
    /** The API's threads for linting and diagrams, and how long one such job may run (defaults in api/jobs/pool.ts). */
    jobs?: { threads?: number; timeLimitMs?: number };
  };
}

export interface AuditKeyConfig {
  /** The worker's Ed25519 private key (PKCS#8 PEM, mode 0600). */
  signingKeyFile: string;
  /** Whether a missing signing key file is generated (only at the default path, under the data directory). */
  generateSigningKey: boolean;
  /** The public keys of every signing key, old and new: what the API and auditors verify with. */
  publicKeysFile: string;
}

/** DOCKET_AUDIT_SIGNING_KEY_FILE (default `<data>/audit/signing-key.pem`, generated once), DOCKET_AUDIT_PUBLIC_KEYS_FILE (default `<data>/audit/public-keys.json`). */
function auditKeyConfig(dataDir: string, signingKeyFile: string | undefined, publicKeysFile: string | undefined): AuditKeyConfig {
  return {
    signingKeyFile: signingKeyFile ?? path.join(dataDir, 'audit', 'signing-key.pem'),
    generateSigningKey: signingKeyFile === undefined,
    publicKeysFile: publicKeysFile ?? path.join(dataDir, 'audit', 'public-keys.json'),
  };
}

export interface LoadConfigOptions {
  /**
   * Whether the servers a running `npm start` names (its runtime file) stand in for those the
   * environment leaves out (default true). `npm start` itself says false: an earlier run's file must not.
   */
  serversFromRuntimeFile?: boolean;
}

/**
 * Parses the configuration once, from the environment (or the variables given); where the
 * environment says nothing about the servers, from what a running `npm start` wrote, then defaults.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): DocketConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined))
    throw new Error('invalid configuration: TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (the client certificate and its key)');
  const tlsSet = [e.TEMPORAL_TLS_CERT, e.TEMPORAL_TLS_CA, e.TEMPORAL_TLS_SERVER_NAME].some((v) => v !== undefined);
  const temporalTls = tlsSet
    ? {
        ...(e.TEMPORAL_TLS_CERT !== undefined && { certFile: e.TEMPORAL_TLS_CERT, keyFile: e.TEMPORAL_TLS_KEY! }),
        ...(e.TEMPORAL_TLS_CA !== undefined && { caFile: e.TEMPORAL_TLS_CA }),
        ...(e.TEMPORAL_TLS_SERVER_NAME !== undefined && { serverName: e.TEMPORAL_TLS_SERVER_NAME }),
      }
    : undefined;
  const runtime = readRuntimeInfo(e.DOCKET_DATA_DIR);
  const runtimeServers = options.serversFromRuntimeFile !== false;
  const started = e.DATABASE_URL === undefined && runtimeServers ? runtimeDatabaseUrls(runtime) : undefined;
  const databaseUrl = e.DATABASE_URL ?? started?.api;
  const apiDatabaseUrl = e.DOCKET_API_DATABASE_URL ?? databaseUrl;
  const workerDatabaseUrl = e.DOCKET_WORKER_DATABASE_URL ?? e.DATABASE_URL ?? started?.worker;
  return {
    dataDir: e.DOCKET_DATA_DIR,
    ...(databaseUrl !== undefined && { databaseUrl }),
    ...(apiDatabaseUrl !== undefined && { apiDatabaseUrl }),
    ...(workerDatabaseUrl !== undefined && { workerDatabaseUrl }),
    databaseSetup: {
      ...(e.DATABASE_URL !== undefined && { adminUrl: e.DATABASE_URL }),
      passwords: {
        ...(e.DOCKET_DB_OWNER_PASSWORD !== undefined && { owner: e.DOCKET_DB_OWNER_PASSWORD }),
        ...(e.DOCKET_DB_API_PASSWORD !== undefined && { api: e.DOCKET_DB_API_PASSWORD }),
        ...(e.DOCKET_DB_WORKER_PASSWORD !== undefined && { worker: e.DOCKET_DB_WORKER_PASSWORD }),
      },
    },
    temporalAddress: e.TEMPORAL_ADDRESS ?? (runtimeServers ? runtime?.temporalAddress : undefined),
    ...(temporalTls !== undefined && { temporalTls }),
    namespace: env.TEMPORAL_NAMESPACE ? e.TEMPORAL_NAMESPACE : (runtime?.namespace ?? e.TEMPORAL_NAMESPACE),
    taskQueue: env.DOCKET_TASK_QUEUE ? e.DOCKET_TASK_QUEUE : (runtime?.taskQueue ?? e.DOCKET_TASK_QUEUE),
    definitionsDir: e.DOCKET_DEFINITIONS_DIR,
    calendarFile: e.DOCKET_CALENDAR,
    ...(e.DOCKET_TIME_ZONE !== undefined && { timeZone: e.DOCKET_TIME_ZONE }),
    ...(e.SMTP_URL !== undefined && {
      smtp: {
        url: e.SMTP_URL,
        from: e.SMTP_FROM,
        ...(e.NOTIFY_DEFAULT_DOMAIN !== undefined && { defaultDomain: e.NOTIFY_DEFAULT_DOMAIN }),
        roleAddresses: e.NOTIFY_ROLE_ADDRESSES,
      },
    }),
    robots: e.DOCKET_ROBOT_WEBHOOKS,
    delivery: {
      intervalMs: e.DOCKET_DELIVERY_INTERVAL_MS,
      maxAttempts: e.DOCKET_DELIVERY_MAX_ATTEMPTS,
      backoffMs: e.DOCKET_DELIVERY_BACKOFF_MS,
    },
    worker: {
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
    },
    continueAsNewAfter: e.DOCKET_CONTINUE_AS_NEW_AFTER,
    requireCustomerRecord: e.DOCKET_REQUIRE_CUSTOMER_RECORD === 'true',
    ...(e.DOCKET_WORKFLOW_BUNDLE !== undefined && { workflowBundle: e.DOCKET_WORKFLOW_BUNDLE }),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    lang: e.DOCKET_LANG ?? (/^zh/i.test(e.LANG ?? '') ? 'zh-CN' : 'en'),
    metrics: {
      ...(e.DOCKET_METRICS_TOKEN !== undefined && { token: e.DOCKET_METRICS_TOKEN }),
      ...(e.DOCKET_WORKER_METRICS_ADDRESS !== undefined && { workerAddress: e.DOCKET_WORKER_METRICS_ADDRESS }),
    },
    ...(e.DOCKET_ACTOR_KEYS !== undefined && e.DOCKET_ACTOR_KEYS !== '' && { actorKeys: e.DOCKET_ACTOR_KEYS }),
    audit: auditKeyConfig(e.DOCKET_DATA_DIR, e.DOCKET_AUDIT_SIGNING_KEY_FILE, e.DOCKET_AUDIT_PUBLIC_KEYS_FILE),
    api: {
      port: e.DOCKET_API_PORT,
      host: e.DOCKET_API_HOST,
      ...((e.DOCKET_API_URL ?? runtime?.apiUrl) !== undefined && { url: e.DOCKET_API_URL ?? runtime?.apiUrl }),
      ...(e.DOCKET_TOKEN !== undefined && e.DOCKET_TOKEN !== '' && { token: e.DOCKET_TOKEN }),
      ...(e.DOCKET_WEB_DIR !== undefined && { webDir: path.resolve(e.DOCKET_WEB_DIR) }),
      jobs: {
        ...(e.DOCKET_API_JOB_THREADS !== undefined && { threads: e.DOCKET_API_JOB_THREADS }),
        ...(e.DOCKET_API_JOB_TIME_LIMIT_MS !== undefined && { timeLimitMs: e.DOCKET_API_JOB_TIME_LIMIT_MS }),
      },
    },
  };
}

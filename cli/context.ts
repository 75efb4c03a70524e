import { connect as tcpConnect } from 'node:net';
import { DocketError, type DocketClient } from '../client/docket-client';
import { FileDefinitionSource } from '../client/definitions';
import type { DefinitionSource } from '../ports';
import { createPool } from '../adapters/postgres/pool';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { HttpDocketClient, type CaseClient } from '../client/http-client';
import { HttpLifecycle, type LifecycleClient, type MigrationClient } from '../client/http-lifecycle';
import { connectDocket, loadCalendar, type ConnectedClient } from '../client/setup';
import type { Actor, CalendarData } from '../engine/types';
import { loadConfig, type DocketConfig } from '../config';
import { parseActor } from './args';
import { recordDirectAccess, type CommandLine, type DirectAccessLog } from './direct';
import { CliError, invalidArgument } from './errors';
import { jsonText } from './format';

/** Where a stream of output goes: `process.stdout`, or anything with `write` (tests collect it). */
export interface Writer {
  write(text: string): unknown;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
}

/** Dependencies a caller may replace (tests); everything defaults to the real thing. */
export interface MainOptions {
  /** The configuration to use instead of `loadConfig(env)`. */
  config?: DocketConfig;
  /** The environment `loadConfig` reads (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Connects to the servers (default `connectDocket`, after a quick check that Temporal listens). */
  connect?: (config: DocketConfig) => Promise<ConnectedClient>;
  /** Where relative `@file` names are read from (default `process.cwd()`). */
  cwd?: string;
  /** Where `--direct` is recorded (default `docket.security_log` in the configured database). */
  securityLog?: DirectAccessLog;
  /** The current time in ms, for "in 2d 3h" next to deadlines (default `Date.now`). */
  now?: () => number;
}

const DEFAULT_TEMPORAL = 'localhost:7233';

/** Resolves when something accepts TCP connections at `host:port`; rejects quickly when nothing does. */
function probe(address: string, timeoutMs = 3000): Promise<void> {
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) return Promise.resolve();
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  const port = Number(match[2]);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const done = (err?: Error) => {
      socket.removeAllListeners();
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

/** What every command gets: output, configuration and (on demand) a connection. */
export class CliContext {
  private loadedConfig?: DocketConfig;
  private loadedCalendar?: Promise<CalendarData>;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
    private readonly options: MainOptions,
  ) {}

  get cwd(): string {
    return this.options.cwd ?? process.cwd();
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** Prints `value` as JSON (in --json mode) or the human text. */
  print(value: unknown, human: () => string): void {
    this.out(this.json ? jsonText(value) : human());
  }

  /** The configuration, loaded on first use. */
  config(): DocketConfig {
    this.loadedConfig ??= this.options.config ?? loadConfig(this.options.env);
    return this.loadedConfig;
  }

  /** The environment the configuration is read from (undefined: this process's). */
  environment(): NodeJS.ProcessEnv | undefined {
    return this.options.env;
  }

  /** The API this command line names (`--api`, DOCKET_API_URL or `npm start`'s), token or not. */
  apiUrl(): string | undefined {
    return this.apiOptions.api ?? this.config().api?.url;
  }

  /** The configuration if a command already loaded it (for error messages). */
  get configIfLoaded(): DocketConfig | undefined {
    return this.loadedConfig;
  }

  /** The calendar new cases are pinned to; its time zone is the one times are shown in. */
  calendar(): Promise<CalendarData> {
    const config = this.config();
    this.loadedCalendar ??= loadCalendar(config).catch((err: unknown) => {
      throw new CliError('NotConfigured', `cannot load the calendar ${config.calendarFile}: ${(err as Error).message}`, false);
    });
    return this.loadedCalendar;
  }

  /** The definitions in the configured folder (no servers needed). */
  definitions(): FileDefinitionSource {
    return new FileDefinitionSource(this.config().definitionsDir);
  }

  /**
   * The published definitions new cases start on: over the API when one is configured; with
   * `--direct`, the PostgreSQL store (or the files when no database is configured); with
   * neither, the files when no server is configured at all (nothing to bypass), else refused.
   */
  async withPublishedDefinitions<T>(fn: (source: DefinitionSource, where: string) => Promise<T>, role?: string): Promise<T> {
    const config = this.config();
    if (!this.directFlag && !config.databaseUrl && !this.apiConfigured()) return fn(this.definitions(), config.definitionsDir);
    if (this.mode() === 'api') {
      const api = this.api();
      const source: DefinitionSource = {
        list: () => api.listDefinitions(role),
        latest: (processId) => api.latestDefinition(processId, role),
      };
      return fn(source, 'the API');
    }
    if (!config.databaseUrl) return fn(this.definitions(), config.definitionsDir);
    await this.recordDirect();
    const pool = createPool({ connectionString: config.databaseUrl, max: 1 });
    try {
      return await fn(new PostgresDefinitionStore(pool, { importDir: config.definitionsDir }), 'the definition store');
    } catch (err) {
      if (err instanceof DocketError || err instanceof CliError) throw err;
      throw new CliError('Unavailable', `cannot read the definition store: ${(err as Error).message}`, false);
    } finally {
      await pool.end().catch(() => undefined);
    }
  }

  private apiOptions: { api?: string; token?: string } = {};
  private directFlag = false;
  private command: CommandLine = { path: '', args: [] };
  private directRecorded = false;

  /** The `--api`, `--token` and `--direct` options of this command line (they win over the environment). */
  private langOption?: 'en' | 'zh-CN';

  /** The language of linter and diff messages: `--lang`, else DOCKET_LANG or LANG. */
  lang(): 'en' | 'zh-CN' {
    return this.langOption ?? this.config().lang;
  }

  useLang(lang: string | undefined): void {
    if (lang === undefined) return;
    if (lang !== 'en' && lang !== 'zh-CN') throw invalidArgument(`--lang: "${lang}" is not a language: write en or zh-CN`);
    this.langOption = lang;
  }

  useApiOptions(options: { api?: string; token?: string; direct?: boolean }): void {
    if (options.direct && (options.api !== undefined || options.token !== undefined)) {
      throw invalidArgument('--direct goes around the API: leave out --api and --token, or leave out --direct');
    }
    this.apiOptions = {
      ...(options.api !== undefined && { api: options.api }),
      ...(options.token !== undefined && { token: options.token }),
    };
    this.directFlag = options.direct === true;
  }

  /** The command being run, for the security log of `--direct`. */
  useCommand(command: CommandLine): void {
    this.command = command;
  }

  /** Whether an API is configured: `--api`, DOCKET_API_URL, a running `npm start`, or a token. */
  /** Whether a read goes over the API: one is configured and `--direct` was not given. */
  readsOverApi(): boolean {
    return !this.directFlag && this.apiConfigured();
  }

  private apiConfigured(): boolean {
    const config = this.config();
    return (this.apiOptions.api ?? config.api?.url ?? this.apiOptions.token ?? config.api?.token) !== undefined;
  }

  /**
   * How this command reaches Docket: over the API whenever one is configured, straight to the
   * servers only with `--direct`. With neither, the command is refused (NotConfigured, exit 2).
   */
  mode(): 'api' | 'direct' {
    if (this.directFlag) return 'direct';
    if (this.apiTarget()) return 'api';
    throw new CliError(
      'NotConfigured',
      'no API configured: run `npm start` (the CLI finds its API), or set DOCKET_API_URL and DOCKET_TOKEN (or pass --api and --token); ' +
        'an operator with access to the database and Temporal may pass --direct instead (it is recorded in the security log)',
    );
  }

  /** Records this command's direct access in the security log, once, before it touches anything. */
  private async recordDirect(): Promise<void> {
    if (this.directRecorded) return;
    await recordDirectAccess(this.command, this.config().databaseUrl, this.options.securityLog);
    this.directRecorded = true;
  }

  /**
   * The HTTP API to talk to, when one is configured: `--api`, DOCKET_API_URL or the
   * API a running `npm start` names, with `--token` or DOCKET_TOKEN.
   */
  apiTarget(): { url: string; token: string } | undefined {
    const config = this.config();
    const url = this.apiOptions.api ?? config.api?.url;
    const token = this.apiOptions.token ?? config.api?.token;
    if (url === undefined && token === undefined) return undefined;
    if (url === undefined) {
      throw new CliError(
        'NotConfigured',
        "a token is set but no API: run `npm start`, or set DOCKET_API_URL (or pass --api) to Docket's API",
      );
    }
    if (token === undefined) {
      throw new CliError(
        'NotConfigured',
        `Docket's API at ${url} needs a token: set DOCKET_TOKEN (or pass --token); an admin issues one with \`docket users token <user>\``,
      );
    }
    return { url, token };
  }

  /** An HTTP client of the API, for the commands that only work over it; refused when none is configured. */
  api(): HttpDocketClient {
    if (this.directFlag) {
      throw new CliError('NotConfigured', `\`docket ${this.command.path}\` works only over the API: leave out --direct`);
    }
    const target = this.apiTarget();
    if (!target) {
      throw new CliError(
        'NotConfigured',
        'no API configured: run `npm start`, or set DOCKET_API_URL and DOCKET_TOKEN (or --api and --token)',
      );
    }
    return new HttpDocketClient({ baseUrl: target.url, token: target.token });
  }

  /** Runs `fn` on the API when one is configured, or with `--direct` on a direct connection to the servers. */
  async withCases<T>(fn: (client: CaseClient) => Promise<T>): Promise<T> {
    return this.mode() === 'api' ? fn(this.api()) : this.withDocket(fn);
  }

  /** `--as`: `<user>:<role>`; over the API the server knows the user, so `<role>` alone will do. */
  actor(as: string): Actor {
    if (!this.directFlag && this.apiConfigured() && !as.includes(':')) return parseActor(`-:${as}`);
    return parseActor(as);
  }

  /** The role a read is made in (`--as <role>` or `<user>:<role>`), when given. */
  readRole(as: string | undefined): string | undefined {
    return as === undefined ? undefined : parseActor(as.includes(':') ? as : `-:${as}`).role;
  }

  /** Runs `fn` straight on the servers (`--direct` only), and always closes the connection so that the process can exit. */
  async withDocket<T>(fn: (docket: DocketClient) => Promise<T>): Promise<T> {
    const connection = await this.connect(this.config());
    try {
      return await fn(connection.docket);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  /** The process owners' definition lifecycle: over the API, or with `--direct` on the servers. */
  async withLifecycle<T>(fn: (lifecycle: LifecycleClient) => Promise<T>, readRole?: string): Promise<T> {
    if (this.mode() === 'api') return fn(new HttpLifecycle(this.api(), readRole));
    return this.withOwners((c) => c.lifecycle, fn);
  }

  /** The process owners' migration of running cases: over the API, or with `--direct` on the servers. */
  async withMigrations<T>(fn: (migrations: MigrationClient) => Promise<T>): Promise<T> {
    if (this.mode() === 'api') return fn(new HttpLifecycle(this.api()));
    return this.withOwners((c) => c.migrations, fn);
  }

  /** Runs `fn` on a part of a direct connection that process owners use, and closes the connection. */
  private async withOwners<P, T>(part: (connection: ConnectedClient) => P | undefined, fn: (p: P) => Promise<T>): Promise<T> {
    const connection = await this.connect(this.config());
    try {
      const owners = part(connection);
      if (!owners) throw new CliError('NotConfigured', 'this connection does not manage definitions', false);
      return await fn(owners);
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  /** Before a command reads the database on its own (`--direct` only): records the access. */
  async directDatabase(): Promise<string> {
    if (this.mode() !== 'direct') throw new Error('directDatabase outside --direct');
    const { databaseUrl } = this.config();
    if (!databaseUrl) {
      throw new CliError(
        'NotConfigured',
        '--direct needs the database: set DATABASE_URL, or run `npm start` first (it writes data/runtime.json)',
      );
    }
    await this.recordDirect();
    return databaseUrl;
  }

  private async connect(config: DocketConfig): Promise<ConnectedClient> {
    if (this.mode() !== 'direct') throw new Error('a direct connection outside --direct');
    if (this.options.connect) {
      await this.recordDirect();
      return this.options.connect(config);
    }
    if (!config.databaseUrl) {
      throw new CliError(
        'NotConfigured',
        '--direct needs the database: set DATABASE_URL, or run `npm start` first (it writes data/runtime.json)',
      );
    }
    await this.recordDirect();
    await this.calendar(); // a broken calendar file is reported as such, not as a connection problem
    const address = config.temporalAddress ?? DEFAULT_TEMPORAL;
    try {
      await probe(address);
      return await connectDocket(config);
    } catch (err) {
      if (err instanceof CliError || err instanceof DocketError) throw err;
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new CliError('Unavailable', `cannot reach Temporal at ${address} (${why}): is \`npm start\` running?`, false);
    }
  }
}

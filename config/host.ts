import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = (def: number) => z.coerce.number().int().min(0).max(65535).default(def);
/** Unset, empty and blank all mean "not given". */
const given = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));

const hostSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s) => (s?.trim() ? s : undefined)),
  TEMPORAL_ADDRESS: given,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  DOCKET_PG_PORT: port(5433),
  DOCKET_TEMPORAL_PORT: port(7233),
  DOCKET_TEMPORAL_UI_PORT: port(8233),
  DOCKET_CACHE_DIR: z.string().optional(),
  XDG_CACHE_HOME: z.string().optional(),
  TEMPORAL_CLI_PATH: given,
  TEMPORAL_TEST_SERVER_PATH: given,
  JAVA_HOME: z.string().optional(),
  MAVEN_HOME: z.string().optional(),
  M2_HOME: z.string().optional(),
  GOROOT: z.string().optional(),
  PATH: z.string().default(''),
  USER: z.string().optional(),
  USERNAME: z.string().optional(),
});

/**
 * This machine, for the servers `npm start` and the tests start on it and the tools they run:
 * read from the environment at each call, since tests change it between calls.
 */
export interface HostConfig {
  /** An existing PostgreSQL instead of the embedded one (DATABASE_URL; blank means none). */
  databaseUrl?: string;
  /** An existing Temporal frontend instead of a dev server (TEMPORAL_ADDRESS; blank means none). */
  temporalAddress?: string;
  /** The namespace on an existing Temporal frontend. */
  temporalNamespace: string;
  /** Where `npm start` serves the embedded PostgreSQL, the Temporal dev server and its web UI. */
  ports: { postgres: number; temporal: number; temporalUi: number };
  /** Root of everything Docket caches on this machine (DOCKET_CACHE_DIR, else `$XDG_CACHE_HOME/docket`, else `~/.cache/docket`). */
  cacheDir: string;
  /** A `temporal` binary to run the dev server with. */
  temporalCliPath?: string;
  /** A Temporal time-skipping test server to use instead of building one. */
  temporalTestServerPath?: string;
  /** Where to look for the tools that build those two: java, mvn, go. */
  javaHome?: string;
  mavenHomes: string[];
  goRoot?: string;
  /** The folders of PATH, in order. */
  searchPath: string[];
  /** The OS user by the environment, when the system cannot say (USER, else USERNAME). */
  user: string;
}

export function loadHostConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const parsed = hostSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  return {
    ...(e.DATABASE_URL !== undefined && { databaseUrl: e.DATABASE_URL }),
    ...(e.TEMPORAL_ADDRESS !== undefined && { temporalAddress: e.TEMPORAL_ADDRESS }),
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    ports: { postgres: e.DOCKET_PG_PORT, temporal: e.DOCKET_TEMPORAL_PORT, temporalUi: e.DOCKET_TEMPORAL_UI_PORT },
    cacheDir: e.DOCKET_CACHE_DIR
      ? path.resolve(e.DOCKET_CACHE_DIR)
      : e.XDG_CACHE_HOME
        ? path.join(path.resolve(e.XDG_CACHE_HOME), 'docket')
        : path.join(os.homedir(), '.cache', 'docket'),
    ...(e.TEMPORAL_CLI_PATH !== undefined && { temporalCliPath: e.TEMPORAL_CLI_PATH }),
    ...(e.TEMPORAL_TEST_SERVER_PATH !== undefined && { temporalTestServerPath: e.TEMPORAL_TEST_SERVER_PATH }),
    ...(e.JAVA_HOME && { javaHome: e.JAVA_HOME }),
    mavenHomes: [e.MAVEN_HOME, e.M2_HOME].filter((home): home is string => Boolean(home)),
    ...(e.GOROOT && { goRoot: e.GOROOT }),
    searchPath: e.PATH.split(path.delimiter).filter(Boolean),
    user: e.USER ?? e.USERNAME ?? 'unknown',
  };
}

/** The environment a child process (go, mvn) runs with: this process's, plus `extra`. */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

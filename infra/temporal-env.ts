/**
 * Starts the Temporal servers Docket runs against, from whatever infra/temporal-cli.ts and
 * infra/temporal-test-server.ts can provide on this machine.
 */
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DevServerConfig, EphemeralServerExecutable, ClientOptionsForTestEnv } from '@temporalio/testing';
import { resolveTemporalCli, type TemporalServerSource } from './temporal-cli';
import { resolveTimeSkippingServer } from './temporal-test-server';
import { ensureSearchAttributes } from './search-attributes';
import { loadHostConfig } from '../config';

export interface StartDevServerOptions {
  /** SQLite file to persist to; in-memory when omitted. */
  dbFilename?: string;
  /** @default 127.0.0.1 */
  ip?: string;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; setting it turns the UI on. */
  uiPort?: number;
  /** Web UI on `port + 1000` unless `uiPort` is given. @default false */
  ui?: boolean;
  /** Created at start-up. @default "default" (or $TEMPORAL_NAMESPACE with TEMPORAL_ADDRESS) */
  namespace?: string;
  /** @default { format: 'pretty', level: 'warn' } */
  log?: DevServerConfig['log'];
  /** Custom search attributes registered at start-up (ignored with TEMPORAL_ADDRESS). */
  searchAttributes?: DevServerConfig['searchAttributes'];
  /** Extra `temporal server start-dev` arguments. */
  extraArgs?: string[];
  /** Options for the environment's client (data converter, interceptors, ...). */
  client?: ClientOptionsForTestEnv;
}

export interface DevServer {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  /** Where the server came from. */
  source: TemporalServerSource;
  /** Present when this process started the server: its client and worker connections. */
  env?: TestWorkflowEnvironment;
  /** Stops the server this process started (no-op for TEMPORAL_ADDRESS). */
  shutdown(): Promise<void>;
}

/**
 * Uses the server at TEMPORAL_ADDRESS when set; otherwise starts a Temporal CLI dev server
 * (building the CLI on first use if nothing else is available) with Docket's search attributes.
 */
export async function startDevServer(opts: StartDevServerOptions = {}): Promise<DevServer> {
  const source = await resolveTemporalCli();
  if (source.kind === 'address') {
    return {
      address: source.address,
      namespace: opts.namespace ?? loadHostConfig().temporalNamespace,
      source,
      shutdown: async () => undefined,
    };
  }

  const executable: EphemeralServerExecutable =
    source.kind === 'path'
      ? { type: 'existing-path', path: source.path }
      : // Keep the download: the SDK would otherwise replace it daily, which fails once offline.
        { type: 'cached-download', downloadDir: source.downloadDir, ttl: '3650d' };
  const namespace = opts.namespace ?? 'default';
  const env = await retryStartupTimeout(() =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable,
        namespace,
        ...(opts.dbFilename !== undefined && {
          dbFilename: path.resolve(opts.dbFilename),
        }),
        ...(opts.ip !== undefined && { ip: opts.ip }),
        ...(opts.port !== undefined && { port: opts.port }),
        ...(opts.uiPort !== undefined && { uiPort: opts.uiPort }),
        ...(opts.ui !== undefined && { ui: opts.ui }),
        ...(opts.log !== undefined && { log: opts.log }),
        ...(opts.searchAttributes !== undefined && {
          searchAttributes: opts.searchAttributes,
        }),
        ...(opts.extraArgs !== undefined && { extraArgs: opts.extraArgs }),
      },
      ...(opts.client !== undefined && { client: opts.client }),
    }),
  );
  let stopped: Promise<void> | undefined;
  // Docket's search attributes, on the server it started (a server at TEMPORAL_ADDRESS is checked by the worker).
  await ensureSearchAttributes(env.connection, namespace).catch(async (err: unknown) => {
    await env.teardown();
    throw err;
  });
  return {
    address: env.address,
    namespace,
    source,
    env,
    shutdown: () => (stopped ??= env.teardown()),
  };
}

export interface StartTimeSkippingEnvOptions {
  /** gRPC port; a free one when omitted. */
  port?: number;
  client?: ClientOptionsForTestEnv;
}

/**
 * Starts Temporal's Java time-skipping test server (provisioned through Maven on first use), with
 * Docket's search attributes registered. Call `teardown()` on the result when done.
 */
export async function startTimeSkippingEnv(opts: StartTimeSkippingEnvOptions = {}): Promise<TestWorkflowEnvironment> {
  const exe = await resolveTimeSkippingServer();
  const env = await retryStartupTimeout(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: {
        executable: { type: 'existing-path', path: exe },
        ...(opts.port !== undefined && { port: opts.port }),
      },
      ...(opts.client !== undefined && { client: opts.client }),
    }),
  );
  // The test server keeps search attributes like any other and refuses a case's upserts of unregistered ones.
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default').catch(async (err: unknown) => {
    await env.teardown();
    throw err;
  });
  return env;
}

/**
 * The SDK gives a server 5 s to start listening and then kills it; on a busy machine
 * (parallel test workers, a JVM warming up) that can be missed, so try a few times.
 */
async function retryStartupTimeout<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= attempts || !/did not start within/i.test(message)) throw err;
    }
  }
}

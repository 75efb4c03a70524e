/**
 * Provides Temporal's Java test server (the time-skipping server) from Maven Central.
 *
 * Maven resolves `io.temporal:temporal-testing` (see temporal-test-server/pom.xml) and copies
 * its jars into <cache>/temporal-test-server/lib; a wrapper script next to them,
 * <cache>/temporal-test-server/temporal-test-server, runs io.temporal.testserver.TestServer.
 *
 * @temporalio/testing starts the executable as `<exe> <port> [extraArgs...]` and expects time
 * skipping to be locked at start (it unlocks it while a workflow result is awaited), which is
 * TestServer's behaviour without `--enable-time-skipping`. The wrapper passes its arguments through.
 *
 * Override with TEMPORAL_TEST_SERVER_PATH (any executable accepting `<port>`).
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { withFileLock } from './file-lock';
import { findOnPath, formatSeconds, isExecutable, progress, runStreaming } from './provisioning';
import { freePort } from './net';
import { docketCacheDir } from './temporal-cli';
import { childEnvironment, loadHostConfig } from '../config';

export const TEST_SERVER_POM = path.join(__dirname, 'temporal-test-server', 'pom.xml');
const MAIN_CLASS = 'io.temporal.testserver.TestServer';

export interface TimeSkippingServerSource {
  path: string;
  origin: 'env' | 'cache' | 'built';
}

export function timeSkippingServerDir(): string {
  return path.join(docketCacheDir(), 'temporal-test-server');
}

export async function resolveTimeSkippingServer(): Promise<string> {
  return (await provisionTimeSkippingServer()).path;
}

export async function provisionTimeSkippingServer(): Promise<TimeSkippingServerSource> {
  const explicit = loadHostConfig().temporalTestServerPath;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!(await isExecutable(resolved))) {
      throw new Error(`TEMPORAL_TEST_SERVER_PATH points to ${resolved}, which is not an executable file`);
    }
    return { path: resolved, origin: 'env' };
  }

  const dir = timeSkippingServerDir();
  const wrapper = path.join(dir, 'temporal-test-server');
  const stamp = await pomStamp();
  if (await isCurrent(dir, stamp)) return { path: wrapper, origin: 'cache' };

  return withFileLock(
    path.join(docketCacheDir(), 'locks', 'temporal-test-server.lock'),
    async () => {
      if (await isCurrent(dir, stamp)) return { path: wrapper, origin: 'cache' as const };
      await buildInto(dir, stamp);
      return { path: wrapper, origin: 'built' as const };
    },
    { what: 'provisioning the Temporal test server', pollMs: 1000 },
  );
}

/** The version of io.temporal:temporal-testing the pom pins. */
export async function testServerVersion(): Promise<string> {
  const pom = await fs.readFile(TEST_SERVER_POM, 'utf8');
  return /<temporal\.version>([^<]+)<\/temporal\.version>/.exec(pom)?.[1] ?? 'unknown';
}

async function pomStamp(): Promise<string> {
  let pom: string;
  try {
    pom = await fs.readFile(TEST_SERVER_POM, 'utf8');
  } catch {
    throw new Error(`Cannot provide the Temporal test server: ${TEST_SERVER_POM} is missing`);
  }
  return createHash('sha256').update(pom).digest('hex');
}

async function isCurrent(dir: string, stamp: string): Promise<boolean> {
  try {
    const [recorded] = await Promise.all([fs.readFile(path.join(dir, '.pom-sha256'), 'utf8'), fs.access(path.join(dir, 'lib'))]);
    return recorded.trim() === stamp && (await isExecutable(path.join(dir, 'temporal-test-server')));
  } catch {
    return false;
  }
}

async function findJava(): Promise<string | undefined> {
  const home = loadHostConfig().javaHome;
  if (home && (await isExecutable(path.join(home, 'bin', 'java')))) return path.join(home, 'bin', 'java');
  const onPath = await findOnPath('java');
  return onPath ? fs.realpath(onPath) : undefined;
}

async function findMaven(): Promise<string | undefined> {
  const onPath = await findOnPath('mvn');
  if (onPath) return onPath;
  for (const home of loadHostConfig().mavenHomes) {
    if (await isExecutable(path.join(home, 'bin', 'mvn'))) return path.join(home, 'bin', 'mvn');
  }
  return undefined;
}

async function buildInto(dir: string, stamp: string): Promise<void> {
  const [java, mvn] = await Promise.all([findJava(), findMaven()]);
  if (!java || !mvn) {
    const missing = [!java && 'a Java runtime (java, >= 11)', !mvn && 'Maven (mvn)'].filter(Boolean).join(' and ');
    throw new Error(
      `Cannot provide the Temporal time-skipping test server: ${missing} not found. ` +
        'Install them (e.g. `apt-get install openjdk-17-jre-headless maven`), ' +
        'or set TEMPORAL_TEST_SERVER_PATH to a test server executable.',
    );
  }

  const version = await testServerVersion();
  const parent = path.dirname(dir);
  await fs.mkdir(parent, { recursive: true });
  // Only called while holding the lock, so leftovers belong to a dead build.
  for (const entry of await fs.readdir(parent)) {
    if (entry.startsWith('.temporal-test-server-staging-')) {
      await fs.rm(path.join(parent, entry), { recursive: true, force: true });
    }
  }
  const staging = path.join(parent, `.temporal-test-server-staging-${process.pid}`);
  await fs.mkdir(staging, { recursive: true });
  const started = Date.now();
  progress(`resolving the Temporal test server (io.temporal:temporal-testing:${version}) with Maven into ${dir}`);
  try {
    await runStreaming(
      mvn,
      [
        '-B',
        '-q',
        '-Dstyle.color=never',
        '-f',
        TEST_SERVER_POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${path.join(staging, 'lib')}`,
        '-DincludeScope=runtime',
      ],
      childEnvironment(),
      'resolving the Temporal test server with Maven',
    );
    const wrapper = path.join(staging, 'temporal-test-server');
    await fs.writeFile(wrapper, wrapperScript(java, version), { mode: 0o755 });
    await fs.writeFile(path.join(staging, '.pom-sha256'), `${stamp}\n`);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(staging, dir);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  // After the move: the archive is only valid for the exact class path it was made with.
  try {
    await createClassDataArchive(java, await fs.realpath(dir));
  } catch {
    // optional speed-up only
  }
  progress(`provisioned the Temporal test server in ${formatSeconds(Date.now() - started)}: ${dir}`);
}

function wrapperScript(java: string, version: string): string {
  return `#!/bin/sh
# Temporal's Java test server (io.temporal:temporal-testing:${version}), time-skipping capable.
# Usage: temporal-test-server <port> [--enable-time-skipping]
# Generated by infra/temporal-test-server.ts; delete this directory to re-provision.
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
JAVA=${shellQuote(java)}
if [ ! -x "$JAVA" ]; then
  if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
fi
CDS=""
if [ -f "$DIR/classes.jsa" ]; then CDS="-XX:SharedArchiveFile=$DIR/classes.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"; fi
# shellcheck disable=SC2086
exec "$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 $CDS \\
  -Dorg.slf4j.simpleLogger.defaultLogLevel=\${DOCKET_TEST_SERVER_LOG_LEVEL:-warn} \\
  $DOCKET_TEST_SERVER_JAVA_OPTS \\
  -cp "$DIR/lib/*" ${MAIN_CLASS} "$@"
`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Records the classes loaded at start-up into a CDS archive, which roughly halves JVM start-up
 * time (the SDK gives the server 5 s to start listening). Best effort: failure is ignored.
 */
async function createClassDataArchive(java: string, dir: string): Promise<void> {
  const archive = path.join(dir, 'classes.jsa');
  const classPath = `${path.join(dir, 'lib')}/*`;
  const port = await freePort();
  const child = execFile(
    java,
    [
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-XX:ArchiveClassesAtExit=${archive}`,
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      classPath,
      MAIN_CLASS,
      String(port),
    ],
    { timeout: 120_000 },
    () => undefined,
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null && !(await canConnect(port))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Let the first connections settle, then stop it; the archive is written at exit.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
  try {
    const check = await new Promise<boolean>((resolve) =>
      execFile(java, [`-XX:SharedArchiveFile=${archive}`, '-Xshare:on', '-cp', classPath, '-version'], (err) => resolve(!err)),
    );
    if (!check) await fs.rm(archive, { force: true });
  } catch {
    await fs.rm(archive, { force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

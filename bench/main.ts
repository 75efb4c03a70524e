/**
 * `npm run bench`: Docket's generic workflow side by side with a hand-written Temporal
 * workflow. Prints a table and writes bench/results/<timestamp>.json and latest.json.
 * Starts its own PostgreSQL and Temporal dev server unless DATABASE_URL and
 * TEMPORAL_ADDRESS name existing ones. `--seed-scale` adds the data-at-scale part
 * (bench/scale/), `--only scale` runs only that.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createDatabase, startPostgres, type RunningPostgres } from '../infra/postgres';
import { startDevServer, type DevServer } from '../infra/temporal-env';
import { loadCalendar } from '../client/setup';
import { loadConfig, PROJECT_ROOT } from '../config';
import { parseOptions, UsageError } from './options';
import { formatReport } from './report';
import { runBenchmark, timeInterpreter } from './run';
import { formatScale, parseScaleFlags, runScaleBench, SCALE_USAGE, type ScaleOptions } from './scale';

const POSTGRES_PORT = 5441;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseScaleFlags(argv);
  const opts = parseOptions(flags.rest);
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  if (flags.only) return onlyScale(flags.scale!, opts.outDir, command);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  let pg: RunningPostgres | undefined;
  let temporal: DevServer | undefined;
  try {
    // The pure step function first, while nothing else runs on the machine.
    const config = loadConfig();
    const interpreter = timeInterpreter(config.definitionsDir, await loadCalendar(config), opts);
    console.log('Starting PostgreSQL and Temporal…');
    [pg, temporal] = await Promise.all([
      startPostgres({ dataDir: path.join(PROJECT_ROOT, '.cache', 'bench-postgres'), port: POSTGRES_PORT }),
      startDevServer({ log: { format: 'pretty', level: 'error' } }),
    ]);
    // A database of its own, emptied at every run.
    const databaseUrl = await createDatabase(pg.url, 'docket_bench', { fresh: true });
    const servers = {
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      databaseUrl,
      ownTemporal: temporal.env !== undefined,
      description: [
        pg.embedded ? `embedded PostgreSQL (port ${POSTGRES_PORT})` : 'PostgreSQL at DATABASE_URL',
        temporal.env
          ? `Temporal dev server ${temporal.source.kind === 'path' ? `(${path.basename(temporal.source.path)}) ` : ''}in memory`
          : 'Temporal at TEMPORAL_ADDRESS',
      ].join(', '),
    };
    const result = await runBenchmark(opts, servers, console.log, interpreter);
    await temporal.shutdown();
    await pg.stop();
    [temporal, pg] = [undefined, undefined];
    const scale = flags.scale && (await runScaleBench(flags.scale));
    const report = formatReport(result, command) + (scale ? `\n\n${formatScale(scale)}` : '');
    console.log(`\n${report}`);
    if (opts.outDir) {
      mkdirSync(opts.outDir, { recursive: true });
      const json = JSON.stringify({ command, ...result, ...(scale && { scale }) }, null, 2) + '\n';
      const file = path.join(opts.outDir, `${result.startedAt.replace(/[:.]/g, '-')}${opts.smoke ? '-smoke' : ''}.json`);
      writeFileSync(file, json);
      if (!opts.smoke) writeFileSync(path.join(opts.outDir, 'latest.json'), json);
      console.log(`\nWrote ${path.relative(process.cwd(), file)}${opts.smoke ? '' : ' and latest.json'}`);
    }
  } finally {
    await temporal?.shutdown();
    await pg?.stop();
  }
}

/** `--only scale`: the data at scale alone (PostgreSQL only); writes <timestamp>-scale.json and latest-scale.json. */
async function onlyScale(scaleOpts: ScaleOptions, outDir: string, command: string): Promise<void> {
  const startedAt = new Date().toISOString();
  const scale = await runScaleBench(scaleOpts);
  console.log(`\nDocket benchmark, ${startedAt}\nCommand: ${command}\n\n${formatScale(scale)}`);
  if (!outDir) return;
  mkdirSync(outDir, { recursive: true });
  const json = JSON.stringify({ command, startedAt, scale }, null, 2) + '\n';
  const file = path.join(outDir, `${startedAt.replace(/[:.]/g, '-')}-scale.json`);
  writeFileSync(file, json);
  writeFileSync(path.join(outDir, 'latest-scale.json'), json);
  console.log(`\nWrote ${path.relative(process.cwd(), file)} and latest-scale.json`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError && err.help) {
    console.log(`${err.message}\n\n${SCALE_USAGE}`);
    return;
  }
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = err instanceof UsageError ? 2 : 1;
});

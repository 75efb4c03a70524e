/**
 * Provisions both Temporal servers ahead of time (e.g. to warm a CI cache):
 *   tsx scripts/prepare-temporal.ts [--dev-only | --time-skipping-only]
 * Prints where each came from. Exits non-zero if one cannot be provided.
 */
import { docketCacheDir, provisionTimeSkippingServer, resolveTemporalCli, testServerVersion } from '../infra';

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const dev = !args.has('--time-skipping-only');
  const timeSkipping = !args.has('--dev-only');
  console.log(`cache dir: ${docketCacheDir()}`);

  if (dev) {
    const started = Date.now();
    const source = await resolveTemporalCli();
    const took = seconds(started);
    switch (source.kind) {
      case 'address':
        console.log(`dev server: existing server at ${source.address} (TEMPORAL_ADDRESS)`);
        break;
      case 'download':
        console.log(`dev server: downloaded by the Temporal SDK on first start, into ${source.downloadDir}`);
        break;
      case 'path': {
        const origin = {
          env: 'TEMPORAL_CLI_PATH',
          path: 'found on PATH',
          cache: 'cached build',
          built: `built with Go in ${took}`,
        }[source.origin];
        console.log(`dev server: ${source.path} (${origin})`);
        break;
      }
    }
  }

  if (timeSkipping) {
    const started = Date.now();
    const { path, origin } = await provisionTimeSkippingServer();
    const how = {
      env: 'TEMPORAL_TEST_SERVER_PATH',
      cache: 'cached',
      built: `resolved with Maven in ${seconds(started)}`,
    }[origin];
    const version = origin === 'env' ? '' : `, io.temporal:temporal-testing:${await testServerVersion()}`;
    console.log(`time-skipping server: ${path} (${how}${version})`);
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

import { loadConfig } from '../config';
import { createLogger } from '../logging';
import { bootstrapAdmin, logCatchUp, startApi } from './server';
import { webRoot } from './web';

/**
 * Runs the HTTP API and the web UI (`npm run api`), for deployments that run it apart from the workers:
 * as many processes as needed, behind any load balancer (they share nothing but PostgreSQL and Temporal).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ name: 'docket-api', level: config.logLevel, format: config.logFormat });
  const web = await webRoot(config.api?.webDir, (line) => log.info(line.trim()));
  const api = await startApi(config, {
    port: config.api?.port ?? 3000,
    host: config.api?.host ?? '127.0.0.1',
    webRoot: web,
    // Request lines and failures as JSON on stdout, beside the lines of this process.
    logger: { level: config.logLevel, format: config.logFormat, fd: 1 },
  });
  logCatchUp(api.caughtUp, log);
  const calendarWarning = await api.deps.calendars?.warning();
  if (calendarWarning) log.warn(calendarWarning);
  const admin = await bootstrapAdmin(api.deps.users);
  // Printed once, to the terminal only: the token is not kept anywhere (and never written to the log).
  if (admin) process.stdout.write(`First start: created the user "admin". Its API token, shown this once:\n  ${admin.token}\n`);
  log.info({ url: api.url, appRole: api.appRole, web, metricsProtected: config.metrics.token !== undefined }, 'API and web UI listening');
  const stop = () => void api.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  createLogger({ name: 'docket-api', fd: 2 }).fatal({ err }, 'API failed');
  process.exitCode = 1;
});

/**
 * Docket's production processes as real child processes: `npm run api` (api/run.ts) and `npm run worker`
 * (worker/run.ts), each configured only by its environment, as an operator starts them. They are run with
 * `node --import tsx` (what those scripts run) so that a kill reaches the process itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config';

export interface DocketProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** The API's URL (APIs only). */
  url?: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const ENTRY = { api: path.join(PROJECT_ROOT, 'api', 'run.ts'), worker: path.join(PROJECT_ROOT, 'worker', 'run.ts') };
const READY = { api: 'API and web UI listening', worker: 'worker started' };

/** Starts `role` with `env` (added to this process's PATH and HOME only) and waits for the line saying it is up. */
export async function spawnDocket(
  role: 'api' | 'worker',
  name: string,
  env: Record<string, string>,
  timeoutMs = 180_000,
): Promise<DocketProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY[role]], {
    cwd: PROJECT_ROOT,
    // Nothing inherited but what finds programs: every setting is the operator's, given here. Cases may
    // start for customer ids without a record unless a test says otherwise.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOCKET_REQUIRE_CUSTOMER_RECORD: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: DocketProcess = {
    name,
    child,
    output: () => text,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = text.split('\n').find((l) => l.includes(READY[role]));
    if (line) {
      if (role === 'api') proc.url = (JSON.parse(line) as { url: string }).url;
      return proc;
    }
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await proc.kill('SIGKILL');
      throw new Error(`${name} (${role}) did not start:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The admin token the API that created the first admin printed (at most one of several APIs starting at once does). */
export function printedAdminToken(apis: DocketProcess[]): { token: string; printedBy: string[] } {
  const printedBy: string[] = [];
  let token = '';
  for (const api of apis) {
    const match = /Its API token, shown this once:\n\s+(\S+)/.exec(api.output());
    if (match) {
      printedBy.push(api.name);
      token = match[1]!;
    }
  }
  return { token, printedBy };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** One HTTP call to an API process. */
export async function callApi<T = any>(
  url: string,
  method: string,
  route: string,
  options: { token?: string; role?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.role !== undefined) headers['x-docket-role'] = options.role;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${route}`, { method, headers, ...(options.body !== undefined && { body: JSON.stringify(options.body) }) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (the web UI's files)
  }
  return { status: res.status, body: body as T, text, headers: res.headers };
}

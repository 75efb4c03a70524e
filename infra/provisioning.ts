/**
 * Provisioning tools on this machine: progress lines on stderr, executables on PATH, running a
 * build command with a heartbeat, and whether a download host answers.
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadHostConfig } from '../config';

export function progress(message: string): void {
  process.stderr.write(`[docket] ${message}\n`);
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of loadHostConfig().searchPath) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * True when an HTTPS HEAD request to `host` gets any HTTP answer within `timeoutMs`.
 * Offline machines fail fast (DNS) or hit the timeout, so this never hangs.
 */
export async function isHostReachable(host: string, timeoutMs = 3000): Promise<boolean> {
  try {
    await fetch(`https://${host}/`, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, copying its output to stderr, with a heartbeat line every 30 s. */
export async function runStreaming(command: string, args: string[], env: NodeJS.ProcessEnv, what: string, cwd?: string): Promise<void> {
  const started = Date.now();
  const heartbeat = setInterval(() => progress(`still ${what} (${formatSeconds(Date.now() - started)})`), 30_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, {
        env,
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const relay = (chunk: string): void => {
        // Drop colour codes (Maven emits them even in batch mode).
        const text = chunk.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
        if (text.trim()) process.stderr.write(text);
      };
      child.stdout.setEncoding('utf8').on('data', relay);
      child.stderr.setEncoding('utf8').on('data', relay);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`${what} failed: \`${command} ${args.join(' ')}\` exited with ${signal ?? code}`));
      });
    });
  } finally {
    clearInterval(heartbeat);
  }
}

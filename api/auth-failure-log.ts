/**
 * Failed authentications in the security log without letting a flood fill it: per client
 * address and window, the first `logFirst` are written one by one (and at most `logTotal`
 * from all addresses together), the rest are counted and written as one
 * `AuthFailuresAggregated` row per address and window, with the count. Counts live in this
 * process: each API process sums up what it saw.
 */
import type { SecurityEvent } from '../adapters/postgres/security-log';

export interface AuthFailureLogOptions {
  windowMs: number;
  /** Failures from one address per window written one by one. */
  logFirst: number;
  /** Failures from all addresses together per window written one by one. */
  logTotal: number;
  /** Addresses tracked at once; failures from more addresses are summed up under `*`. */
  maxAddresses?: number;
}

interface Window {
  started: number;
  logged: number;
  /** Failures not written one by one, by code. */
  counted: Map<string, number>;
  last: SecurityEvent;
}

export const AGGREGATED_CODE = 'AuthFailuresAggregated';

export class AuthFailureLog {
  private readonly windows = new Map<string, Window>();
  private total = { started: 0, logged: 0 };
  private readonly timer: NodeJS.Timeout;
  private pending = Promise.resolve();

  constructor(
    private readonly log: { record(e: SecurityEvent): Promise<void> },
    private readonly options: AuthFailureLogOptions,
    private readonly onError: (err: unknown) => void,
  ) {
    // Summaries of windows that ended are written within a window of their end, even if that address sends nothing more.
    this.timer = setInterval(() => void this.flush(false), options.windowMs);
    this.timer.unref();
  }

  /** Records a failed authentication (or a refusal of a throttled address): one by one while under the limits, else counted. */
  async refused(event: SecurityEvent): Promise<void> {
    const now = Date.now();
    const { windowMs, logFirst, logTotal, maxAddresses = 10_000 } = this.options;
    let key = event.remoteIp ?? 'unknown';
    if (!this.windows.has(key) && this.windows.size >= maxAddresses) key = '*';
    let w = this.windows.get(key);
    if (w && now - w.started >= windowMs) {
      this.windows.delete(key);
      this.summarise(key, w, now);
      w = undefined;
    }
    if (!w) {
      w = { started: now, logged: 0, counted: new Map(), last: event };
      this.windows.set(key, w);
    }
    w.last = event;
    if (now - this.total.started >= windowMs) this.total = { started: now, logged: 0 };
    if (w.logged < logFirst && this.total.logged < logTotal) {
      w.logged++;
      this.total.logged++;
      await this.log.record(event);
      return;
    }
    w.counted.set(event.code, (w.counted.get(event.code) ?? 0) + 1);
  }

  /** Writes the summaries of windows that ended (all of them when `all`), and waits for them. */
  async flush(all: boolean): Promise<void> {
    const now = Date.now();
    for (const [key, w] of this.windows) {
      if (all || now - w.started >= this.options.windowMs) {
        this.windows.delete(key);
        this.summarise(key, w, now);
      }
    }
    await this.pending;
  }

  /** Stops the timer and writes every summary. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(true);
  }

  private summarise(key: string, w: Window, now: number): void {
    const count = [...w.counted.values()].reduce((a, b) => a + b, 0);
    if (count === 0) return;
    const codes = [...w.counted].map(([code, n]) => `${code} ${n}`).join(', ');
    const from = key === '*' ? 'addresses beyond those tracked' : key;
    const row: SecurityEvent = {
      code: AGGREGATED_CODE,
      count,
      remoteIp: key === '*' ? null : key,
      method: w.last.method ?? null,
      path: w.last.path ?? null,
      tokenId: w.last.tokenId ?? null,
      message:
        `${count} more failed authentications from ${from} between ${new Date(w.started).toISOString()} and ` +
        `${new Date(now).toISOString()}, not written one by one (${codes}); the last: ${w.last.message}`,
    };
    this.pending = this.pending.then(() => this.log.record(row)).catch(this.onError);
  }
}

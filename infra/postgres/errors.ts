/** Failures to start the development PostgreSQL server, and how they are described. */

export class PostgresStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PostgresStartError';
  }
}

/** A failure's message; `undefined` is what a server process that exited rejects with. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err === undefined) return 'the server process exited';
  return typeof err === 'string' ? err : JSON.stringify(err);
}

/** The lines of a server log worth showing with a failure (errors first, else its tail). */
export function logSummary(logTail: string[]): string {
  const important = logTail.filter((l) => /FATAL|PANIC|ERROR|HINT|DETAIL|could not|failed/i.test(l));
  const lines = (important.length > 0 ? important : logTail).slice(-12);
  return lines.length > 0 ? `\nServer log:\n  ${lines.join('\n  ')}` : '';
}

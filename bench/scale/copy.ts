/**
 * `COPY … FROM STDIN` over a pg client, with node-postgres's own protocol hooks (a submittable
 * query: pg sends the statement, hands over the connection on CopyInResponse, and reports the
 * CommandComplete): rows are written as they are made, in PostgreSQL's text format, never held
 * in memory. Writes wait while the socket's buffer is full.
 */
import type { ClientBase } from 'pg';

/** The parts of pg's Connection a COPY needs (its socket, and the simple query message). */
interface PgConnection {
  stream: NodeJS.WritableStream & { writable: boolean };
  query(text: string): void;
  sendCopyFail(message: string): void;
}

const CHUNK = 256 * 1024;

/** A COPY in progress: `write` rows (text format lines), then `end`; the promise of `end` resolves with the row count. */
export class CopyIn {
  private connection?: PgConnection;
  private buffered: string[] = [];
  private bufferedLength = 0;
  private failure?: Error;
  private opened!: { resolve: () => void; reject: (err: Error) => void };
  private finished!: { resolve: (rows: number) => void; reject: (err: Error) => void };
  private readonly open: Promise<void>;
  private readonly done: Promise<number>;
  private rows = 0;
  /** Rejects the write waiting for the socket to drain, should the COPY fail meanwhile. */
  private waiting?: (err: Error) => void;
  /** Rows written so far (for progress). */
  written = 0;

  private constructor(readonly text: string) {
    this.open = new Promise((resolve, reject) => (this.opened = { resolve, reject }));
    this.done = new Promise((resolve, reject) => (this.finished = { resolve, reject }));
    // Rejections are read through `write` and `end`; an unread one must not end the process.
    this.open.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /** Starts `COPY <table> (<columns>) FROM STDIN` on `client` (which it holds until `end`). */
  static async start(client: ClientBase, table: string, columns: readonly string[]): Promise<CopyIn> {
    const copy = new CopyIn(`COPY ${table} (${columns.join(', ')}) FROM STDIN`);
    void (client.query(copy as never) as unknown);
    await copy.open;
    return copy;
  }

  // --- pg's submittable interface ---
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    this.connection = connection;
    this.opened.resolve();
  }
  handleCommandComplete(msg: { text?: string }): void {
    const match = /(\d+)$/.exec(msg.text ?? '');
    this.rows = match ? Number(match[1]) : this.written;
  }
  handleReadyForQuery(): void {
    if (this.failure) this.finished.reject(this.failure);
    else this.finished.resolve(this.rows);
  }
  handleError(err: Error): void {
    this.failure = err;
    this.waiting?.(err);
    this.opened.reject(err);
    this.finished.reject(err);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  /** Adds one row (a line of the text format, without its newline); resolves at once unless the socket is full. */
  async write(line: string): Promise<void> {
    this.buffered.push(line);
    this.bufferedLength += line.length + 1;
    this.written += 1;
    if (this.bufferedLength >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.buffered.length === 0) return;
    const body = Buffer.from(this.buffered.join('\n') + '\n', 'utf8');
    this.buffered = [];
    this.bufferedLength = 0;
    // A CopyData message: 'd', its length (itself included), the bytes.
    const header = Buffer.alloc(5);
    header.write('d', 0, 'latin1');
    header.writeInt32BE(body.length + 4, 1);
    const stream = this.connection!.stream;
    stream.write(header);
    if (!stream.write(body)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.waiting = undefined;
          resolve();
        };
        this.waiting = (err: Error) => {
          stream.removeListener('drain', onDrain);
          reject(err);
        };
        stream.once('drain', onDrain);
      });
    }
  }

  /** Sends the rest and CopyDone; resolves with the rows PostgreSQL stored. */
  async end(): Promise<number> {
    await this.flush();
    // CopyDone: 'c' and its length.
    const done = Buffer.alloc(5);
    done.write('c', 0, 'latin1');
    done.writeInt32BE(4, 1);
    this.connection!.stream.write(done);
    return this.done;
  }

  /** Abandons the COPY (PostgreSQL rolls it back). */
  async abort(reason: string): Promise<void> {
    if (this.connection && !this.failure) this.connection.sendCopyFail(reason);
    await this.done.catch(() => undefined);
  }
}

/** A value in COPY's text format: NULL as \N; backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text[] literal (`{a,"b c"}`) of simple or quoted elements. */
export function textArray(items: readonly string[]): string {
  if (items.length === 0) return '{}';
  return `{${items.map((s) => (/^[A-Za-z0-9._@-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
}

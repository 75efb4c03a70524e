import type { Pool, PoolClient } from 'pg';
import { mapPgError } from './errors';

/**
 * Runs `fn` in one transaction on a client of `pool`: commits when it resolves,
 * rolls back when it throws, and reports errors through `mapError` (PostgreSQL
 * codes to typed errors). A client whose rollback failed is discarded, not reused.
 */
export async function inTransaction<T>(
  pool: Pool,
  what: string,
  fn: (client: PoolClient) => Promise<T>,
  mapError: (err: unknown, what: string) => unknown = mapPgError,
): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapPgError(err, `${what}: could not connect`);
  }
  let discard: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // The connection is in an unknown state: do not return it to the pool.
      discard = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw mapError(err, what);
  } finally {
    client.release(discard);
  }
}

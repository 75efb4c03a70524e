import { Pool, type PoolConfig } from 'pg';

/**
 * A pg Pool that survives the server dropping idle connections (a restart, a
 * failover, Ctrl-C reaching an embedded server first): pg emits such errors on
 * the pool, and an unhandled 'error' event would end the process. The broken
 * client is discarded by the pool; the next query connects again.
 */
export function createPool(config: PoolConfig, onIdleError: (err: Error) => void = () => undefined): Pool {
  const pool = new Pool(config);
  pool.on('error', onIdleError);
  return pool;
}

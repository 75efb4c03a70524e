/** Stops the servers started by global-setup. */
export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__docketServers as
    { pg: { stop(): Promise<void> }; temporal: { shutdown(): Promise<void> } } | undefined;
  if (!servers) return;
  await Promise.allSettled([servers.temporal.shutdown(), servers.pg.stop()]);
}

/** The TLS options of a connection to Temporal, read from the files the configuration names. */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { DocketConfig } from './docket-config';

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

/** Undefined when no TLS is configured (plain TCP, as to a development server). */
export function temporalTls(config: Pick<DocketConfig, 'temporalTls'>): TLSConfig | undefined {
  const tls = config.temporalTls;
  if (!tls) return undefined;
  return {
    ...(tls.certFile !== undefined &&
      tls.keyFile !== undefined && {
        clientCertPair: { crt: read(tls.certFile, 'TEMPORAL_TLS_CERT'), key: read(tls.keyFile, 'TEMPORAL_TLS_KEY') },
      }),
    ...(tls.caFile !== undefined && { serverRootCACertificate: read(tls.caFile, 'TEMPORAL_TLS_CA') }),
    ...(tls.serverName !== undefined && { serverNameOverride: tls.serverName }),
  };
}

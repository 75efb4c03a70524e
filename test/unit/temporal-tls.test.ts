import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, temporalTls } from '../../config';

const dir = mkdtempSync(path.join(tmpdir(), 'docket-tls-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const base = { DOCKET_DATA_DIR: dir };

test('no TLS variables: a plain connection, as to a development server', () => {
  const config = loadConfig(base);
  expect(config.temporalTls).toBeUndefined();
  expect(temporalTls(config)).toBeUndefined();
});

test('mTLS: the client certificate pair, the server CA and a server name are read from their files', () => {
  const config = loadConfig({
    ...base,
    TEMPORAL_TLS_CERT: file('worker.crt', 'CERT'),
    TEMPORAL_TLS_KEY: file('worker.key', 'KEY'),
    TEMPORAL_TLS_CA: file('ca.crt', 'CA'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const tls = temporalTls(config)!;
  expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe('CERT');
  expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe('KEY');
  expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('CA');
  expect(tls.serverNameOverride).toBe('temporal.internal');
});

test('TLS with a CA only (server authentication, no client certificate)', () => {
  const tls = temporalTls(loadConfig({ ...base, TEMPORAL_TLS_CA: file('ca2.crt', 'CA2') }))!;
  expect(tls.clientCertPair).toBeUndefined();
  expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe('CA2');
});

test('a certificate without its key, or a file that cannot be read, is a clear error', () => {
  expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT: file('only.crt', 'CERT') })).toThrow(
    /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
  );
  const config = loadConfig({ ...base, TEMPORAL_TLS_CA: path.join(dir, 'missing.crt') });
  expect(() => temporalTls(config)).toThrow(/cannot read TEMPORAL_TLS_CA .*missing\.crt/);
});

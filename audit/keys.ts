/**
 * The audit signing keys (Ed25519, node:crypto). The worker holds the private key
 * in a file outside the database and signs every row it appends; verifiers need
 * only the public keys, which live in a keyring file (`public-keys.json`) that
 * verifiers pin, and in `docket.audit_keys` for reference.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export const KEYRING_FORMAT = 'docket-audit-keys';

/** A public key a verifier may trust, named by its id. */
export interface PublicKeyEntry {
  keyId: string;
  algorithm: 'ed25519';
  /** SPKI, PEM. */
  publicKey: string;
  createdAt: string;
}

/** The public keyring file: every key that has signed rows, oldest first. Holds no secret. */
export interface PublicKeyring {
  format: typeof KEYRING_FORMAT;
  keys: PublicKeyEntry[];
  /** When the first key was made: rows and cases unsigned before that were adopted then (see adoptUnsigned). */
  keyedSince?: string;
}

/** The private key of the writer, with its public part. */
export interface AuditSigner {
  keyId: string;
  privateKey: KeyObject;
  publicKey: PublicKeyEntry;
}

/** `ed25519:` and the first 16 hex digits of the SHA-256 of the public key (DER SPKI): it names the key and cannot be chosen. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

function entryOf(publicKey: KeyObject, createdAt: string): PublicKeyEntry {
  return {
    keyId: keyIdOf(publicKey),
    algorithm: 'ed25519',
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    createdAt,
  };
}

/** Parses one public key (PEM) into an entry; throws a message naming `source` when it is not an Ed25519 public key. */
export function publicKeyEntry(pem: string, source: string, createdAt = ''): PublicKeyEntry {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new Error(`${source}: not a public key in PEM format (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${source}: an audit key must be Ed25519, this one is ${String(key.asymmetricKeyType)}`);
  }
  return entryOf(key, createdAt);
}

/**
 * Reads the trusted public keys from a file: a keyring (`public-keys.json`, or an
 * export's `keys`) or one PEM public key. Throws a message naming the file.
 */
export function readPublicKeys(file: string): PublicKeyEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the public key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g);
    if (blocks === null) {
      throw new Error(`${file}: neither a PEM public key nor a JSON keyring ({"format":"${KEYRING_FORMAT}","keys":[…]})`);
    }
    return blocks.map((pem) => publicKeyEntry(pem, file));
  }
  const keys = (data as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error(`${file}: a keyring needs a "keys" array`);
  return keys.map((k: { publicKey?: unknown; createdAt?: unknown }, i) => {
    if (typeof k?.publicKey !== 'string') throw new Error(`${file}: keys[${i}].publicKey must be a PEM string`);
    // The id is recomputed from the key: an id written in the file is never trusted.
    return publicKeyEntry(k.publicKey, `${file}: keys[${i}]`, typeof k.createdAt === 'string' ? k.createdAt : '');
  });
}

/** The keyring at `file`, or undefined when there is none yet. */
export function readKeyring(file: string): PublicKeyring | undefined {
  if (!existsSync(file)) return undefined;
  const keys = readPublicKeys(file);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { keyedSince?: unknown };
  return { format: KEYRING_FORMAT, keys, ...(typeof raw.keyedSince === 'string' && { keyedSince: raw.keyedSince }) };
}

/** Writes `text` to `file` through a temporary file and a rename, so readers never see half a file. */
function writeAtomically(file: string, text: string, mode: number): void {
  privateFolder(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

/** Generates a new Ed25519 key into `file` (PKCS#8 PEM, mode 0600); refuses to overwrite an existing file. */
export function generateSigningKey(file: string, now = new Date()): AuditSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  privateFolder(path.dirname(file));
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx': created here or not at all, so two processes starting together keep one key.
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  return { keyId: keyIdOf(publicKey), privateKey, publicKey: entryOf(publicKey, now.toISOString()) };
}

/** Loads the signing key of `file`. Throws a message naming the file and how to make one. */
export function loadSigningKey(file: string): AuditSigner {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the audit signing key ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ` +
        'set DOCKET_AUDIT_SIGNING_KEY_FILE to an Ed25519 private key (PKCS#8 PEM, e.g. `openssl genpkey -algorithm ed25519`), ' +
        'or leave it unset to have one generated in the data directory',
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`${file}: not a private key in PEM format (expected an Ed25519 key, PKCS#8)`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file}: the audit signing key must be Ed25519, this one is ${String(privateKey.asymmetricKeyType)}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey: entryOf(publicKey, new Date().toISOString()) };
}

/**
 * Adds the signer's public key to the keyring at `file` (created when missing) and
 * returns whether the keyring is new: the moment keyed audit began, when rows
 * written before it are adopted.
 */
export function addToKeyring(file: string, signer: AuditSigner, now = new Date()): { created: boolean; keyring: PublicKeyring } {
  const existing = readKeyring(file);
  if (existing?.keys.some((k) => k.keyId === signer.keyId)) return { created: false, keyring: existing };
  const keyring: PublicKeyring = {
    format: KEYRING_FORMAT,
    keyedSince: existing?.keyedSince ?? now.toISOString(),
    keys: [...(existing?.keys ?? []), { ...signer.publicKey, createdAt: now.toISOString() }],
  };
  writeAtomically(file, `${JSON.stringify(keyring, null, 2)}\n`, 0o644);
  return { created: existing === undefined, keyring };
}

/** Where the writer's keys are (config/docket-config.ts `audit`). */
export interface SignerFiles {
  signingKeyFile: string;
  generateSigningKey: boolean;
  publicKeysFile: string;
}

/**
 * The writer's signer: the key of `signingKeyFile` (generated there first when
 * allowed and missing), its public part added to the keyring. `keyringCreated`
 * says keyed audit begins now: the caller adopts the rows written before.
 */
export function openSigner(files: SignerFiles): { signer: AuditSigner; keyringCreated: boolean } {
  let signer: AuditSigner;
  if (files.generateSigningKey && !existsSync(files.signingKeyFile)) {
    try {
      signer = generateSigningKey(files.signingKeyFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      signer = loadSigningKey(files.signingKeyFile); // another process made it first
    }
  } else {
    signer = loadSigningKey(files.signingKeyFile);
  }
  const { created } = addToKeyring(files.publicKeysFile, signer);
  return { signer, keyringCreated: created };
}

/**
 * Makes `dir` with mode 0700; the folders above it get the usual mode, so that a private folder
 * made first (e.g. data/audit) never closes data/ to the embedded PostgreSQL server's own user.
 */
function privateFolder(dir: string): void {
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

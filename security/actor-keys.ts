/**
 * The keys Docket's clients and workers vouch for actors with (see ./vouch-codec.ts): from
 * `DOCKET_ACTOR_KEYS` (`id:base64secret`, comma-separated, the first signs), else from
 * `<data dir>/secrets/actor-keys.json`, created with one random key (mode 0600) when missing,
 * so that every process sharing a data directory agrees. Several machines share the variable.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ActorKey } from './vouch-codec';

const MIN_SECRET_BYTES = 32;

/** Parses `id:base64secret[,id:base64secret…]`; throws a message that says what is wrong. */
export function parseActorKeys(text: string): ActorKey[] {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const id = entry.slice(0, colon);
      const secret = Buffer.from(entry.slice(colon + 1), 'base64');
      if (colon <= 0 || !/^[A-Za-z0-9_-]{1,40}$/.test(id))
        throw new Error('DOCKET_ACTOR_KEYS: each key is <id>:<base64 secret>, the id of letters, digits, _ or -');
      if (secret.length < MIN_SECRET_BYTES)
        throw new Error(
          `DOCKET_ACTOR_KEYS: the secret of key "${id}" has ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} random bytes`,
        );
      return { id, secret };
    });
  if (keys.length === 0) throw new Error('DOCKET_ACTOR_KEYS names no key');
  return keys;
}

/** A new key line for DOCKET_ACTOR_KEYS (`docket` prints one for operators). */
export function newActorKey(id: string): string {
  return `${id}:${randomBytes(MIN_SECRET_BYTES).toString('base64')}`;
}

export function actorKeysFile(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'actor-keys.json');
}

/** The configured keys, or the data directory's (made on first use). */
export function resolveActorKeys(config: { actorKeys?: string; dataDir: string }): ActorKey[] {
  if (config.actorKeys) return parseActorKeys(config.actorKeys);
  const file = actorKeysFile(config.dataDir);
  try {
    return parseActorKeys((JSON.parse(readFileSync(file, 'utf8')) as { keys: string }).keys);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  privateFolder(path.dirname(file));
  try {
    writeFileSync(file, `${JSON.stringify({ keys: newActorKey(`k${Date.now().toString(36)}`) })}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process made it first: use theirs
  }
  chmodSync(file, 0o600);
  return parseActorKeys((JSON.parse(readFileSync(file, 'utf8')) as { keys: string }).keys);
}

/**
 * Makes `dir` with mode 0700; the folders above it get the usual mode, so that a private folder
 * made first (e.g. data/audit) never closes data/ to the embedded PostgreSQL server's own user.
 */
function privateFolder(dir: string): void {
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * Actors vouched for: every payload Docket's clients and workers send to Temporal carries an
 * HMAC made with a key they share and that never enters a history. A worker checks it when it
 * reads a payload; a start input, an action or a signal that arrives without a valid one — sent
 * by anyone else who can reach Temporal — is marked `$unvouched`, and the case refuses it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { UNVOUCHED } from '../workflows/messages';

export { UNVOUCHED };

/** One key: its id (named in every signature) and its secret. The first of a list signs; all of them verify. */
export interface ActorKey {
  id: string;
  secret: Buffer;
}

const META_KEY = 'docket-vouch';
const ENCODING_KEY = 'encoding';
const DOMAIN = 'docket-vouch/1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Payload bytes as they come: a Uint8Array, or (from some paths of the SDK) a plain array of numbers. */
function bytes(value: Uint8Array | ArrayLike<number> | null | undefined): Uint8Array {
  if (value === null || value === undefined) return new Uint8Array();
  return value instanceof Uint8Array ? value : Uint8Array.from(value);
}

function mac(key: ActorKey, payload: Payload): Buffer {
  const hmac = createHmac('sha256', key.secret);
  hmac.update(DOMAIN);
  hmac.update('\n');
  hmac.update(bytes(payload.metadata?.[ENCODING_KEY]));
  hmac.update('\n');
  hmac.update(bytes(payload.data));
  return hmac.digest();
}

/** Messages that act for someone: a case's start input, an action (event, migration, retry), a sub-process's report. */
function actsForSomeone(value: Record<string, unknown>): boolean {
  const isObject = (v: unknown) => v !== null && typeof v === 'object';
  return (
    isObject(value.actor) ||
    (isObject(value.startedBy) && typeof value.caseId === 'string') ||
    (typeof value.invokeId === 'string' && typeof value.caseId === 'string' && typeof value.state === 'string')
  );
}

export class VouchCodec implements PayloadCodec {
  private readonly byId: Map<string, ActorKey>;

  constructor(private readonly keys: ActorKey[]) {
    if (keys.length === 0) throw new Error('VouchCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys[0]!;
    return payloads.map((p) => ({
      ...p,
      metadata: { ...p.metadata, [META_KEY]: encoder.encode(`${key.id}.${mac(key, p).toString('base64url')}`) },
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (this.vouched(p) ? p : marked(p)));
  }

  /** Whether a payload carries a valid signature of one of the keys. */
  vouched(p: Payload): boolean {
    const raw = p.metadata?.[META_KEY];
    if (!raw) return false;
    const text = decoder.decode(bytes(raw));
    const dot = text.lastIndexOf('.');
    const key = dot > 0 ? this.byId.get(text.slice(0, dot)) : undefined;
    if (!key) return false;
    const given = Buffer.from(text.slice(dot + 1), 'base64url');
    const expected = mac(key, p);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** An unsigned payload as the workflow reads it: a message that acts for someone says it was not vouched for. */
function marked(p: Payload): Payload {
  const encoding = decoder.decode(bytes(p.metadata?.[ENCODING_KEY]));
  if (encoding !== 'json/plain' || !p.data) return p;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes(p.data)));
  } catch {
    return p;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !actsForSomeone(value as Record<string, unknown>)) return p;
  return { ...p, data: encoder.encode(JSON.stringify({ ...(value as Record<string, unknown>), [UNVOUCHED]: true })) };
}

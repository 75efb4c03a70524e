/** A way notifications reach people besides the in-app centre: mail, a group robot. */
import type { Addressee, ClaimedNotification } from '../postgres/notification-store';

/** One notification with the users it is addressed to (roles resolved at delivery time). */
export interface DeliveryTarget {
  notification: ClaimedNotification;
  addressees: Addressee[];
}

export interface DeliveryChannel {
  /** Recorded in the outbox row's `delivered_channels` once delivered: `mail`, `robot:<name>`. */
  readonly name: string;
  /** Whether this notification goes through this channel at all (e.g. somebody wants mail). */
  applies(target: DeliveryTarget): boolean;
  /** Delivers; throws on failure (a `PermanentDeliveryError` when retrying cannot help). Never logs. */
  send(target: DeliveryTarget): Promise<void>;
}

/** A failure that retrying will not mend until the configuration changes. */
export class PermanentDeliveryError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** An error as text for the outbox row (admins' view), cut to a sane length. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

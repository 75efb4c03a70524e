import type { Notification } from '../engine/types';

/** Delivers notifications. `send` is idempotent on `notification.id`. */
export interface Notifier {
  send(notification: Notification): Promise<void>;
}

/**
 * Each worker process drains the notification outbox in a loop beside its Temporal
 * worker (not as activities: delivery needs no workflow, and claiming with SKIP LOCKED
 * keeps several processes from sending a row twice). See adapters/notify/delivery.ts.
 */
import type { Pool } from 'pg';
import { DeliveryLoop, mailChannelFromConfig, RobotChannel, type DeliveryChannel, type DeliveryLog } from '../adapters/notify';
import { PostgresOutboxQueue } from '../adapters/postgres/notification-store';
import type { DocketConfig } from '../config';

export interface DeliveryHandle {
  loop: DeliveryLoop;
  /** Stops the loop and closes the channels. */
  stop(): Promise<void>;
}

/** The channels the configuration names: mail with SMTP_URL, a robot per DOCKET_ROBOT_WEBHOOKS entry. */
export function configuredChannels(config: Pick<DocketConfig, 'smtp' | 'robots'>): DeliveryChannel[] {
  const channels: DeliveryChannel[] = [];
  if (config.smtp) channels.push(mailChannelFromConfig(config.smtp));
  for (const robot of config.robots) channels.push(new RobotChannel(robot));
  return channels;
}

/** Starts the delivery loop of a worker process on its pool. */
export function startDelivery(config: DocketConfig, pool: Pool, log?: DeliveryLog): DeliveryHandle {
  const channels = configuredChannels(config);
  const loop = new DeliveryLoop(new PostgresOutboxQueue(pool), channels, config.delivery, log);
  loop.start();
  return {
    loop,
    async stop() {
      await loop.stop();
      for (const channel of channels) (channel as { close?: () => void }).close?.();
    },
  };
}

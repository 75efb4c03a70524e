/**
 * The in-app notification centre (each caller sees only their own), their channel
 * preferences, and the outbox's delivery status for admins.
 */
import { z } from 'zod';
import { PostgresNotificationStore } from '../../adapters/postgres/notification-store';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';

const subject = z.object({ en: z.string(), 'zh-CN': z.string() });

/** What a notification is about: shared by an in-app item and an outbox row. */
const about = { id: z.string(), caseId: z.string(), processId: z.string(), kind: z.string(), template: z.string() };

const notificationOut = z
  .object({
    ...about,
    subject,
    state: z.string().nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
    forUserId: z.string().nullable().describe('received as an out-of-office delegate: the user it was for'),
  })
  .meta({ id: 'Notification' });

const notificationPage = z.object({
  items: z.array(notificationOut),
  total: z.number().int().describe('all of the caller’s notifications, read or not'),
  unread: z.number().int(),
  nextCursor: z.string().optional().describe('pass as `cursor` for the next (older) page; absent on the last'),
});

const notificationsQuery = z.object({
  unread: z.enum(['true', 'false']).optional().describe('`true`: only the unread'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const preferences = z.object({ inApp: z.literal(true).describe('always on'), mail: z.boolean() }).meta({ id: 'NotificationPreferences' });
const preferencesBody = z.object({ mail: z.boolean() }).strict();

const outboxEntry = z
  .object({
    ...about,
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number().int(),
    deliveredChannels: z.array(z.string()),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    sentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'OutboxEntry' });

const outboxQuery = z.object({
  status: z.enum(['pending', 'sent', 'failed']).optional(),
  process: z.string().min(1).max(200).optional(),
  case: z.string().min(1).max(200).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export function notificationRoutes(deps: ApiDeps): AnyRoute[] {
  const store = new PostgresNotificationStore(deps.pool);
  return [
    route({
      method: 'GET',
      url: '/notifications',
      summary: 'List my notifications',
      tag: 'notifications',
      access: 'any',
      query: notificationsQuery,
      responses: { 200: { description: 'the caller’s notifications, newest first, with counts', schema: notificationPage } },
      async handler(ctx) {
        const page = await store.list(ctx.caller.principal.userId, {
          unreadOnly: ctx.query.unread === 'true',
          limit: ctx.query.limit,
          ...(ctx.query.cursor !== undefined && { cursor: ctx.query.cursor }),
        });
        return { status: 200, body: page };
      },
    }),
    route({
      method: 'POST',
      url: '/notifications/:id/read',
      summary: 'Mark a notification read',
      tag: 'notifications',
      access: 'any',
      params: z.object({ id: z.string().min(1).max(40) }),
      responses: {
        200: { description: 'the notification, read', schema: notificationOut },
        404: { description: 'the caller has no notification of that id' },
      },
      async handler(ctx) {
        const read = await store.markRead(ctx.caller.principal.userId, ctx.params.id);
        if (!read) throw new ApiError(404, 'NotFound', `you have no notification ${ctx.params.id}: see GET /notifications`);
        return { status: 200, body: read };
      },
    }),
    route({
      method: 'POST',
      url: '/notifications/read-all',
      summary: 'Mark all my notifications read',
      tag: 'notifications',
      access: 'any',
      responses: { 200: { description: 'how many were unread', schema: z.object({ marked: z.number().int() }) } },
      async handler(ctx) {
        return { status: 200, body: { marked: await store.markAllRead(ctx.caller.principal.userId) } };
      },
    }),
    route({
      method: 'GET',
      url: '/me/notification-preferences',
      summary: 'Read my notification preferences',
      tag: 'notifications',
      access: 'any',
      responses: { 200: { description: 'the caller’s channels', schema: preferences } },
      async handler(ctx) {
        return { status: 200, body: await store.preferences(ctx.caller.principal.userId) };
      },
    }),
    route({
      method: 'PUT',
      url: '/me/notification-preferences',
      summary: 'Set my notification preferences',
      tag: 'notifications',
      access: 'any',
      body: preferencesBody,
      responses: { 200: { description: 'the caller’s channels, as stored', schema: preferences } },
      async handler(ctx) {
        return { status: 200, body: await store.setPreferences(ctx.caller.principal.userId, ctx.body) };
      },
    }),
    route({
      method: 'GET',
      url: '/outbox',
      summary: 'List the notification outbox',
      tag: 'notifications',
      access: ['admin'],
      query: outboxQuery,
      responses: {
        200: {
          description: 'outbox rows, newest first, with their delivery status',
          schema: z.object({ rows: z.array(outboxEntry), total: z.number().int(), nextCursor: z.string().optional() }),
        },
      },
      async handler(ctx) {
        const { status, process, cursor, limit } = ctx.query;
        const page = await store.listOutbox({
          limit,
          ...(status !== undefined && { status }),
          ...(process !== undefined && { processId: process }),
          ...(ctx.query.case !== undefined && { caseId: ctx.query.case }),
          ...(cursor !== undefined && { cursor }),
        });
        return { status: 200, body: page };
      },
    }),
  ];
}

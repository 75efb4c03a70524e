/** Users and tokens (admin), the security log (admin, auditor), and who am I. */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SecurityEvent } from '../../adapters/postgres/security-log';
import type { User } from '../../adapters/postgres/user-store';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute, type Caller } from '../route';
import { decodeSeqCursor, encodeSeqCursor, listFingerprint } from '../case-pages';
import { newUserBody, nextCursor, securityQuery, tokenInfoOut, tokenOut, userOut, userParams, userIdSchema } from '../schemas';

const ADMIN = ['admin'] as const;

/** Roles whose tokens another admin may issue only while the user holds no live token (see README, "Tokens"). */
export const GUARDED_ROLES = ['admin', 'auditor'] as const;

const MAX_EXPIRY_DAYS = 3650;
const DAY_MS = 24 * 60 * 60 * 1000;

const issueTokenBody = z
  .object({
    expiresIn: z.number().int().min(1).max(MAX_EXPIRY_DAYS).optional().describe('days until the token expires'),
    expiresAt: z.iso.datetime({ offset: true }).optional().describe('when the token expires (ISO 8601); instead of expiresIn'),
  })
  .strict()
  .refine((b) => b.expiresIn === undefined || b.expiresAt === undefined, { message: 'give expiresIn or expiresAt, not both' })
  .optional()
  .describe('optional: when the token expires (default: never; revoke it to end it)');

const tokenParams = z.object({ userId: userIdSchema, tokenId: z.string().regex(/^[0-9a-f]{16}$/, 'a token id is 16 hex digits') }).strict();

/** When a token issued now with these options expires, or null; a date in the past or too far ahead is a 400. */
function expiryOf(body: z.infer<typeof issueTokenBody>, now = Date.now()): Date | null {
  if (body?.expiresIn !== undefined) return new Date(now + body.expiresIn * DAY_MS);
  if (body?.expiresAt === undefined) return null;
  const at = new Date(body.expiresAt);
  if (at.getTime() <= now) throw new ApiError(400, 'InvalidRequest', `body.expiresAt: ${body.expiresAt} is not in the future`);
  if (at.getTime() > now + MAX_EXPIRY_DAYS * DAY_MS) {
    throw new ApiError(400, 'InvalidRequest', `body.expiresAt: at most ${MAX_EXPIRY_DAYS} days ahead`);
  }
  return at;
}

/** Users, tokens and the security log. */
export function adminRoutes(deps: ApiDeps): AnyRoute[] {
  const mustExist = async (userId: string) => {
    const user = await deps.users.getUser(userId);
    if (!user) throw new ApiError(404, 'UserNotFound', `no user "${userId}": see GET /users`);
    return user;
  };
  /** Records what an admin did, to whom, in the security log (a failure to write it fails the request). */
  const recordAction = (
    request: FastifyRequest,
    caller: Caller,
    event: Omit<SecurityEvent, 'userId' | 'role' | 'method' | 'path' | 'remoteIp'>,
  ) =>
    deps.securityLog.record({
      ...event,
      userId: caller.principal.userId,
      role: caller.role,
      method: request.method,
      path: request.routeOptions.url ?? null,
      remoteIp: request.ip,
    });
  const guarded = (user: User) => user.roles.filter((r) => (GUARDED_ROLES as readonly string[]).includes(r));
  return [
    route({
      method: 'GET',
      url: '/me',
      summary: 'Who am I',
      tag: 'users',
      access: 'any',
      responses: {
        200: {
          description: 'the authenticated user and the role this request acts in',
          schema: z.object({ userId: z.string(), displayName: z.string(), roles: z.array(z.string()), role: z.string() }),
        },
      },
      async handler({ caller }) {
        const { userId, displayName, roles } = caller.principal;
        return { status: 200, body: { userId, displayName, roles, role: caller.role } };
      },
    }),
    route({
      method: 'GET',
      url: '/users',
      summary: 'List users',
      tag: 'users',
      access: ADMIN,
      responses: { 200: { description: 'every user', schema: z.object({ users: z.array(userOut) }) } },
      async handler() {
        return { status: 200, body: { users: await deps.users.listUsers() } };
      },
    }),
    route({
      method: 'POST',
      url: '/users',
      summary: 'Add a user',
      tag: 'users',
      access: ADMIN,
      body: newUserBody,
      responses: { 201: { description: 'the user, without a token (issue one with POST /users/{userId}/tokens)', schema: userOut } },
      async handler({ body, caller, request }) {
        if (await deps.users.getUser(body.userId)) throw new ApiError(409, 'UserExists', `user "${body.userId}" already exists`);
        const user = await deps.users.addUser(body);
        await recordAction(request, caller, {
          code: 'UserAdded',
          targetUser: user.userId,
          message: `${caller.principal.userId} added user "${user.userId}" with roles ${user.roles.join(', ')}`,
        });
        return { status: 201, body: user };
      },
    }),
    route({
      method: 'GET',
      url: '/users/:userId',
      summary: 'Read a user',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      responses: {
        200: {
          description: 'the user and their tokens (ids only)',
          schema: userOut.extend({ tokens: z.array(tokenInfoOut) }),
        },
      },
      async handler({ params }) {
        const user = await mustExist(params.userId);
        return { status: 200, body: { ...user, tokens: await deps.users.listTokens(user.userId) } };
      },
    }),
    route({
      method: 'GET',
      url: '/users/:userId/tokens',
      summary: 'List tokens',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      responses: {
        200: { description: "the user's tokens, oldest first, without their secrets", schema: z.object({ tokens: z.array(tokenInfoOut) }) },
      },
      async handler({ params }) {
        await mustExist(params.userId);
        return { status: 200, body: { tokens: await deps.users.listTokens(params.userId) } };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:userId/tokens',
      summary: 'Issue a token',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      body: issueTokenBody,
      responses: {
        201: {
          description: 'the new token, shown this once',
          schema: tokenOut.extend({ issuedBy: z.string().nullable(), expiresAt: z.string().nullable() }),
        },
      },
      async handler({ params, body, caller, request }) {
        const user = await mustExist(params.userId);
        const expiresAt = expiryOf(body);
        const admin = caller.principal.userId;
        const privileged = guarded(user);
        if (user.userId !== admin && privileged.length > 0) {
          const live = (await deps.users.listTokens(user.userId)).filter((t) => t.status === 'active');
          if (live.length > 0) {
            throw new ApiError(
              409,
              'PrivilegedUserHasToken',
              `user "${user.userId}" holds role ${privileged.join(', ')} and has a live token (${live.map((t) => t.tokenId).join(', ')}): ` +
                `an admin issues a token for another admin or an auditor only while they have none. Revoke theirs first ` +
                `(POST /users/${user.userId}/tokens/<tokenId>/revoke), which they will notice, or let them issue their own`,
            );
          }
        }
        const issued = await deps.users.issueToken(user.userId, { issuedBy: admin, expiresAt });
        await recordAction(request, caller, {
          code: 'TokenIssued',
          targetUser: user.userId,
          tokenId: issued.tokenId,
          message:
            `${admin} (${caller.principal.via}) issued token ${issued.tokenId} for "${user.userId}"` +
            `${privileged.length > 0 ? ` who holds role ${privileged.join(', ')}` : ''}` +
            `${issued.expiresAt ? `, expiring at ${issued.expiresAt}` : ', without expiry'}`,
        });
        return { status: 201, body: issued };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:userId/tokens/:tokenId/revoke',
      summary: 'Revoke a token',
      tag: 'users',
      access: ADMIN,
      params: tokenParams,
      responses: {
        200: {
          description: 'the token, revoked: from now on it is refused (401); other tokens of the user still work',
          schema: tokenInfoOut,
        },
      },
      async handler({ params, caller, request }) {
        await mustExist(params.userId);
        const admin = caller.principal.userId;
        const done = await deps.users.revokeToken(params.userId, params.tokenId, admin);
        if (!done) {
          throw new ApiError(
            404,
            'TokenNotFound',
            `user "${params.userId}" has no token ${params.tokenId}: see GET /users/${params.userId}/tokens`,
          );
        }
        if (done.revoked) {
          await recordAction(request, caller, {
            code: 'TokenRevoked',
            targetUser: params.userId,
            tokenId: params.tokenId,
            message: `${admin} (${caller.principal.via}) revoked token ${params.tokenId} of "${params.userId}"`,
          });
        }
        return { status: 200, body: done.token };
      },
    }),
    ...(['disabled', 'active'] as const).map((status) => {
      const disable = status === 'disabled';
      return route({
        method: 'POST',
        url: `/users/:userId/${disable ? 'disable' : 'enable'}`,
        summary: disable ? 'Disable a user' : 'Enable a user',
        tag: 'users',
        access: ADMIN,
        params: userParams,
        responses: {
          200: {
            description: disable ? 'the user, disabled: every token of theirs is refused (401)' : 'the user, active again',
            schema: userOut,
          },
        },
        async handler({ params, caller, request }) {
          if (disable && params.userId === caller.principal.userId) {
            throw new ApiError(409, 'CannotDisableSelf', 'you cannot disable yourself: ask another admin');
          }
          const before = await mustExist(params.userId);
          const user = (await deps.users.setStatus(params.userId, status))!;
          if (before.status !== status) {
            const admin = caller.principal.userId;
            await recordAction(request, caller, {
              code: disable ? 'UserDisabled' : 'UserEnabled',
              targetUser: user.userId,
              message: disable
                ? `${admin} disabled user "${user.userId}": every token of theirs is refused`
                : `${admin} enabled user "${user.userId}": their live tokens work again`,
            });
          }
          return { status: 200, body: user };
        },
      });
    }),
    route({
      method: 'GET',
      url: '/security-log',
      summary: 'Read the security log',
      tag: 'audit',
      access: ['admin', 'auditor'],
      query: securityQuery.extend({
        code: z
          .string()
          .regex(/^[A-Za-z]{1,100}$/, 'a code is letters only, e.g. TokenIssued')
          .optional()
          .describe('only rows with this code, e.g. TokenIssued, AuthFailuresAggregated'),
      }),
      responses: {
        200: {
          description:
            'refused attempts and what admins did (UserAdded, TokenIssued, TokenRevoked, UserDisabled, UserEnabled), newest first, a page at a time; `user` matches the acting and the target user',
          schema: z.object({
            entries: z.array(
              z.object({
                id: z.string(),
                at: z.string(),
                code: z.string(),
                message: z.string(),
                userId: z.string().nullable().optional(),
                role: z.string().nullable().optional(),
                method: z.string().nullable().optional(),
                path: z.string().nullable().optional(),
                caseId: z.string().nullable().optional(),
                event: z.string().nullable().optional(),
                remoteIp: z.string().nullable().optional(),
                targetUser: z.string().nullable().optional(),
                tokenId: z.string().nullable().optional(),
                count: z.number().nullable().optional(),
              }),
            ),
            nextCursor,
          }),
        },
      },
      async handler({ query }) {
        const { cursor, limit, ...filter } = query;
        const fingerprint = listFingerprint({ list: 'security-log', ...filter });
        const beforeId = cursor === undefined ? undefined : decodeSeqCursor(cursor, fingerprint);
        const rows = await deps.securityLog.list({
          ...(filter.user !== undefined && { userId: filter.user }),
          ...(filter.caseId !== undefined && { caseId: filter.caseId }),
          ...(filter.code !== undefined && { code: filter.code }),
          ...(beforeId !== undefined && { beforeId }),
          limit: limit + 1,
        });
        const entries = rows.slice(0, limit);
        const last = entries[entries.length - 1];
        return {
          status: 200,
          body: { entries, nextCursor: rows.length > limit && last ? encodeSeqCursor(Number(last.id), fingerprint) : null },
        };
      },
    }),
  ];
}

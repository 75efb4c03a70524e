/** Users and tokens (admin), the security log (admin, auditor), definitions (process owner, auditor), and who am I. */
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { JobRunner } from '../jobs';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';
import { newUserBody, processIdSchema, securityQuery, tokenOut, userOut, userParams } from '../schemas';

const ADMIN = ['admin'] as const;

/** Users, tokens, the security log and definitions as stored; the linter runs on `jobs`. */
export function adminRoutes(deps: ApiDeps, jobs: JobRunner): AnyRoute[] {
  const mustExist = async (userId: string) => {
    const user = await deps.users.getUser(userId);
    if (!user) throw new ApiError(404, 'UserNotFound', `no user "${userId}": see GET /users`);
    return user;
  };
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
      async handler({ body }) {
        if (await deps.users.getUser(body.userId)) throw new ApiError(409, 'UserExists', `user "${body.userId}" already exists`);
        return { status: 201, body: await deps.users.addUser(body) };
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
          schema: userOut.extend({
            tokens: z.array(
              z.object({ tokenId: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() }),
            ),
          }),
        },
      },
      async handler({ params }) {
        const user = await mustExist(params.userId);
        return { status: 200, body: { ...user, tokens: await deps.users.listTokens(user.userId) } };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:userId/tokens',
      summary: 'Issue a token',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      responses: { 201: { description: 'the new token, shown this once', schema: tokenOut } },
      async handler({ params }) {
        await mustExist(params.userId);
        return { status: 201, body: await deps.users.issueToken(params.userId) };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:userId/disable',
      summary: 'Disable a user',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      responses: { 200: { description: 'the user, disabled: every token of theirs is refused (401)', schema: userOut } },
      async handler({ params, caller }) {
        if (params.userId === caller.principal.userId) {
          throw new ApiError(409, 'CannotDisableSelf', 'you cannot disable yourself: ask another admin');
        }
        await mustExist(params.userId);
        return { status: 200, body: (await deps.users.setStatus(params.userId, 'disabled'))! };
      },
    }),
    route({
      method: 'POST',
      url: '/users/:userId/enable',
      summary: 'Enable a user',
      tag: 'users',
      access: ADMIN,
      params: userParams,
      responses: { 200: { description: 'the user, active again', schema: userOut } },
      async handler({ params }) {
        await mustExist(params.userId);
        return { status: 200, body: (await deps.users.setStatus(params.userId, 'active'))! };
      },
    }),
    route({
      method: 'GET',
      url: '/security-log',
      summary: 'Read the security log',
      tag: 'audit',
      access: ['admin', 'auditor'],
      query: securityQuery,
      responses: {
        200: {
          description: 'refused attempts, newest first',
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
              }),
            ),
          }),
        },
      },
      async handler({ query }) {
        const entries = await deps.securityLog.list({
          ...(query.user !== undefined && { userId: query.user }),
          ...(query.caseId !== undefined && { caseId: query.caseId }),
          limit: query.limit,
        });
        return { status: 200, body: { entries } };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions',
      summary: 'List definitions',
      tag: 'definitions',
      access: ['process_owner', 'auditor'],
      responses: {
        200: {
          description: 'the latest version of every process',
          schema: z.object({
            definitions: z.array(
              z.object({
                processId: z.string(),
                version: z.number(),
                hash: z.string(),
                labels: z.object({ en: z.string(), 'zh-CN': z.string() }),
              }),
            ),
          }),
        },
      },
      async handler() {
        const list = await deps.catalog.latest();
        return {
          status: 200,
          body: {
            definitions: list.map((d) => ({ processId: d.processId, version: d.version, hash: d.hash, labels: d.definition.labels })),
          },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions/:processId',
      summary: 'Read a definition',
      tag: 'definitions',
      access: ['process_owner', 'auditor'],
      params: z.object({ processId: processIdSchema }).strict(),
      responses: {
        200: {
          description: 'the latest version, as written',
          schema: z.object({ processId: z.string(), version: z.number(), hash: z.string(), definition: z.unknown() }),
        },
      },
      async handler({ params }) {
        const found = (await deps.catalog.latest()).find((d) => d.processId === params.processId);
        if (!found) throw new ApiError(404, 'UnknownProcess', `no process "${params.processId}": see GET /definitions`);
        return { status: 200, body: { processId: found.processId, version: found.version, hash: found.hash, definition: found.raw } };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/validate',
      summary: 'Validate a definition',
      tag: 'definitions',
      access: ['process_owner'],
      body: z.record(z.string(), z.unknown()).describe('a process definition (JSON)'),
      responses: {
        200: {
          description: 'every problem, with its path in the definition and how to fix it',
          schema: z.object({ ok: z.boolean(), problems: z.array(z.object({ code: z.string(), path: z.string(), message: z.string() })) }),
        },
      },
      async handler({ body }) {
        const { ok, problems } = await jobs.lint(body);
        return { status: 200, body: { ok, problems } };
      },
    }),
  ];
}

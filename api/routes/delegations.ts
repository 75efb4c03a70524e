/**
 * Out-of-office delegation: the caller names a delegate for a period, lists and revokes their own
 * delegations. Each change is a row of the security log (`DelegationSet`, `DelegationRevoked`).
 */
import { z } from 'zod';
import { PostgresDelegationStore, type Delegation } from '../../adapters/postgres/delegation-store';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute, type RouteContext } from '../route';
import { userIdSchema } from '../schemas';

/** The longest period one delegation may cover. */
export const MAX_DELEGATION_DAYS = 366;

const delegationOut = z
  .object({
    id: z.string(),
    userId: z.string(),
    delegateId: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    revokedBy: z.string().nullable(),
    status: z.enum(['scheduled', 'active', 'ended', 'revoked']),
  })
  .meta({ id: 'Delegation' });

const instant = z.iso.datetime({ offset: true });

const delegationBody = z
  .object({
    delegate: userIdSchema.describe('the user who acts for you and receives your notifications'),
    startsAt: instant.optional().describe('ISO 8601 with an offset; default: now'),
    endsAt: instant.describe('ISO 8601 with an offset; the delegation ends at this instant'),
  })
  .strict();

const idParams = z.object({ id: z.string().min(1).max(100) });

/** The period of a new delegation, or a 400 saying what is wrong with it. */
function periodOf(body: z.infer<typeof delegationBody>): { startsAt: Date; endsAt: Date } {
  const now = Date.now();
  const startsAt = body.startsAt === undefined ? new Date(now) : new Date(body.startsAt);
  const endsAt = new Date(body.endsAt);
  const bad = (why: string) => new ApiError(400, 'InvalidRequest', `endsAt/startsAt: ${why}`);
  if (endsAt.getTime() <= startsAt.getTime()) throw bad(`the period must end after it starts (${startsAt.toISOString()})`);
  if (endsAt.getTime() <= now) throw bad('the period is over already: give an end in the future');
  if (endsAt.getTime() - startsAt.getTime() > MAX_DELEGATION_DAYS * 86_400_000) {
    throw bad(`a delegation covers at most ${MAX_DELEGATION_DAYS} days: name it again when it ends`);
  }
  return { startsAt, endsAt };
}

async function logged(deps: ApiDeps, ctx: RouteContext<unknown, unknown, unknown>, code: string, d: Delegation, message: string) {
  await deps.securityLog.record({
    code,
    message,
    userId: ctx.caller.principal.userId,
    role: ctx.caller.role,
    method: ctx.request.method,
    path: ctx.request.url,
    targetUser: d.delegateId,
    remoteIp: ctx.request.ip,
  });
}

export function delegationRoutes(deps: ApiDeps): AnyRoute[] {
  const store = new PostgresDelegationStore(deps.pool);
  return [
    route({
      method: 'GET',
      url: '/me/delegations',
      summary: 'List my delegations',
      tag: 'delegations',
      access: 'any',
      responses: {
        200: {
          description: 'the caller’s delegations (revoked and ended ones too), the latest period first',
          schema: z.object({ delegations: z.array(delegationOut) }),
        },
      },
      async handler(ctx) {
        return { status: 200, body: { delegations: await store.list(ctx.caller.principal.userId) } };
      },
    }),
    route({
      method: 'POST',
      url: '/me/delegations',
      summary: 'Name an out-of-office delegate',
      tag: 'delegations',
      access: 'any',
      body: delegationBody,
      responses: {
        201: {
          description: 'the delegation: while it is in force the delegate acts on your tasks and receives your notifications',
          schema: delegationOut,
        },
        400: { description: 'the period is not valid, or the delegate is yourself' },
        409: { description: 'another delegation of yours overlaps the period' },
        422: { description: 'the delegate is not an enabled user' },
      },
      async handler(ctx) {
        const me = ctx.caller.principal.userId;
        const { delegate } = ctx.body;
        if (delegate === me) throw new ApiError(400, 'InvalidRequest', 'delegate: you cannot be your own delegate; name a colleague');
        const period = periodOf(ctx.body);
        const user = await deps.users.getUser(delegate);
        if (user === null || user.status !== 'active') {
          throw new ApiError(
            422,
            'UnknownUser',
            `delegate: ${user === null ? `there is no user "${delegate}"` : `user "${delegate}" is disabled`}; name an enabled user`,
          );
        }
        const outcome = await store.add(me, delegate, period.startsAt, period.endsAt);
        if ('overlapping' in outcome) {
          const o = outcome.overlapping;
          throw new ApiError(
            409,
            'Conflict',
            `your delegation ${o.id} to "${o.delegateId}" (${o.startsAt} to ${o.endsAt}) overlaps this period: revoke it first (DELETE /me/delegations/${o.id}) or choose another period`,
          );
        }
        const d = outcome.added;
        await logged(deps, ctx, 'DelegationSet', d, `${me} named ${d.delegateId} their delegate from ${d.startsAt} to ${d.endsAt}`);
        return { status: 201, body: d };
      },
    }),
    route({
      method: 'DELETE',
      url: '/me/delegations/:id',
      summary: 'Revoke one of my delegations',
      tag: 'delegations',
      access: 'any',
      params: idParams,
      responses: {
        200: { description: 'the delegation, revoked (revoking it again changes nothing)', schema: delegationOut },
        404: { description: 'the caller has no delegation of that id' },
      },
      async handler(ctx) {
        const me = ctx.caller.principal.userId;
        const outcome = await store.revoke(me, ctx.params.id, me);
        if (!outcome) throw new ApiError(404, 'NotFound', `you have no delegation ${ctx.params.id}: see GET /me/delegations`);
        if (outcome.revoked) {
          const d = outcome.delegation;
          await logged(deps, ctx, 'DelegationRevoked', d, `${me} revoked their delegation ${d.id} to ${d.delegateId}`);
        }
        return { status: 200, body: outcome.delegation };
      },
    }),
  ];
}

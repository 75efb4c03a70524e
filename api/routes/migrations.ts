/**
 * Migration of running cases to another published version, on purpose: one case, or every open
 * case of a version. Process owners only (of every process: they need not take part in it); a dry
 * run plans and changes nothing. `CaseMigrations` checks the role again.
 */
import { z } from 'zod';
import type { CaseMigrations } from '../../client/case-migration';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';
import { caseParams, processIdSchema } from '../schemas';
import { acting } from './cases';

const OWNER = ['process_owner'] as const;

const version = z.number().int().min(1).max(999_999_999);

const mapping = z
  .record(z.string().min(1).max(500), z.string().min(1).max(500))
  .refine((m) => Object.keys(m).length <= 500, 'at most 500 mappings')
  .describe('old state path → new state path, for states the target version removes or renames');

const migrateOptions = {
  to: version.describe('the published version to move to'),
  mapping: mapping.optional(),
  dryRun: z.boolean().optional().describe('only plan: target state, recomputed deadlines and blockers; change nothing'),
};

const deadlineOut = z.looseObject({ delay: z.string(), state: z.string(), dueAt: z.string() });

const migrationOut = z
  .object({
    caseId: z.string(),
    plan: z.looseObject({
      caseId: z.string(),
      fromVersion: z.number(),
      toVersion: z.number(),
      fromState: z.string(),
      toState: z.string(),
      mapping: z.record(z.string(), z.string()),
      cancelled: z.array(deadlineOut),
      deadlines: z.array(deadlineOut),
      blockers: z.array(z.looseObject({ code: z.string(), message: z.string() })),
      ok: z.boolean(),
    }),
    result: z.looseObject({ caseId: z.string(), seq: z.number(), state: z.string(), status: z.string() }).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'CaseMigration' });

function migrationsOf(deps: ApiDeps): CaseMigrations {
  if (!deps.migrations) throw new ApiError(503, 'Unavailable', 'this server does not manage definitions');
  return deps.migrations;
}

export function migrationRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      url: '/cases/:caseId/migrate',
      summary: 'Migrate a case to another version',
      tag: 'definitions',
      access: OWNER,
      params: caseParams,
      body: z.object(migrateOptions).strict(),
      responses: {
        200: {
          description:
            'the plan (target state, deadlines recomputed, blockers) and, unless a dry run, the migration’s transition; a blocked migration is refused (409 MigrationBlocked, UnknownState or CaseClosed) and changes nothing',
          schema: migrationOut,
        },
      },
      async handler(ctx) {
        const { caseId } = ctx.params;
        const { to, mapping: map, dryRun } = ctx.body;
        return acting(deps, ctx, { caseId, event: 'migrate', status: 200 }, () =>
          migrationsOf(deps).migrateCase(ctx.caller.actor, caseId, to, { mapping: map ?? {}, dryRun: dryRun === true }),
        );
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/:processId/migrate',
      summary: 'Migrate the open cases of a version',
      tag: 'definitions',
      access: OWNER,
      params: z.object({ processId: processIdSchema }).strict(),
      body: z.object({ fromVersion: version.describe('the version whose open cases move'), ...migrateOptions }).strict(),
      responses: {
        200: {
          description:
            'one entry per open case of `fromVersion`: its plan and, unless a dry run, its migration; a blocked case carries `error` and is left as it is',
          schema: z.array(migrationOut),
        },
      },
      async handler(ctx) {
        const { fromVersion, to, mapping: map, dryRun } = ctx.body;
        return acting(deps, ctx, { event: 'migrate', status: 200 }, () =>
          migrationsOf(deps).migrateVersion(ctx.caller.actor, {
            processId: ctx.params.processId,
            fromVersion,
            toVersion: to,
            mapping: map ?? {},
            dryRun: dryRun === true,
          }),
        );
      },
    }),
  ];
}

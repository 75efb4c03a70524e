/**
 * Processes and their definitions: the definitions as stored, validation, and the
 * definition lifecycle for process owners (versions, the draft, parameters, diff,
 * impact preview, publish and diagrams). Reading is also for auditors; every change is
 * for process owners only. The lifecycle checks the role again. (Migration of a
 * version's open cases is in migrations.ts.)
 */
import { z } from 'zod';
import type { DefinitionLifecycle, VersionRef } from '../../client/lifecycle';
import type { ApiDeps } from '../deps';
import { DIAGRAM_LIMITS } from '../../diagram/limits';
import { ApiError, toApiError } from '../errors';
import type { DiagramResult, JobRunner } from '../jobs';
import { route, type AnyRoute } from '../route';
import {
  caseParams,
  diffOut,
  draftOut,
  listedDefinitionOut,
  processIdSchema,
  processOut,
  publishOut,
  validationOut,
  versionInfoOut,
  versionOut,
} from '../schemas';
import { refused, seenCase } from './cases';

const OWNER = ['process_owner'] as const;
const READERS = ['process_owner', 'auditor'] as const;

const processParams = z.object({ processId: processIdSchema }).strict();

const versionRef = z
  .string()
  .regex(/^(draft|latest|[1-9][0-9]{0,8})$/, 'a version is a number, "draft" or "latest"')
  .transform((v): VersionRef => (v === 'draft' || v === 'latest' ? v : Number(v)));

const versionParams = z.object({ processId: processIdSchema, version: versionRef }).strict();

const definitionBody = z.record(z.string(), z.unknown()).describe('a process definition (JSON)');

const diagramQuery = z.object({ version: versionRef.default('latest'), format: z.enum(['svg', 'mermaid']).default('svg') }).strict();

const SVG = 'image/svg+xml; charset=utf-8';
const MERMAID = 'text/plain; charset=utf-8';

function lifecycleOf(deps: ApiDeps): DefinitionLifecycle {
  if (!deps.lifecycle) throw new ApiError(503, 'Unavailable', 'this server does not manage definitions');
  return deps.lifecycle;
}

/** The text of a drawn diagram, or the refusal: `what` names the definition in the message. */
function drawn(result: DiagramResult, what: string): string {
  if (result.ok) return result.text;
  if ('tooLarge' in result) throw new ApiError(422, 'TooComplex', result.tooLarge);
  const { problems } = result;
  throw new ApiError(
    422,
    'InvalidDefinition',
    `${what} has ${problems.length} problem(s): ${problems
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ')}`,
    problems,
  );
}

/** Maps lifecycle refusals to API errors. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

/** The routes of processes and their definitions; linting, diffs and diagrams run on `jobs`. */
export function definitionRoutes(deps: ApiDeps, jobs: JobRunner): AnyRoute[] {
  return [
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
            definitions: z.array(listedDefinitionOut),
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
          schema: validationOut,
        },
      },
      async handler({ body }) {
        const { ok, problems, warnings } = await jobs.lint(body);
        return { status: 200, body: { ok, problems, warnings } };
      },
    }),
    route({
      method: 'GET',
      url: '/processes',
      summary: 'List the processes I work with',
      tag: 'definitions',
      access: 'any',
      responses: {
        200: {
          description:
            "the latest version of every process the caller's role takes part in: labels, whether it may start a case, and the start input's JSON Schema",
          schema: z.object({
            role: z.string(),
            processes: z.array(processOut),
          }),
        },
      },
      async handler({ caller }) {
        const visible = new Set(await deps.catalog.visibleProcesses(caller.role));
        const list = (await deps.catalog.latest()).filter((d) => visible.has(d.processId));
        return {
          status: 200,
          body: {
            role: caller.role,
            processes: list.map((d) => ({
              processId: d.processId,
              version: d.version,
              labels: d.definition.labels,
              ...(typeof d.definition.description === 'string' && { description: d.definition.description }),
              canStart: d.definition.startedBy.includes(caller.role),
              input: d.definition.input ?? { type: 'object' },
              stateLabels: d.definition.stateLabels ?? {},
              events: Object.fromEntries(Object.entries(d.definition.events).map(([k, v]) => [k, { labels: v.labels, roles: v.roles }])),
            })),
          },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/diagram',
      summary: "A picture of a case's process",
      tag: 'cases',
      access: 'any',
      params: caseParams,
      responses: {
        200: {
          description:
            'the SVG diagram of the definition version the case runs on; each state is a `g.state` with `data-state`, each arrow a `g.transition` with `data-event`, `data-from`, `data-to`',
          contentType: SVG,
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        const raw = await deps.docket.caseDefinition(caseId).catch((e: unknown) => refused(deps, ctx, e, caseId));
        // Only parsed, not linted: the version was valid when published, and the linter may have grown stricter since.
        const result = await jobs.diagram(raw, 'svg', 'schema');
        if (!result.ok && 'problems' in result) {
          const where = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
          throw new Error(`the definition of ${caseId} cannot be drawn: ${where.join('; ')}`);
        }
        return { status: 200, body: drawn(result, `the definition of ${caseId}`), contentType: SVG };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions/:processId/versions',
      summary: 'List the versions of a process',
      tag: 'definitions',
      access: READERS,
      params: processParams,
      responses: {
        200: {
          description: 'every version, oldest first (the draft, if any, last), with the number of open cases on each',
          schema: z.object({ processId: z.string(), versions: z.array(versionInfoOut) }),
        },
      },
      async handler({ params }) {
        const versions = await run(() => lifecycleOf(deps).versions(params.processId));
        return { status: 200, body: { processId: params.processId, versions } };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions/:processId/versions/:version',
      summary: 'Read one version of a process',
      tag: 'definitions',
      access: READERS,
      params: versionParams,
      responses: {
        200: {
          description: 'the version as stored (a draft may be any JSON object) and, for a draft, the linter’s problems',
          schema: versionOut,
        },
      },
      async handler({ params }) {
        const row = await run(() => lifecycleOf(deps).version(params.processId, params.version));
        const lint = await jobs.lint(row.raw);
        return {
          status: 200,
          body: {
            processId: row.processId,
            version: row.version,
            status: row.status,
            hash: row.hash,
            definition: row.raw,
            ok: lint.ok,
            problems: lint.problems,
            warnings: lint.warnings,
          },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/:processId/draft',
      summary: 'Save the draft of a process',
      tag: 'definitions',
      access: OWNER,
      params: processParams,
      body: definitionBody,
      responses: {
        200: {
          description:
            'the draft is stored (replacing the earlier draft) even with problems; only a draft without problems can be published',
          schema: draftOut,
        },
      },
      async handler({ params, body, caller }) {
        const result = await run(() => lifecycleOf(deps).saveDraft(caller.actor, params.processId, body));
        return { status: 200, body: result };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/:processId/draft/discard',
      summary: 'Discard the draft of a process',
      tag: 'definitions',
      access: OWNER,
      params: processParams,
      responses: { 200: { description: 'the draft is gone', schema: z.object({ processId: z.string(), discarded: z.literal(true) }) } },
      async handler({ params, caller }) {
        await run(() => lifecycleOf(deps).discardDraft(caller.actor, params.processId));
        return { status: 200, body: { processId: params.processId, discarded: true as const } };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/:processId/parameters',
      summary: 'Change a parameter in the draft',
      tag: 'definitions',
      access: OWNER,
      params: processParams,
      body: z
        .object({
          name: z.string().min(1).max(100).describe('the parameter, e.g. approvalLimit'),
          value: z.union([z.string().max(1000), z.number(), z.boolean()]),
        })
        .strict(),
      responses: {
        200: {
          description: 'the draft (started from the latest published version when there was none) with the new value',
          schema: draftOut,
        },
      },
      async handler({ params, body, caller }) {
        const result = await run(() => lifecycleOf(deps).setParameter(caller.actor, params.processId, body.name, body.value));
        return { status: 200, body: result };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/:processId/publish',
      summary: 'Publish the draft of a process',
      tag: 'definitions',
      access: OWNER,
      params: processParams,
      body: z
        .object({ dryRun: z.boolean().optional().describe('only show the impact and the diff; change nothing') })
        .strict()
        .optional(),
      responses: {
        200: {
          description: 'the impact on open cases and the diff; unless a dry run, the published version (new cases start on it at once)',
          schema: publishOut,
        },
      },
      async handler({ params, body, caller }) {
        const result = await run(() => lifecycleOf(deps).publish(caller.actor, params.processId, { dryRun: body?.dryRun === true }));
        return { status: 200, body: result };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions/:processId/diff',
      summary: 'Compare two versions of a process',
      tag: 'definitions',
      access: READERS,
      params: processParams,
      query: z.object({ from: versionRef.default('latest'), to: versionRef.default('draft') }).strict(),
      responses: { 200: { description: 'what changes from one version to the other, in sentences', schema: diffOut } },
      async handler({ params, query }) {
        return { status: 200, body: await run(() => lifecycleOf(deps).diff(params.processId, query.from, query.to)) };
      },
    }),
    route({
      method: 'GET',
      url: '/definitions/:processId/diagram',
      summary: 'A picture of a version of a process',
      tag: 'definitions',
      access: READERS,
      params: processParams,
      query: diagramQuery,
      responses: { 200: { description: 'an SVG document, or Mermaid text with ?format=mermaid', contentType: SVG } },
      async handler({ params, query }) {
        const row = await run(() => lifecycleOf(deps).version(params.processId, query.version));
        const result = await jobs.diagram(row.raw, query.format, 'lint');
        const text = drawn(result, `${params.processId} v${row.version} (${row.status})`);
        return { status: 200, body: text, contentType: query.format === 'svg' ? SVG : MERMAID };
      },
    }),
    route({
      method: 'POST',
      url: '/definitions/diagram',
      summary: 'Draw a definition that is not stored',
      tag: 'definitions',
      access: OWNER,
      query: z.object({ format: z.enum(['svg', 'mermaid']).default('svg') }).strict(),
      body: definitionBody,
      responses: {
        200: {
          description: `an SVG document (or Mermaid text) of the definition, when it passes the linter; 422 TooComplex beyond ${DIAGRAM_LIMITS.states} states or ${DIAGRAM_LIMITS.transitions} transitions, or when drawing takes longer than the time limit; 503 Busy (with Retry-After) when the server is drawing too much at once`,
          contentType: SVG,
        },
      },
      async handler({ body, query }) {
        const text = drawn(await jobs.diagram(body, query.format, 'lint'), 'the definition');
        return { status: 200, body: text, contentType: query.format === 'svg' ? SVG : MERMAID };
      },
    }),
  ];
}

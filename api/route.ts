/**
 * Routes as data: each declares its access, zod schemas for params, query, body
 * and responses, and a handler. `mount` validates requests and responses with the
 * schemas; openapi.ts describes the same routes as OpenAPI 3.0.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { describeIssues, toIssues } from '../engine/refusals';
import { storableProblems } from '../engine/storable';
import type { Actor } from '../engine/types';
import { selectRole, type Authenticator, type Principal } from './auth';
import { ApiError } from './errors';

/** Who may call a route: nobody needs to authenticate, any authenticated user, or users acting in one of these roles. */
export type Access = 'public' | 'any' | readonly string[];

export interface Caller {
  principal: Principal;
  /**
   * The role the request acts in: the `X-Docket-Role` header, or the user's only role; a user with
   * several roles who names none gets 400 RoleRequired, except on reads open to every role (GET with
   * access `any`), which read in the first role the user holds.
   */
  role: string;
  /** The actor events are sent as: the authenticated user in the selected role. */
  actor: Actor;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  request: FastifyRequest;
}

export interface RouteResponse {
  status: number;
  body: unknown;
  /** A body that is not JSON (CSV): sent as text with this content type. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  /** Another content type the same response may come as (e.g. text/csv), undescribed. */
  alsoAs?: string;
  /**
   * Checks an answer in place of `schema.safeParse`, for answers too large for zod to check cell by
   * cell in time (a report's thousands of rows): returns what is wrong with it, or undefined. It
   * must refuse whatever `schema` refuses; `schema` still describes the answer (OpenAPI).
   */
  check?: (body: unknown) => string | undefined;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: Access;
  /** The route reads an `Idempotency-Key` header. */
  idempotent?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: Record<number, ResponseSpec>;
  handler(ctx: RouteContext<P, Q, B>): Promise<RouteResponse>;
}

/** Declares a route with its types inferred from its schemas. */
export function route<P, Q, B>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

export type AnyRoute = RouteSpec<any, any, any>;

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const issues = toIssues(result.error.issues, where);
  throw new ApiError(400, 'InvalidRequest', `invalid ${where}: ${describeIssues(issues)}`, issues);
}

/**
 * Refuses a path or query parameter the database cannot store (`%00`, …) before it reaches a
 * query or a workflow. JSON bodies are checked as they are parsed (see app.ts).
 */
function refuseUnstorable(value: unknown, where: 'params' | 'query'): void {
  const problems = storableProblems(value, where);
  if (problems.length > 0) throw new ApiError(400, 'ValidationError', `invalid ${where}: ${describeIssues(problems)}`, problems);
}

export interface MountOptions {
  authenticator: Authenticator;
  /** Called for every refused authentication or authorisation (401, 403). */
  onRefused(request: FastifyRequest, error: ApiError, caller?: Partial<Caller>): Promise<void>;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function authorise(spec: AnyRoute, request: FastifyRequest, options: MountOptions): Promise<Caller> {
  let principal: Principal | undefined;
  try {
    principal = await options.authenticator.authenticate(header(request, 'authorization'));
    const requested = header(request, 'x-docket-role');
    // Only a read open to every role may default to the first role held; whatever acts
    // (every POST) must name its role when the user holds several.
    const role =
      spec.method === 'GET' && spec.access === 'any' && (requested === undefined || requested === '') && principal.roles.length > 1
        ? principal.roles[0]!
        : selectRole(principal, requested);
    if (Array.isArray(spec.access) && !spec.access.includes(role)) {
      throw new ApiError(403, 'Forbidden', `role "${role}" may not ${spec.summary.toLowerCase()}; it is for ${spec.access.join(', ')}`);
    }
    return { principal, role, actor: { userId: principal.userId, role } };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      await options.onRefused(request, err, principal && { principal, role: header(request, 'x-docket-role') ?? principal.roles[0] ?? '' });
    }
    throw err;
  }
}

const PUBLIC_CALLER: Caller = {
  principal: { userId: 'anonymous', displayName: 'anonymous', roles: [], via: 'none' },
  role: 'anonymous',
  actor: { userId: 'anonymous', role: 'anonymous' },
};

/** What is wrong with an answer by its declared response (its own check, else its schema), or undefined. */
function answerProblem(declared: ResponseSpec, body: unknown): string | undefined {
  if (declared.check) return declared.check(body);
  if (!declared.schema) return undefined;
  const checked = declared.schema.safeParse(body);
  return checked.success ? undefined : describeIssues(toIssues(checked.error.issues));
}

/** Registers the routes on a fastify instance. */
export function mount(app: FastifyInstance, routes: AnyRoute[], options: MountOptions): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      config: { spec },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const caller = spec.access === 'public' ? PUBLIC_CALLER : await authorise(spec, request, options);
        refuseUnstorable(request.params, 'params');
        refuseUnstorable(request.query, 'query');
        const params = parse(spec.params, request.params, 'params');
        const query = parse(spec.query, request.query, 'query');
        const body = parse(spec.body, request.body, 'body');
        const out = await spec.handler({ params, query, body, caller, request });
        const declared = spec.responses[out.status];
        // Both are bugs of the route: the error handler logs them (as a 500) with the request id.
        if (!declared) throw new Error(`${spec.method} ${spec.url} answered with undeclared status ${out.status}`);
        if (!out.contentType) {
          const where = answerProblem(declared, out.body);
          if (where !== undefined)
            throw new Error(`the ${out.status} response of ${spec.method} ${spec.url} does not match its schema: ${where}`);
        }
        for (const [k, v] of Object.entries(out.headers ?? {})) void reply.header(k, v);
        if (out.contentType) return reply.code(out.status).type(out.contentType).send(out.body);
        return reply.code(out.status).send(out.body);
      },
    });
  }
}

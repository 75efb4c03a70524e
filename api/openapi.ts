/**
 * The OpenAPI 3.0 document of the routes the app registered (route-table.ts): the routes
 * mounted from declarations (route.ts) with their zod schemas, and any other route with the
 * description its `config.openapi` gives. Named schemas (`.meta({ id })`) and every request and
 * response schema become `components/schemas`, referenced as `#/components/schemas/<name>`.
 */
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import type { AnyRoute } from './route';
import type { RegisteredRoute } from './route-table';

type Json = Record<string, unknown>;

const REF = '#/components/schemas/';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]).describe('a stable code: what went wrong, for programs to branch on'),
      message: z.string().describe('what is wrong and how to fix it'),
      issues: z.unknown().optional().describe('the problems found, when there are several (e.g. [{ "path", "message" }])'),
      requestId: z
        .string()
        .optional()
        .describe('the id of this request, also in the X-Request-Id header: quote it when reporting a problem'),
    }),
  })
  .meta({ id: 'Error' });

const pascal = (words: string[]) => words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

/** `GET /cases/:caseId/history` → `getCasesCaseIdHistory`. */
export function operationIdOf(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  return method.toLowerCase() + pascal(words.length > 0 ? words : ['root']);
}

const pathOf = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The request or the response schemas of every route, converted together so that shared schemas are converted once. */
class SchemaSet {
  private readonly registry = z.registry<{ id: string }>();

  constructor(private readonly io: 'input' | 'output') {}

  /** Adds a schema under its own name (`.meta({ id })`) or `fallback`; returns the name it is known by. */
  add(schema: z.core.$ZodType, fallback: string): string {
    const known = this.registry.get(schema)?.id;
    if (known !== undefined) return known;
    const named = z.globalRegistry.get(schema)?.id;
    const id = typeof named === 'string' ? named : fallback;
    if (this.registry._idmap.has(id)) throw new Error(`two different schemas are both named "${id}" in the API: rename one`);
    this.registry.add(schema, { id });
    return id;
  }

  private convert(onSchema?: (schema: z.core.$ZodType) => void): Record<string, Json> {
    return z.toJSONSchema(this.registry, {
      target: 'openapi-3.0',
      io: this.io,
      unrepresentable: 'any',
      uri: (id) => REF + id,
      ...(onSchema && { override: ({ zodSchema }) => onSchema(zodSchema) }),
    }).schemas;
  }

  /** Every schema added and every named schema inside them, by name. */
  schemas(): Record<string, Json> {
    // Named schemas nested in others are added too, so that they are referenced as components
    // of their own instead of as zod's shared definitions.
    const nested: z.core.$ZodType[] = [];
    this.convert((schema) => {
      if (typeof z.globalRegistry.get(schema)?.id === 'string' && !this.registry.has(schema)) nested.push(schema);
    });
    for (const schema of nested) this.add(schema, '');
    const out = this.convert();
    for (const schema of Object.values(out)) delete schema.$id;
    return out;
  }
}

interface Parts {
  spec: AnyRoute;
  operationId: string;
  params?: string;
  query?: string;
  body?: string;
  responses: Record<string, string>;
}

/** The parameters of a path or query schema: one per property. */
function parametersOf(schema: Json | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s.description === 'string' && { description: s.description }),
    schema: s,
  }));
}

function headersOf(spec: AnyRoute): Json[] {
  const headers: Json[] = [];
  if (spec.access !== 'public') {
    headers.push({
      name: 'X-Docket-Role',
      in: 'header',
      required: false,
      description:
        spec.method === 'GET' && spec.access === 'any'
          ? 'the role to read in; a user with several roles who names none reads in the first of them'
          : 'the role to act in; required (400 RoleRequired without it) when the user holds several roles',
      schema: { type: 'string' },
    });
  }
  if (spec.idempotent) {
    headers.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'a key of your choosing: the request retried with the same key applies once and returns the same answer',
      schema: { type: 'string', minLength: 1, maxLength: 200 },
    });
  }
  return headers;
}

const errorRef = { $ref: '#/components/responses/Error' };

/** The error answers an operation can give besides `default` (which covers 404, 405, 409, 5xx…). */
function errorResponses(spec: AnyRoute | undefined): Json {
  const hasInput = spec?.params !== undefined || spec?.query !== undefined || spec?.body !== undefined;
  if (!spec || spec.access === 'public') return { ...(hasInput && { 400: errorRef }), default: errorRef };
  return { 400: errorRef, 401: errorRef, 403: errorRef, 429: errorRef, default: errorRef };
}

function operationOf(parts: Parts, inline: (name: string | undefined) => Json | undefined, schemas: Record<string, Json>): Json {
  const { spec } = parts;
  const responses: Json = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const schema = parts.responses[status];
    responses[status] = {
      description: r.description,
      ...(schema !== undefined && {
        content: {
          [r.contentType ?? 'application/json']: { schema: inline(schema) },
          ...(r.alsoAs && { [r.alsoAs]: { schema: { type: 'string' } } }),
        },
      }),
      ...(schema === undefined && r.contentType && { content: { [r.contentType]: { schema: { type: 'string' } } } }),
    };
  }
  return {
    operationId: parts.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    ...(Array.isArray(spec.access) && { description: `Roles: ${spec.access.join(', ')}` }),
    ...(spec.access === 'public' && { security: [] }),
    parameters: [
      ...parametersOf(parts.params === undefined ? undefined : schemas[parts.params], 'path'),
      ...parametersOf(parts.query === undefined ? undefined : schemas[parts.query], 'query'),
      ...headersOf(spec),
    ],
    ...(parts.body !== undefined && {
      requestBody: { required: !spec.body!.safeParse(undefined).success, content: { 'application/json': { schema: inline(parts.body) } } },
    }),
    responses: { ...responses, ...errorResponses(spec) },
  };
}

/** A route registered outside `mount` (health, metrics…), from its `config.openapi`. */
function undeclaredOperation(route: RegisteredRoute): Json {
  const doc = route.doc || { summary: `${route.method} ${route.url}` };
  const params = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  return {
    operationId: operationIdOf(route.method, route.url),
    summary: doc.summary,
    tags: [doc.tag ?? 'operations'],
    ...(doc.description !== undefined && { description: doc.description }),
    security: [],
    ...(params.length > 0 && { parameters: params }),
    responses: {
      200: { description: doc.description ?? doc.summary, content: { [doc.contentType ?? 'application/json']: { schema: {} } } },
      ...errorResponses(undefined),
    },
  };
}

/** Names of the components some other component refers to. */
function referenced(schemas: Record<string, Json>): Set<string> {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) names.add(v.slice(REF.length));
        else walk(v);
      }
    }
  };
  walk(schemas);
  return names;
}

function merge(into: Record<string, Json>, from: Record<string, Json>): void {
  for (const [name, schema] of Object.entries(from)) {
    const had = into[name];
    if (had && JSON.stringify(had) !== JSON.stringify(schema)) {
      throw new Error(`schema "${name}" reads differently as a request and as a response: name the request's apart`);
    }
    into[name] = schema;
  }
}

/** The OpenAPI 3 document of the registered routes (a HEAD route fastify added beside a GET is the GET's). */
export function openApiDocument(registered: RegisteredRoute[], info: { title: string; version: string; description: string }): Json {
  const gets = new Set(registered.filter((r) => r.method === 'GET').map((r) => r.url));
  const routes = registered.filter((r) => r.doc !== false && !(r.method === 'HEAD' && gets.has(r.url)));
  const inputs = new SchemaSet('input');
  const outputs = new SchemaSet('output');
  outputs.add(errorBodySchema, 'Error');
  const generated = new Set<string>();
  const named = (set: SchemaSet, schema: z.ZodType | undefined, fallback: string) => {
    if (!schema) return undefined;
    const name = set.add(schema, fallback);
    if (name === fallback) generated.add(name);
    return name;
  };
  const declared: Array<Parts | RegisteredRoute> = routes.map((route) => {
    const { spec } = route;
    if (!spec) return route;
    const operationId = operationIdOf(spec.method, spec.url);
    const base = pascal([operationId]);
    const responses: Record<string, string> = {};
    for (const [status, r] of Object.entries(spec.responses)) {
      const name = named(outputs, r.schema, `${base}${status}`);
      if (name !== undefined) responses[status] = name;
    }
    const parts: Parts = { spec, operationId, responses };
    const params = named(inputs, spec.params, `${base}Params`);
    const query = named(inputs, spec.query, `${base}Query`);
    const body = named(inputs, spec.body, `${base}Body`);
    return { ...parts, ...(params && { params }), ...(query && { query }), ...(body && { body }) };
  });

  const schemas: Record<string, Json> = {};
  merge(schemas, outputs.schemas());
  merge(schemas, inputs.schemas());
  // A schema of one operation's own, not named and used nowhere else, is written where it is used.
  const shared = referenced(schemas);
  const inline = (name: string | undefined): Json | undefined => {
    if (name === undefined) return undefined;
    return generated.has(name) && !shared.has(name) ? schemas[name] : { $ref: REF + name };
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const d of declared) {
    const [method, url] = 'operationId' in d ? [d.spec.method, d.spec.url] : [d.method, d.url];
    (paths[pathOf(url)] ??= {})[method.toLowerCase()] = 'operationId' in d ? operationOf(d, inline, schemas) : undeclaredOperation(d);
  }
  // Path and query schemas are always spelled out as parameters.
  for (const name of generated) if (!shared.has(name)) delete schemas[name];

  return {
    openapi: '3.0.3',
    info,
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API token from `docket users token <user>` or POST /users/{userId}/tokens',
        },
      },
      responses: {
        Error: {
          description: 'an error: see `error.code`',
          headers: {
            'X-Request-Id': { description: 'the id of this request', schema: { type: 'string' } },
            Allow: { description: 'with 405: the methods the path has', schema: { type: 'string' } },
            'Retry-After': { description: 'with 429 and 503: seconds to wait before trying again', schema: { type: 'string' } },
          },
          content: { 'application/json': { schema: { $ref: `${REF}Error` } } },
        },
      },
      schemas,
    },
  };
}

/**
 * Every route registered on the app, as fastify registers it: the one list the OpenAPI
 * document is built from (so a route cannot be served and left undescribed) and the one
 * that says which methods a path has (405 with `Allow` instead of 404).
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { AnyRoute } from './route';

/**
 * How a route registered outside `mount` is described in the OpenAPI document, given as the
 * fastify route's `config.openapi`; `false` leaves it out (the web UI's files are not API).
 */
export type OperationDoc =
  | false
  | {
      summary: string;
      description?: string;
      tag?: string;
      /** The content type of its 200 answer (default application/json). */
      contentType?: string;
    };

export interface RouteConfig {
  /** The declaration `mount` registered the route from. */
  spec?: AnyRoute;
  openapi?: OperationDoc;
}

declare module 'fastify' {
  // A route's `config` may say how it is described (see OperationDoc).
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends RouteConfig {}
}

export interface RegisteredRoute {
  method: string;
  url: string;
  spec?: AnyRoute;
  doc?: OperationDoc;
}

/** A fastify URL pattern (`/cases/:caseId`, `/assets/*`) as a regular expression of the paths it matches. */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

export class RouteTable {
  private readonly registered: Array<RegisteredRoute & { pattern: RegExp }> = [];

  /** Starts recording: call before any route is registered. */
  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (options: RouteOptions) => {
      const config: RouteConfig = options.config ?? {};
      for (const method of [options.method].flat()) {
        this.registered.push({
          method: method.toUpperCase(),
          url: options.url,
          pattern: patternOf(options.url),
          ...(config.spec && { spec: config.spec }),
          ...(config.openapi !== undefined && { doc: config.openapi }),
        });
      }
    });
  }

  /** The routes registered so far, in order. */
  get routes(): RegisteredRoute[] {
    return this.registered.map(({ method, url, spec, doc }) => ({ method, url, ...(spec && { spec }), ...(doc !== undefined && { doc }) }));
  }

  /** The methods some route answers on this path (no query string), sorted; empty for a path no route has. */
  allowed(path: string): string[] {
    const methods = new Set(this.registered.filter((r) => r.pattern.test(path)).map((r) => r.method));
    return [...methods].sort();
  }
}

/**
 * Security headers on every answer, the web UI's and the API's (`@fastify/helmet`): a
 * Content-Security-Policy that allows only the UI's own files (no inline script or style,
 * no plugins, no `<base>`), never framed (`frame-ancestors 'none'` and `X-Frame-Options:
 * DENY`), `nosniff`, and no referrer.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** The policy, as sent: the built UI loads one script and one stylesheet from `/assets/` and calls the API on its own origin. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  // Downloads (audit exports) are blob: URLs; the diagram is inline SVG.
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function registerSecurityHeaders(app: FastifyInstance): void {
  void app.register(helmet, {
    global: true,
    // Not helmet's defaults: those allow inline styles and ask for https, which a plain-http start on 127.0.0.1 does not serve.
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * Serves the built web UI (see web/build.ts): `index.html` at `/` and the hashed
 * files under `/assets/`. The UI routes with the URL's hash, so no API path is shadowed.
 * The Content-Security-Policy and the other security headers come from security-headers.ts:
 * the built page must load only its own script and stylesheet, with nothing inline.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ensureWebBuild } from '../scripts/build-web';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The folder of the UI an API process serves: DOCKET_WEB_DIR as given (a prebuilt folder; refused when it
 * holds no index.html), else a build of the current web sources in `.cache/web`, made now when missing
 * or out of date (several processes starting at once each end up with the same build).
 */
export async function webRoot(webDir: string | undefined, log?: (line: string) => void): Promise<string> {
  if (webDir === undefined) return ensureWebBuild(log && { log });
  if (!existsSync(path.join(webDir, 'index.html'))) {
    throw new Error(`DOCKET_WEB_DIR is ${webDir}, which holds no index.html: point it at a folder \`npm run build:web\` printed`);
  }
  return webDir;
}

export function serveWeb(app: FastifyInstance, root: string): void {
  const base = path.resolve(root);
  const assets = path.join(base, 'assets');
  const index = async (_request: unknown, reply: FastifyReply) => {
    const html = await readFile(path.join(base, 'index.html'));
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(html);
  };
  app.get('/', index);
  app.get('/index.html', index);
  app.get('/assets/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    const file = path.resolve(assets, rest);
    if (!file.startsWith(assets + path.sep)) {
      return reply.code(404).send({ error: { code: 'NotFound', message: 'no such file' } });
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.code(404).send({ error: { code: 'NotFound', message: `no file ${rest.slice(0, 200)}` } });
    }
    return reply
      .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(body);
  });
}

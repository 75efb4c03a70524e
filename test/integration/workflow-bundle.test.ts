import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { requireEnv } from '../helpers/harness';

/**
 * What the workflow bundle loads, as the worker builds it (the tests' global setup builds it the same way).
 * Every case gets its own copy of each module it loads, except the shared ones of
 * worker/workflow-preload.ts: a heavy module in the case's graph costs every open case.
 */

const ROOT = path.join(__dirname, '../..');
const code = readFileSync(requireEnv('DOCKET_TEST_BUNDLE'), 'utf8');
/** The modules webpack put in the bundle, by their path from the project root. */
const modules = new Set([...code.matchAll(/^\/\*\*\*\/ "(\.\/[^"]+)"$/gm)].map((m) => m[1]!));

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

test('the bundle lists the engine and the case workflow (the test reads real module names)', () => {
  expect(modules.has('./workflows/case-workflow.ts')).toBe(true);
  expect(modules.has('./engine/step.ts')).toBe(true);
  expect(modules.has('./worker/workflow-preload.ts')).toBe(true);
});

test('zod is not in the bundle: pinned definitions were validated when they were published', () => {
  expect([...modules].filter((m) => m.includes('/node_modules/zod/'))).toEqual([]);
});

test('the engine the workers share imports no Temporal workflow API (it keeps no case state)', () => {
  const engine = sources('engine').filter((f) => modules.has(`./${f}`));
  expect(engine.length).toBeGreaterThan(20);
  for (const file of engine) expect([file, readFileSync(path.join(ROOT, file), 'utf8').includes('@temporalio/')]).toEqual([file, false]);
});

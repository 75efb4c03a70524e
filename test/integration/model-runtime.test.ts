import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadCalendar } from '../../client/setup';
import { deepEqual } from '../../engine/expressions';
import type { CalendarData } from '../../engine/types';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { createHarness, type Harness } from '../helpers/harness';
import {
  definitionProcesses,
  generatePaths,
  loadDefinition,
  loadDriver,
  MODEL_OUTPUT_DIR,
  ProcessModel,
  readDefinitionFile,
  type ModelPath,
} from '../helpers/model';
import { allOrFailures, runPath, settleAll } from '../helpers/model-runner';

/** Every step taken, with its time: a run that hangs or is slow shows where. */
const LOG = path.join(MODEL_OUTPUT_DIR, 'model-runtime.log');

/** Paths without deadlines run this many at a time; paths that skip time run alone (skipping moves every case's clock). */
const UNTIMED_AT_ONCE = 4;

let env: TestWorkflowEnvironment;
let h: Harness;
let calendar: CalendarData;
const summary: string[] = [];

beforeAll(async () => {
  mkdirSync(MODEL_OUTPUT_DIR, { recursive: true });
  writeFileSync(LOG, '');
  env = await startTimeSkippingEnv();
  h = await createHarness('model_runtime', { env });
  calendar = await loadCalendar(h.config);
}, 600_000);
afterAll(async () => {
  if (summary.length) console.log(['Generated paths run on the case workflow:', ...summary].join('\n'));
  await h?.close();
  await env?.teardown();
});

describe.each(definitionProcesses())('%s', (process) => {
  test(
    'every generated path reaches the model’s states and writes the model’s log rows on the real workflow',
    async () => {
      const began = Date.now();
      const definition = loadDefinition(process);
      const published = await h.definitions.latest(process);
      expect(published).toBeDefined();
      // The cases run on exactly the definition file the paths were generated from.
      expect(deepEqual(published!.raw, readDefinitionFile(process))).toBe(true);
      const model = new ProcessModel(definition, calendar, loadDriver(process));
      const coverage = generatePaths(model);
      expect(coverage.missing.map((t) => t.label)).toEqual([]);

      const untimed = coverage.paths.filter((p) => !p.timed);
      const timed = coverage.paths.filter((p) => p.timed);
      const run = (p: ModelPath) => runPath(model, p, { harness: h, env, log: (line) => appendFileSync(LOG, `${line}\n`) });
      // Every path runs even when another fails, so one run reports every difference.
      const runs = allOrFailures([...(await settleAll(untimed, UNTIMED_AT_ONCE, run)), ...(await settleAll(timed, 1, run))]);

      expect(runs.map((r) => r.path.name).sort()).toEqual(coverage.paths.map((p) => p.name).sort());
      const steps = coverage.paths.reduce((n, p) => n + p.steps.length, 0);
      summary.push(
        `  ${process}: ${coverage.paths.length} paths (${timed.length} with deadlines), ${steps} steps, ` +
          `${coverage.transitions.length - coverage.missing.length}/${coverage.transitions.length} transitions, ${((Date.now() - began) / 1000).toFixed(1)} s`,
      );
    },
    30 * 60_000,
  );
});

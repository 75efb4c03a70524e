/**
 * Proves both Temporal servers the project provisions work for real: the CLI dev server and
 * the Java time-skipping test server, each running a workflow with an Update (and its
 * validator), a Query and a timer. The first run may build/resolve the servers (minutes).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { resolveTemporalCli, startDevServer, startTimeSkippingEnv, type DevServer } from '../../infra';
import { setValueUpdate, smokeWorkflow, valueQuery } from '../fixtures/temporal-smoke-workflows';

const PROVISION_TIMEOUT_MS = 15 * 60_000;
const workflowsPath = require.resolve('../fixtures/temporal-smoke-workflows');
const DAY_MS = 24 * 60 * 60 * 1000;

async function makeWorker(env: TestWorkflowEnvironment, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    workflowsPath,
    taskQueue,
  });
}

describe('resolveTemporalCli', () => {
  test('an existing server in TEMPORAL_ADDRESS wins', async () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:17233';
    try {
      await expect(resolveTemporalCli()).resolves.toEqual({ kind: 'address', address: '127.0.0.1:17233' });
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
  });
});

describe('Temporal CLI dev server', () => {
  let server: DevServer;
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    server = await startDevServer();
    env =
      server.env ??
      (await TestWorkflowEnvironment.createFromExistingServer({
        address: server.address,
        namespace: server.namespace,
      }));
  }, PROVISION_TIMEOUT_MS);

  afterAll(async () => {
    if (env && env !== server?.env) await env.teardown();
    await server?.shutdown();
  });

  test('runs a workflow with an Update (accepted and refused), a Query and a timer', async () => {
    const taskQueue = `smoke-dev-${randomUUID()}`;
    const worker = await makeWorker(env, taskQueue);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, {
        args: ['2 seconds'],
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
      });

      await expect(handle.executeUpdate(setValueUpdate, { args: [7] })).resolves.toBe(0);
      const refused = handle.executeUpdate(setValueUpdate, { args: [-1] });
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringMatching(/non-negative/) } });
      await expect(handle.query(valueQuery)).resolves.toBe(7);

      const result = await handle.result();
      expect(result.value).toBe(7);
      expect(result.sleptMs).toBeGreaterThanOrEqual(2000);
    });
  });
});

describe('Java time-skipping test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startTimeSkippingEnv();
  }, PROVISION_TIMEOUT_MS);

  afterAll(async () => {
    await env?.teardown();
  });

  test('skips a 3-day timer, and supports Updates with validators and Queries', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const taskQueue = `smoke-ts-${randomUUID()}`;
    const worker = await makeWorker(env, taskQueue);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, {
        args: ['3 days'],
        taskQueue,
        workflowId: `smoke-${randomUUID()}`,
      });

      await expect(handle.executeUpdate(setValueUpdate, { args: [5] })).resolves.toBe(0);
      const refused = handle.executeUpdate(setValueUpdate, { args: [-1] });
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringMatching(/non-negative/) } });
      await expect(handle.query(valueQuery)).resolves.toBe(5);

      const wallStart = Date.now();
      const result = await handle.result();
      expect(Date.now() - wallStart).toBeLessThan(60_000);
      expect(result.value).toBe(5);
      expect(result.sleptMs).toBeGreaterThanOrEqual(3 * DAY_MS);
    });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { humanTaskWithDefaults } from '../../engine/definition-defaults';
import { humanTaskSchema } from '../../engine/definition-schema';

/**
 * The workflow fills in a pinned definition's human-task defaults without zod (each case would
 * otherwise load zod of its own). The result must be what the definition schema makes of it.
 */

const ROOT = path.join(__dirname, '../..');
const FOLDERS = ['definitions', 'definitions/shipped', 'test/fixtures/definitions'];

function humanTasksOfFiles(): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const folder of FOLDERS) {
    for (const file of readdirSync(path.join(ROOT, folder)).filter((f) => f.endsWith('.json') && f !== 'definition.schema.json')) {
      const json = JSON.parse(readFileSync(path.join(ROOT, folder, file), 'utf8')) as { humanTasks?: Record<string, unknown> };
      for (const [state, spec] of Object.entries(json.humanTasks ?? {})) out.push([`${folder}/${file} ${state}`, spec]);
    }
  }
  return out;
}

describe('human-task defaults without zod', () => {
  const tasks = humanTasksOfFiles();

  it('are found in the definition files (the test reads real tasks)', () => {
    expect(tasks.length).toBeGreaterThanOrEqual(10);
    expect(tasks.some(([, spec]) => (spec as { approval?: unknown }).approval !== undefined)).toBe(true);
  });

  it.each(tasks)('equal the schema’s for %s', (_name, spec) => {
    expect(humanTaskWithDefaults(spec)).toEqual(humanTaskSchema.parse(spec));
  });

  it('equal the schema’s for any valid task', () => {
    const names = fc.array(fc.constantFrom('A', 'B', 'APPROVE', 'state.x'), { maxLength: 3 });
    const approval = fc.record(
      {
        approvers: fc.constantFrom<unknown>('context.approvers', ['manager'], { param: 'approvers' }),
        mode: fc.constantFrom('sequence', 'all', 'any'),
        approve: fc.constantFrom('APPROVE', 'OK'),
        reject: fc.constantFrom('REJECT', 'NO'),
        addApprover: fc.subarray(['before', 'after', 'parallel']),
        notifyEachTurn: fc.boolean(),
      },
      { requiredKeys: ['approvers', 'mode'] },
    );
    const task = fc.record(
      {
        labels: fc.constant({ en: 'Task', 'zh-CN': '任务' }),
        candidates: fc.array(fc.constantFrom({ role: 'handler' }, { user: 'u1' }, { usersFrom: 'context.team' }), { maxLength: 2 }),
        assignee: fc.constantFrom('context.handler', 'context.owner'),
        assigneeOnly: fc.boolean(),
        openEvents: names,
        claim: fc.boolean(),
        transfer: fc.boolean(),
        returnTo: names,
        approval,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(task, (spec) => {
        const parsed = humanTaskSchema.safeParse(spec);
        fc.pre(parsed.success);
        expect(humanTaskWithDefaults(spec)).toEqual(parsed.data);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what is not an object', () => {
    expect(() => humanTaskWithDefaults(null)).toThrow('a human task is not an object');
    expect(() => humanTaskWithDefaults(['x'])).toThrow('a human task is not an object');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createActor, createMachine } from 'xstate';

/**
 * Every shipped machine, the newest and each earlier shipped version, is a plain XState v5 config:
 * stock `createMachine` loads it (its `#id` targets resolve) and its initial state is the one it names.
 *
 * One earlier version is kept byte-for-byte as installed databases hold it and cannot be mended: the
 * first lost_deal targets `#lost_deal.…` without an `id`. The engine gives every machine its process
 * as id, so that version runs; the test pins down that it loads only so, and version 2 carries the id.
 */
const NEEDS_ENGINE_ID = ['shipped/lost_deal.v1.json'];
const DIR = join(__dirname, '..', '..', 'definitions');
const files = [
  ...readdirSync(DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => join(DIR, f)),
  ...readdirSync(join(DIR, 'shipped'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(DIR, 'shipped', f)),
].sort();

test('there are current and shipped definitions to load', () => {
  expect(files.some((f) => f.endsWith('lost_deal.json'))).toBe(true);
  expect(files.some((f) => f.includes(join('shipped', 'lost_deal.v1.json')))).toBe(true);
});

describe.each(files.map((f) => [f.slice(DIR.length + 1), f]))('%s', (name, file) => {
  const def = JSON.parse(readFileSync(file, 'utf8')) as { process: string; machine: { initial: string; id?: string } };

  const load = (config: object) => {
    // XState resolves every transition's targets as it builds the machine: a `#id` that names no state throws.
    return createMachine(config as Parameters<typeof createMachine>[0]);
  };

  if (NEEDS_ENGINE_ID.includes(name)) {
    it('is refused as it stands, and loads with the process as id (as the engine compiles it)', () => {
      expect(() => load(def.machine)).toThrow(`#${def.process}`);
      expect(() => load({ ...def.machine, id: def.process })).not.toThrow();
    });
    return;
  }

  it('loads in stock xstate, every target resolving', () => {
    const machine = load(def.machine);
    const actor = createActor(machine);
    expect(actor.getSnapshot().value).toEqual(expect.anything());
    expect(JSON.stringify(actor.getSnapshot().value)).toContain(def.machine.initial);
  });

  it('uses the process name as the machine id whenever a target names a state by #id', () => {
    const text = JSON.stringify(def.machine);
    if (/"#/.test(text)) expect(def.machine.id).toBe(def.process);
  });
});

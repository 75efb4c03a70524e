/**
 * The versions Docket ships of a process: a new store gets them all as versions 1…N, a store that
 * has the earlier shipped ones gets the newer, and a store that went its own way keeps its versions
 * and is told why the shipped one was not added.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PostgresDefinitionStore, shippedVersions } from '../../adapters/postgres/definition-store';
import { definitionHash } from '../../audit/definition-hash';
import { createHarness, type Harness } from '../helpers/harness';
import { complaintV1, complaintV2 } from '../helpers/definition-fixtures';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('shipped_versions');
});
afterAll(async () => {
  await h?.close();
});

/** A folder shipping versions 1…n of a process named `process` (the complaint, renamed). */
function shippedDir(process: string, n: 1 | 2): { dir: string; v1: Record<string, unknown>; v2: Record<string, unknown> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-shipped-'));
  const v1 = { ...complaintV1(), process, version: 1 };
  const v2 = { ...complaintV2(), process, version: 2 };
  if (n === 2) {
    mkdirSync(path.join(dir, 'shipped'));
    writeFileSync(path.join(dir, 'shipped', `${process}.v1.json`), JSON.stringify(v1));
    writeFileSync(path.join(dir, `${process}.json`), JSON.stringify(v2));
  } else writeFileSync(path.join(dir, `${process}.json`), JSON.stringify(v1));
  return { dir, v1, v2 };
}

const versions = async (process: string) =>
  (
    await h.pool.query<{ version: number; hash: string; status: string }>(
      'SELECT version, hash, status FROM docket.definition_versions WHERE process_id = $1 ORDER BY version',
      [process],
    )
  ).rows;

test('a new store gets every shipped version, numbered as shipped, once even with several stores at once', async () => {
  const { dir, v1, v2 } = shippedDir('shipped_new', 2);
  const stores = Array.from({ length: 3 }, () => new PostgresDefinitionStore(h.pool, { importDir: dir }));
  const imported = await Promise.all(stores.map((s) => s.ensureImported()));
  expect(imported.flat()).toEqual(['shipped_new']);
  expect(await versions('shipped_new')).toEqual([
    { version: 1, hash: definitionHash(v1), status: 'published' },
    { version: 2, hash: definitionHash(v2), status: 'published' },
  ]);
});

test('a store holding the earlier shipped version gets the newer one; one with its own versions is left alone and told', async () => {
  const first = shippedDir('shipped_upgrade', 1);
  await new PostgresDefinitionStore(h.pool, { importDir: first.dir }).ensureImported();
  expect((await versions('shipped_upgrade')).map((r) => r.version)).toEqual([1]);
  const second = shippedDir('shipped_upgrade', 2);
  expect(await new PostgresDefinitionStore(h.pool, { importDir: second.dir }).importFiles(second.dir)).toEqual(['shipped_upgrade']);
  expect((await versions('shipped_upgrade')).map((r) => [r.version, r.hash])).toEqual([
    [1, definitionHash(second.v1)],
    [2, definitionHash(second.v2)],
  ]);

  // A process owner's own version 2 (the shipped v1 with another parameter value).
  const own = shippedDir('shipped_own', 1);
  const store = new PostgresDefinitionStore(h.pool, { importDir: own.dir });
  await store.ensureImported();
  const edited = {
    ...own.v1,
    parameters: { ...(own.v1.parameters as object), approvalLimit: { ...complaintV1().parameters.approvalLimit, default: 9000 } },
  };
  const draft = await store.saveDraft('shipped_own', edited, 'olga');
  await store.publishDraft('shipped_own', draft.hash, 'olga');
  const before = await versions('shipped_own');
  const notes: string[] = [];
  const upgrade = shippedDir('shipped_own', 2);
  expect(await new PostgresDefinitionStore(h.pool, { onNote: (n) => notes.push(n) }).importFiles(upgrade.dir)).toEqual([]);
  expect(await versions('shipped_own')).toEqual(before);
  expect(notes).toEqual([expect.stringContaining('the shipped version 2 of "shipped_own" was not added')]);
});

test('a newest file whose earlier versions are missing is refused, naming the missing file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-shipped-'));
  writeFileSync(path.join(dir, 'gap.json'), JSON.stringify({ ...complaintV2(), process: 'gap' }));
  await expect(shippedVersions(dir)).rejects.toThrow(/gap\.json is version 2, but .*shipped\/gap\.v1\.json is missing/);
  expect(await versions('gap')).toEqual([]);
});

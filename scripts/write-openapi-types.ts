/**
 * Writes web/src/api-types.ts, the TypeScript types of the API's OpenAPI document
 * (openapi-typescript), which the web UI's typed client uses:
 *   npm run write-openapi-types
 * The document is the one the API serves (api/document.ts), validated first with
 * @readme/openapi-parser. The file is generated, not kept in git: `npm install` (`prepare`) and
 * `npm run lint` run this; run it after changing a route or a schema of the API (a test fails
 * while the file is stale).
 *
 *   --from FILE  read the document from FILE (e.g. saved from GET /openapi.json) instead
 *   --check      write nothing: print `{ valid, errors, current }` as JSON and exit 1 unless the
 *                document is valid and the file is what it would be written as
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@readme/openapi-parser';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { servedDocument } from '../api/document';

export const TYPES_FILE = join(__dirname, '..', 'web', 'src', 'api-types.ts');

async function main(argv: string[]): Promise<number> {
  const fromAt = argv.indexOf('--from');
  const from = fromAt >= 0 ? argv[fromAt + 1] : undefined;
  if (fromAt >= 0 && from === undefined) throw new Error('--from needs a file: the OpenAPI document as JSON');
  const check = argv.includes('--check');
  const document = from === undefined ? await servedDocument() : (JSON.parse(readFileSync(from, 'utf8')) as unknown);

  // The validator dereferences the document it is given: it gets a copy.
  const validation = await validate(structuredClone(document) as never);
  const errors = validation.valid ? [] : validation.errors.map((e) => e.message);
  if (!validation.valid && !check) {
    console.error(`the OpenAPI document is not valid:\n${errors.join('\n')}`);
    return 1;
  }
  // Formatted as the repository's files are, so that the lint's prettier check passes it.
  const generated = validation.valid ? COMMENT_HEADER + astToString(await openapiTS(document as never)) : '';
  const text = await format(generated, { ...(await resolveConfig(TYPES_FILE)), filepath: TYPES_FILE });
  if (check) {
    const current = validation.valid && existsSync(TYPES_FILE) && readFileSync(TYPES_FILE, 'utf8') === text;
    console.log(JSON.stringify({ valid: validation.valid, errors, current }));
    return validation.valid && current ? 0 : 1;
  }
  writeFileSync(TYPES_FILE, text);
  console.log(`wrote ${TYPES_FILE}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);

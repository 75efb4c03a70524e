/**
 * Writes definitions/definition.schema.json, the JSON Schema of the definition
 * file format (for editors), from the format's zod schema:
 *   npx tsx scripts/write-definition-schema.ts
 * Run it after changing engine/definition-schema.ts; a unit test fails while the file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionJsonSchema } from '../engine/lint';

const target = join(__dirname, '..', 'definitions', 'definition.schema.json');
writeFileSync(target, JSON.stringify(definitionJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target}`);

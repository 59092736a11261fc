// Writes schema/knowledge-base.schema.json from the zod schema the importer validates with.
import { writeFile } from 'node:fs/promises';
import { kbDocumentJsonSchema } from '../src/kb/document-json-schema.js';

await writeFile(new URL('../schema/knowledge-base.schema.json', import.meta.url), `${JSON.stringify(kbDocumentJsonSchema(), null, 2)}\n`);

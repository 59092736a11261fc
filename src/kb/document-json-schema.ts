import { z } from 'zod';
import { kbDocumentSchema } from '../contract/kb-document.js';

/** What the importer checks that a JSON Schema cannot say; shipped in the schema's description. */
const RULES_BEYOND_THE_SCHEMA = [
  'A Chrysopedia knowledge-base document (SPEC §7). The importer also checks what this schema cannot express:',
  'the document has "creators", "videos" or both;',
  'creator slugs, video ids and passage ids are unique (a passage without "id" has the id "<video id>#<start_seconds>");',
  "a video's creator is defined in the document or is in the knowledge base already;",
  "a passage's end_seconds is greater than its start_seconds, and not past its video's duration_seconds;",
  'a passage id already in the knowledge base stays with its video, unless the document lists that video too;',
  'a url also parses as a URL (a valid host and port).',
].join(' ');

/** The JSON Schema of the import document, generated from the zod schema that validates it. */
export function kbDocumentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(kbDocumentSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://chrysopedia.example/schema/knowledge-base.schema.json',
    title: 'Chrysopedia knowledge-base document',
    description: RULES_BEYOND_THE_SCHEMA,
  };
}

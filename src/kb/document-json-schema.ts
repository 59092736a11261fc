import { z } from 'zod';
import { kbDocumentSchema } from '../contract/kb-document.js';

/** The JSON Schema of the import document, generated from the zod schema that validates it. */
export function kbDocumentJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(kbDocumentSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://chrysopedia.example/schema/knowledge-base.schema.json',
    title: 'Chrysopedia knowledge-base document',
  };
}

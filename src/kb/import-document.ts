import type { ImportSummary, KbStore } from '../store/kb-store.js';
import { validateDocument } from './validate-document.js';

/** Validates a whole document against the knowledge base, then writes it in one transaction. */
export async function importDocument(kb: KbStore, input: unknown): Promise<ImportSummary> {
  const doc = validateDocument(input, await kb.creatorSlugs());
  return kb.importDocument(doc);
}

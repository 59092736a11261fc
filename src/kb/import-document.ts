import type { ImportSummary, KbStore } from '../store/kb-store.js';
import { ImportedDocument } from './imported-document.js';
import { validateDocument } from './validate-document.js';

/** Validates a whole document against the knowledge base, then writes it in one transaction. */
export async function importDocument(kb: KbStore, input: unknown): Promise<ImportSummary> {
  try {
    const doc = validateDocument(input, await kb.creatorSlugs());
    return await kb.importDocument(doc);
  } catch (err) {
    // The merge of many files: its problems are told by the file they are in.
    throw input instanceof ImportedDocument ? input.relocate(err) : err;
  }
}

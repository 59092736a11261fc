import { readdir, readFile } from 'node:fs/promises';
import type { KbStore, ImportSummary } from '../store/kb-store.js';
import type { KbDocument } from '../contract/kb-document.js';
import { validateDocument } from './validate-document.js';

// src/kb/ and dist/kb/ both sit two levels below the package root.
export const DEMO_DIR = new URL('../../src/kb/demo/', import.meta.url);

/** The demo knowledge base shipped with the project: one document per creator, merged. */
export async function readDemoDocument(dir: URL = DEMO_DIR): Promise<KbDocument> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const merged: { creators: unknown[]; videos: unknown[] } = { creators: [], videos: [] };
  for (const f of files) {
    const doc = JSON.parse(await readFile(new URL(f, dir), 'utf8')) as { creators?: unknown[]; videos?: unknown[] };
    merged.creators.push(...(doc.creators ?? []));
    merged.videos.push(...(doc.videos ?? []));
  }
  return validateDocument(merged);
}

/** Loads the demo knowledge base when the database holds no passage yet; null when it did not. */
export async function loadDemoIfEmpty(kb: KbStore): Promise<ImportSummary | null> {
  if ((await kb.counts()).passages > 0) return null;
  return kb.importDocument(await readDemoDocument());
}

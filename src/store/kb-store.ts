import type { KbDocument } from '../contract/kb-document.js';

export interface Personality {
  voice?: string;
  phrases?: string[];
}

export interface CreatorSummary {
  slug: string;
  name: string;
  bio: string | null;
  genres: string[];
  video_count: number;
  passage_count: number;
}

export interface VideoSummary {
  id: string;
  title: string;
  url: string;
  published_at: string | null;
  duration_seconds: number | null;
  passage_count: number;
}

/** What a chat needs of a creator: the scope, the genres of the domain tier, the voice of the prompt. */
export interface CreatorProfile {
  slug: string;
  name: string;
  genres: string[];
  personality: Personality | null;
}

export interface CreatorDetail extends CreatorSummary {
  personality: Personality | null;
  videos: VideoSummary[];
}

export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface ImportSummary {
  creators: ImportCounts;
  videos: ImportCounts;
  passages: ImportCounts & { deleted: number };
}

/** The knowledge base: creators, videos and passages. */
export interface KbStore {
  /** Writes a validated document in one transaction: all of it or nothing. Idempotent. */
  importDocument(doc: KbDocument): Promise<ImportSummary>;
  creatorSlugs(): Promise<Set<string>>;
  listCreators(): Promise<CreatorSummary[]>;
  getCreator(slug: string): Promise<CreatorDetail | null>;
  /** One cheap lookup, without getCreator's counts and videos: every chat for a creator makes it. */
  getCreatorProfile(slug: string): Promise<CreatorProfile | null>;
  counts(): Promise<{ creators: number; videos: number; passages: number }>;
}

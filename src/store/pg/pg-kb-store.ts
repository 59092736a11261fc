import { createHash } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { KbDocument } from '../../contract/kb-document.js';
import type { Db, Queryable } from '../db.js';
import type { CreatorDetail, CreatorProfile, CreatorSummary, ImportCounts, ImportSummary, KbStore, VideoSummary } from '../kb-store.js';
import { genreKeys } from '../genre-key.js';

const IMPORT_LOCK = 726_354_002;
const BATCH = 500;

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const counts = (): ImportCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

function tally(c: ImportCounts, total: number, rows: { inserted: boolean }[]): void {
  const inserted = rows.filter((r) => r.inserted).length;
  c.inserted += inserted;
  c.updated += rows.length - inserted;
  c.unchanged += total - rows.length;
}

interface CreatorRow {
  slug: string;
  name: string;
  bio: string | null;
  genres: string[];
  personality: CreatorDetail['personality'];
  video_count: number;
  passage_count: number;
}

const creatorColumns = `c.slug, c.name, c.bio, c.genres, c.personality,
  (SELECT count(*)::int FROM videos v WHERE v.creator_slug = c.slug) AS video_count,
  (SELECT count(*)::int FROM passages p WHERE p.creator_slug = c.slug) AS passage_count`;

const summary = ({ personality: _p, ...rest }: CreatorRow): CreatorSummary => rest;

/** KbStore on the shared SQL of PGlite and PostgreSQL. */
export class PgKbStore implements KbStore {
  constructor(private readonly db: Db) {}

  importDocument(doc: KbDocument): Promise<ImportSummary> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
      const result: ImportSummary = { creators: counts(), videos: counts(), passages: { ...counts(), deleted: 0 } };
      await this.checkPassagesStay(tx, doc);
      await this.upsertCreators(tx, doc, result.creators);
      await this.checkCreatorsExist(tx, doc);
      await this.upsertVideos(tx, doc, result.videos);
      await this.upsertPassages(tx, doc, result.passages);
      const changed = [result.creators, result.videos, result.passages].some((c) => c.inserted + c.updated > 0);
      if (changed || result.passages.deleted > 0) await refreshTermStats(tx);
      return result;
    });
  }

  private async upsertCreators(tx: Queryable, doc: KbDocument, c: ImportCounts): Promise<void> {
    for (const cr of doc.creators) {
      const row = [cr.slug, cr.name, cr.bio ?? null, cr.genres ?? [], cr.personality ? JSON.stringify(cr.personality) : null];
      // genre_keys follow from genres, which the hash covers.
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO creators (slug, name, bio, genres, personality, content_hash, genre_keys)
         VALUES ($1, $2, $3, $4::text[], $5::jsonb, $6, $7::text[])
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, bio = EXCLUDED.bio, genres = EXCLUDED.genres,
           personality = EXCLUDED.personality, content_hash = EXCLUDED.content_hash, genre_keys = EXCLUDED.genre_keys,
           updated_at = now()
         WHERE creators.content_hash <> EXCLUDED.content_hash
         RETURNING (xmax = 0) AS inserted`,
        [...row, hash(row), genreKeys(cr.genres ?? [])],
      );
      tally(c, 1, rows);
    }
  }

  private async checkCreatorsExist(tx: Queryable, doc: KbDocument): Promise<void> {
    const wanted = [...new Set(doc.videos.map((v) => v.creator))];
    if (wanted.length === 0) return;
    const found = new Set(
      (await tx.query<{ slug: string }>('SELECT slug FROM creators WHERE slug = ANY($1::text[])', [wanted])).map((r) => r.slug),
    );
    const details = doc.videos.flatMap((v, i) =>
      found.has(v.creator) ? [] : [{ path: `$.videos[${i}].creator`, message: `unknown creator '${v.creator}'` }],
    );
    if (details.length > 0) throw new AppError('invalid_document', 'Invalid knowledge-base document', { details });
  }

  /**
   * A passage id is one passage of one video. A document may move a passage between videos it
   * lists (it says what each of them holds), but not take one from a video it does not list: that
   * video would lose it silently, and importing each document in turn would move it back and forth.
   */
  private async checkPassagesStay(tx: Queryable, doc: KbDocument): Promise<void> {
    const ids = doc.videos.flatMap((v) => v.passages.map((p) => p.id ?? `${v.id}#${p.start_seconds}`));
    if (ids.length === 0) return;
    const owners = new Map(
      (await tx.query<{ id: string; video_id: string }>('SELECT id, video_id FROM passages WHERE id = ANY($1::text[])', [ids])).map((r) => [r.id, r.video_id]),
    );
    const listed = new Set(doc.videos.map((v) => v.id));
    const details = doc.videos.flatMap((v, vi) =>
      v.passages.flatMap((p, pi) => {
        const id = p.id ?? `${v.id}#${p.start_seconds}`;
        const owner = owners.get(id);
        if (owner === undefined || listed.has(owner)) return [];
        return [{
          path: `$.videos[${vi}].passages[${pi}].id`,
          message: `passage id '${id}' belongs to video '${owner}' in the knowledge base: give this passage another id (to move it, import a document that lists video '${owner}' as well)`,
        }];
      }),
    );
    if (details.length > 0) throw new AppError('invalid_document', 'Invalid knowledge-base document', { details });
  }

  private async upsertVideos(tx: Queryable, doc: KbDocument, c: ImportCounts): Promise<void> {
    for (const v of doc.videos) {
      const row = [v.id, v.creator, v.title, v.url, v.published_at ?? null, v.duration_seconds ?? null];
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO videos (id, creator_slug, title, url, published_at, duration_seconds, content_hash)
         VALUES ($1, $2, $3, $4, $5::date, $6, $7)
         ON CONFLICT (id) DO UPDATE SET creator_slug = EXCLUDED.creator_slug, title = EXCLUDED.title, url = EXCLUDED.url,
           published_at = EXCLUDED.published_at, duration_seconds = EXCLUDED.duration_seconds,
           content_hash = EXCLUDED.content_hash, updated_at = now()
         WHERE videos.content_hash <> EXCLUDED.content_hash
         RETURNING (xmax = 0) AS inserted`,
        [...row, hash(row)],
      );
      tally(c, 1, rows);
    }
  }

  private async upsertPassages(tx: Queryable, doc: KbDocument, c: ImportCounts & { deleted: number }): Promise<void> {
    const all = doc.videos.flatMap((v) =>
      v.passages.map((p) => {
        const row = [p.id ?? `${v.id}#${p.start_seconds}`, v.id, v.creator, p.start_seconds, p.end_seconds, p.technique ?? null, p.text] as const;
        // The title is part of the hash: it is indexed with the passage, so a new title re-indexes it.
        return [...row, hash([...row, v.title])] as const;
      }),
    );
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const col = (k: number) => batch.map((r) => r[k]);
      const rows = await tx.query<{ inserted: boolean }>(
        `INSERT INTO passages (id, video_id, creator_slug, start_seconds, end_seconds, technique, text, content_hash, tsv)
         SELECT u.id, u.video_id, u.creator_slug, u.start_seconds, u.end_seconds, u.technique, u.text, u.content_hash,
           setweight(to_tsvector('english', coalesce(u.technique, '')), 'A') ||
           setweight(to_tsvector('english', v.title), 'B') ||
           setweight(to_tsvector('english', u.text), 'C')
         FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[])
           AS u(id, video_id, creator_slug, start_seconds, end_seconds, technique, text, content_hash)
         JOIN videos v ON v.id = u.video_id
         ON CONFLICT (id) DO UPDATE SET video_id = EXCLUDED.video_id, creator_slug = EXCLUDED.creator_slug,
           start_seconds = EXCLUDED.start_seconds, end_seconds = EXCLUDED.end_seconds, technique = EXCLUDED.technique,
           text = EXCLUDED.text, content_hash = EXCLUDED.content_hash, tsv = EXCLUDED.tsv, updated_at = now()
         WHERE passages.content_hash <> EXCLUDED.content_hash
         RETURNING (xmax = 0) AS inserted`,
        [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7)],
      );
      tally(c, batch.length, rows);
    }
    // A video's passages are the ones its document lists: those it no longer lists go.
    const deleted = await tx.query<{ id: string }>(
      'DELETE FROM passages WHERE video_id = ANY($1::text[]) AND NOT (id = ANY($2::text[])) RETURNING id',
      [doc.videos.map((v) => v.id), all.map((r) => r[0])],
    );
    c.deleted += deleted.length;
  }

  async creatorSlugs(): Promise<Set<string>> {
    return new Set((await this.db.query<{ slug: string }>('SELECT slug FROM creators')).map((r) => r.slug));
  }

  async listCreators(): Promise<CreatorSummary[]> {
    const rows = await this.db.query<CreatorRow>(`SELECT ${creatorColumns} FROM creators c ORDER BY c.name, c.slug`);
    return rows.map(summary);
  }

  async getCreator(slug: string): Promise<CreatorDetail | null> {
    const [row] = await this.db.query<CreatorRow>(`SELECT ${creatorColumns} FROM creators c WHERE c.slug = $1`, [slug]);
    if (!row) return null;
    const videos = await this.db.query<VideoSummary>(
      `SELECT v.id, v.title, v.url, to_char(v.published_at, 'YYYY-MM-DD') AS published_at, v.duration_seconds,
         (SELECT count(*)::int FROM passages p WHERE p.video_id = v.id) AS passage_count
       FROM videos v WHERE v.creator_slug = $1 ORDER BY v.published_at DESC NULLS LAST, v.id`,
      [slug],
    );
    return { ...summary(row), personality: row.personality ?? null, videos };
  }

  async getCreatorProfile(slug: string): Promise<CreatorProfile | null> {
    const [row] = await this.db.query<CreatorProfile>('SELECT slug, name, genres, personality FROM creators WHERE slug = $1', [slug], { prepare: true });
    return row ? { ...row, personality: row.personality ?? null } : null;
  }

  async counts(): Promise<{ creators: number; videos: number; passages: number }> {
    const [row] = await this.db.query<{ creators: number; videos: number; passages: number }>(
      `SELECT (SELECT count(*)::int FROM creators) AS creators, (SELECT count(*)::int FROM videos) AS videos,
              (SELECT count(*)::int FROM passages) AS passages`,
    );
    return row ?? { creators: 0, videos: 0, passages: 0 };
  }
}

async function refreshTermStats(tx: Queryable): Promise<void> {
  await tx.query('DELETE FROM kb_terms');
  await tx.query(`INSERT INTO kb_terms (lexeme, ndoc) SELECT word, ndoc FROM ts_stat('SELECT tsv FROM passages')`);
  await tx.query(
    `INSERT INTO kb_stats (key, value) VALUES ('passages', (SELECT count(*) FROM passages))
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
  );
}

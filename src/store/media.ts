import { type Block, type MediaPatchInput, type MediaRecord, notFound } from '../domain/index.js';
import { mediaIdsIn } from '../domain/post-building.js';
import {
  inUse,
  MEDIA_PAGE_MAX,
  type MediaRow,
  mediaInsertParams,
  patchedMedia,
  quotaError,
  quotaExceeded,
  toMediaRecord,
} from './media-rows.js';
import { json } from './rows.js';
import type { Sql, SqlDb } from './sql.js';

/** The media library (Store.createMedia …), written once for both databases. */

const usage = async (q: Sql, blogId: string): Promise<number> =>
  Number(
    (await q.one<{ n: number | string }>('SELECT COALESCE(SUM(bytes), 0) AS n FROM media WHERE blog_id = ?', [blogId]))
      ?.n ?? 0,
  );

export function createMedia(db: SqlDb, media: MediaRecord, quotaBytes: number): Promise<MediaRecord> {
  return db.write(async (tx) => {
    // The blog row is the per-blog lock (PostgreSQL; SQLite has one writer anyway): concurrent
    // uploads to one blog sum and insert in turn, so none overshoots the quota.
    const blog = await tx.one(`SELECT id FROM blogs WHERE id = ?${db.dialect.forUpdate}`, [media.blogId]);
    if (!blog) throw notFound('blog');
    const used = await usage(tx, media.blogId);
    if (quotaExceeded(used, media.bytes, quotaBytes)) throw quotaError(used, media.bytes, quotaBytes);
    await tx.run(
      'INSERT INTO media (id, blog_id, lead_key, bytes, data, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      mediaInsertParams(media),
    );
    return media;
  }, 'media');
}

export async function getMedia(db: SqlDb, blogId: string, mediaId: string): Promise<MediaRecord | null> {
  const row = await db.one<MediaRow>('SELECT data FROM media WHERE blog_id = ? AND id = ?', [blogId, mediaId]);
  return row ? toMediaRecord(row) : null;
}

export async function getMediaMany(db: SqlDb, blogId: string, ids: readonly string[]): Promise<MediaRecord[]> {
  if (ids.length === 0) return [];
  // Posts name at most 50 blocks, so the list of placeholders stays short.
  const unique = [...new Set(ids)].slice(0, 100);
  const rows = await db.all<MediaRow>(
    `SELECT data FROM media WHERE blog_id = ? AND id IN (${unique.map(() => '?').join(', ')})`,
    [blogId, ...unique],
  );
  return rows.map(toMediaRecord);
}

export async function listMedia(
  db: SqlDb,
  blogId: string,
  opts: { limit: number; before?: string },
): Promise<MediaRecord[]> {
  const limit = Math.min(opts.limit, MEDIA_PAGE_MAX);
  const rows = opts.before
    ? await db.all<MediaRow>(
        `SELECT m.data FROM media m, media c WHERE c.blog_id = ? AND c.id = ? AND m.blog_id = c.blog_id
         AND (m.created_at, m.id) < (c.created_at, c.id) ORDER BY m.created_at DESC, m.id DESC LIMIT ?`,
        [blogId, opts.before, limit],
      )
    : await db.all<MediaRow>('SELECT data FROM media WHERE blog_id = ? ORDER BY created_at DESC, id DESC LIMIT ?', [
        blogId,
        limit,
      ]);
  return rows.map(toMediaRecord);
}

export function mediaUsage(db: SqlDb, blogId: string): Promise<number> {
  return usage(db, blogId);
}

export function updateMedia(
  db: SqlDb,
  blogId: string,
  mediaId: string,
  patch: MediaPatchInput,
  now: string,
): Promise<MediaRecord> {
  return db.write(async (tx) => {
    const row = await tx.one<MediaRow>(`SELECT data FROM media WHERE blog_id = ? AND id = ?${db.dialect.forUpdate}`, [
      blogId,
      mediaId,
    ]);
    if (!row) throw notFound('media');
    const next = patchedMedia(toMediaRecord(row), patch, now);
    await tx.run('UPDATE media SET data = ? WHERE id = ?', [JSON.stringify(next), mediaId]);
    return next;
  }, 'media');
}

/**
 * Refused while a published post shows the item. The posts are read whole and their blocks'
 * mediaIds compared (a text search of JSON differs per database; a delete is rare): an id that
 * merely appears in some text never blocks it.
 */
export function deleteMedia(
  db: SqlDb,
  blogId: string,
  mediaId: string,
): Promise<{ deleted: MediaRecord; orphanKeys: string[] }> {
  return db.write(async (tx) => {
    const row = await tx.one<MediaRow>(`SELECT data FROM media WHERE blog_id = ? AND id = ?${db.dialect.forUpdate}`, [
      blogId,
      mediaId,
    ]);
    if (!row) throw notFound('media');
    const published = await tx.all<{ id: string; blog_id: string; blocks: unknown }>(
      "SELECT id, blog_id, blocks FROM posts WHERE blog_id = ? AND status = 'published'",
      [blogId],
    );
    const posts = published
      .filter((p) => mediaIdsIn(json<Block[]>(p.blocks as never)).includes(mediaId))
      .map((p) => ({ id: p.id, blogId: p.blog_id }));
    if (posts.length > 0) throw inUse(posts);
    const deleted = toMediaRecord(row);
    await tx.run('DELETE FROM media WHERE id = ?', [mediaId]);
    const shared = await tx.one('SELECT 1 AS one FROM media WHERE lead_key = ? LIMIT 1', [deleted.variants[0]!.key]);
    return { deleted, orphanKeys: shared ? [] : deleted.variants.map((v) => v.key) };
  }, 'media');
}

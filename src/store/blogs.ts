import {
  type StoredBlog as Blog,
  type BlogPatchInput,
  blogStatusColumns,
  conflict,
  type LiveEvent,
  type NewBlog,
  notFound,
} from '../domain/index.js';
import { insertAudit } from './identity.js';
import { BLOG_COLUMNS, BLOG_FROM, type BlogRow, iso, makeEvent, toBlog } from './rows.js';
import { appendEvent, bump, lockBlog } from './seq.js';
import { jsonParam, type Sql, type SqlDb } from './sql.js';
import type { WriteGuard } from './types.js';

export async function blogById(tx: Sql, id: string): Promise<Blog | null> {
  const row = await tx.one<BlogRow>(`SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = ?`, [id]);
  return row ? toBlog(row) : null;
}

async function assertSlugFree(tx: Sql, slug: string, exceptId: string): Promise<void> {
  if (await tx.one('SELECT 1 FROM blogs WHERE slug = ? AND id <> ?', [slug, exceptId])) {
    throw conflict(`slug "${slug}" is already taken`, { field: 'slug' });
  }
}

export function createBlog(db: SqlDb, blog: NewBlog, now: string, opts: WriteGuard = {}): Promise<Blog> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, now);
    await assertSlugFree(tx, blog.slug, blog.id);
    await tx.run(
      `INSERT INTO blogs (id, slug, title, description, status, seq, allowed_origins, created_at, updated_at,
         order_mode, language, ended_at, archived_at)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
      [
        blog.id,
        blog.slug,
        blog.title,
        blog.description,
        // Archived is a flag over the stored status (see migration 30).
        blog.status === 'archived' ? 'ended' : blog.status,
        jsonParam(blog.allowedOrigins),
        now,
        now,
        blog.order ?? 'newest',
        blog.language ?? 'en',
        blog.status === 'ended' || blog.status === 'archived' ? now : null,
        blog.status === 'archived' ? now : null,
      ],
    );
    return (await blogById(tx, blog.id)) as Blog;
  }, 'blog');
}

export async function getBlog(db: SqlDb, idOrSlug: string): Promise<Blog | null> {
  // An id wins over another blog's equal slug.
  const row = await db.one<BlogRow>(
    `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = ? OR b.slug = ? ORDER BY b.id = ? DESC LIMIT 1`,
    [idOrSlug, idOrSlug, idOrSlug],
  );
  return row ? toBlog(row) : null;
}

export async function listBlogs(db: SqlDb, opts: { limit: number; offset?: number }): Promise<Blog[]> {
  const rows = await db.all<BlogRow>(
    `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?`,
    [opts.limit, opts.offset ?? 0],
  );
  return rows.map(toBlog);
}

/**
 * Lock, read, check the slug, and only then take a seq: a refused patch never touches the
 * seq, and the patch merges onto the latest blog even with writers on other nodes.
 */
export function updateBlog(
  db: SqlDb,
  blogId: string,
  patch: BlogPatchInput,
  now: string,
  opts: WriteGuard = {},
): Promise<{ blog: Blog; event: LiveEvent }> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, now);
    await lockBlog(tx, db.dialect, blogId);
    const cur = await blogById(tx, blogId);
    if (!cur) throw notFound('blog');
    if (patch.slug !== undefined && patch.slug !== cur.slug) await assertSlugFree(tx, patch.slug, blogId);
    const stored = await tx.one<{ status: string; ended_at: string | Date | null; archived_at: string | Date | null }>(
      'SELECT status, ended_at, archived_at FROM blogs WHERE id = ?',
      [blogId],
    );
    const isoOrNull = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : iso(v));
    const cols = blogStatusColumns(
      cur,
      {
        status: stored?.status ?? cur.status,
        endedAt: isoOrNull(stored?.ended_at),
        archivedAt: isoOrNull(stored?.archived_at),
      },
      patch.status,
      now,
    );
    const seq = await bump(tx, blogId);
    await tx.run(
      `UPDATE blogs SET slug = ?, title = ?, description = ?, status = ?, allowed_origins = ?, updated_at = ?,
         order_mode = ?, language = ?, ended_at = ?, archived_at = ?
       WHERE id = ?`,
      [
        patch.slug ?? cur.slug,
        patch.title ?? cur.title,
        patch.description ?? cur.description,
        cols.status,
        jsonParam(patch.allowedOrigins ?? cur.allowedOrigins),
        now,
        patch.order ?? cur.order,
        patch.language ?? cur.language,
        cols.endedAt,
        cols.archivedAt,
        blogId,
      ],
    );
    const blog = (await blogById(tx, blogId)) as Blog;
    const event = makeEvent(blogId, seq, 'blog.updated', blog, now);
    await appendEvent(tx, event);
    return { blog, event };
  }, 'blog');
}

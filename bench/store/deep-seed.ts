import { jsonParam, type SqlDb, type SqlParam } from '../../src/store/sql.js';

/**
 * A months-long liveblog written straight into the tables: `posts` published posts (a few
 * pinned), one `post.created` event each, the blog's seq at the last one. Rows go in as
 * multi-row INSERTs inside one write, through the seam, so the same text seeds SQLite and
 * PostgreSQL in seconds (20,000 posts through the HTTP API would take minutes).
 * Used by bench/store/deep-history.ts and test/integration/deep-history.test.ts.
 */
export interface DeepBlog {
  blogId: string;
  posts: number;
  /** The unpinned posts, newest first: `order[d]` is the cursor of a page `d` posts deep. */
  order: Array<{ id: string; createdAt: string }>;
}

const BATCH = 400;
const PINNED = 3;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export async function seedDeepBlog(db: SqlDb, posts: number, blogId = 'deep-blog'): Promise<DeepBlog> {
  const now = new Date(T0).toISOString();
  const at = (i: number) => new Date(T0 + i * 60_000).toISOString();
  const postId = (i: number) => `p${String(i).padStart(6, '0')}`;
  await db.write(async (tx) => {
    await tx.run(
      `INSERT INTO blogs (id, slug, title, description, status, seq, allowed_origins, created_at, updated_at)
       VALUES (?, ?, ?, '', 'live', ?, '[]', ?, ?)`,
      [blogId, blogId, 'Deep history', posts, now, now],
    );
    for (let start = 1; start <= posts; start += BATCH) {
      const end = Math.min(posts, start + BATCH - 1);
      const postRows: string[] = [];
      const postParams: SqlParam[] = [];
      const eventRows: string[] = [];
      const eventParams: SqlParam[] = [];
      for (let i = start; i <= end; i++) {
        const blocks = [{ type: 'text', html: `<p>Update ${i}: what we know so far.</p>` }];
        postRows.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        postParams.push(postId(i), blogId, i, at(i), at(i), 'u1', 'Desk', 'published', i <= PINNED, false);
        postParams.push(jsonParam(blocks));
        eventRows.push('(?, ?, ?, ?, ?)');
        eventParams.push(blogId, i, 'post.created', jsonParam({ id: postId(i), blocks }), at(i));
      }
      await tx.run(
        `INSERT INTO posts (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks)
         VALUES ${postRows.join(', ')}`,
        postParams,
      );
      await tx.run(`INSERT INTO events (blog_id, seq, type, data, at) VALUES ${eventRows.join(', ')}`, eventParams);
    }
  });
  const order: DeepBlog['order'] = [];
  for (let i = posts; i > PINNED; i--) order.push({ id: postId(i), createdAt: at(i) });
  return { blogId, posts, order };
}

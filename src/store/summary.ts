import {
  type Bullet,
  type LiveEvent,
  notFound,
  type Summary,
  type SummaryHistoryEntry,
  sameBullets,
} from '../domain/index.js';
import { blogById } from './blogs.js';
import { json, makeEvent, type SummaryRow, toHistoryEntry } from './rows.js';
import { appendEvent, blogSeq, bump, lockBlog } from './seq.js';
import { jsonParam, type SqlDb } from './sql.js';

/**
 * Serialised per blog: the blog row is locked before the bullets are compared, so two nodes
 * publishing at once take turns (the same bullets are published once, seqs never reorder).
 */
export function publishSummary(
  db: SqlDb,
  blogId: string,
  bullets: Bullet[],
  now: string,
): Promise<{ summary: Summary; event: LiveEvent } | null> {
  const clean = bullets.map((b) => ({ html: b.html, text: b.text }));
  return db.write(async (tx) => {
    await lockBlog(tx, db.dialect, blogId);
    const cur = await tx.one<{ bullets: unknown }>('SELECT bullets FROM summary WHERE blog_id = ?', [blogId]);
    if (sameBullets(cur ? json<Bullet[]>(cur.bullets) : [], clean)) return null;
    const seq = await bump(tx, blogId);
    const text = jsonParam(clean);
    await tx.run(
      `INSERT INTO summary (blog_id, seq, bullets, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (blog_id) DO UPDATE SET seq = excluded.seq, bullets = excluded.bullets, updated_at = excluded.updated_at`,
      [blogId, seq, text, now],
    );
    await tx.run('INSERT INTO summary_history (blog_id, seq, bullets, at) VALUES (?, ?, ?, ?)', [
      blogId,
      seq,
      text,
      now,
    ]);
    const summary: Summary = { seq, bullets: clean, updatedAt: now };
    const event = makeEvent(blogId, seq, 'summary.updated', summary, now);
    await appendEvent(tx, event);
    return { summary, event };
  }, 'summary');
}

export async function getSummary(db: SqlDb, blogId: string): Promise<Summary> {
  const blog = await blogById(db, blogId);
  if (!blog) throw notFound('blog');
  return blog.summary;
}

export async function listSummaryHistory(
  db: SqlDb,
  blogId: string,
  opts: { limit: number },
): Promise<SummaryHistoryEntry[]> {
  await blogSeq(db, blogId);
  const rows = await db.all<SummaryRow>(
    'SELECT seq, bullets, at FROM summary_history WHERE blog_id = ? ORDER BY seq DESC LIMIT ?',
    [blogId, opts.limit],
  );
  return rows.map(toHistoryEntry);
}

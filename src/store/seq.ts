import { type LiveEvent, notFound } from '../domain/index.js';
import { OUTBOX_ON_EVENT, outboxOnEventParams } from './outbox.js';
import { markOutwardJobs } from './outward.js';
import type { Dialect, Sql } from './sql.js';
import { jsonParam } from './sql.js';

/**
 * The seq rule's three steps, shared by every method that makes a reader-visible change:
 * lock (or read) the blog, bump its seq, append the event — all inside one `write`.
 */

/** The blog's current seq; not_found when it does not exist. */
export async function blogSeq(tx: Sql, blogId: string): Promise<number> {
  const row = await tx.one<{ seq: number }>('SELECT seq FROM blogs WHERE id = ?', [blogId]);
  if (!row) throw notFound('blog');
  return Number(row.seq);
}

/**
 * Like blogSeq, and holds the blog row until COMMIT so writers of one blog take turns before
 * they read what they will compare (PostgreSQL; on SQLite the write lock is already held).
 */
export async function lockBlog(tx: Sql, dialect: Dialect, blogId: string): Promise<number> {
  const row = await tx.one<{ seq: number }>(`SELECT seq FROM blogs WHERE id = ?${dialect.forUpdate}`, [blogId]);
  if (!row) throw notFound('blog');
  return Number(row.seq);
}

/** The blog's next seq (and its row lock until the transaction ends). */
export async function bump(tx: Sql, blogId: string): Promise<number> {
  const row = await tx.one<{ seq: number }>('UPDATE blogs SET seq = seq + 1 WHERE id = ? RETURNING seq', [blogId]);
  if (!row) throw notFound('blog');
  return Number(row.seq);
}

export async function appendEvent(tx: Sql, e: LiveEvent): Promise<void> {
  await tx.run('INSERT INTO events (blog_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)', [
    e.blogId,
    e.seq,
    e.type,
    jsonParam(e.data),
    e.at,
  ]);
  // The webhook outbox: one delivery per matching endpoint, committed with the event.
  await tx.run(OUTBOX_ON_EVENT, outboxOnEventParams(e));
  // WebSub distributions and pings, Web Push for a new key event (outward.ts).
  await markOutwardJobs(tx, e);
}

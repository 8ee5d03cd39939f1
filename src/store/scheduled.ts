import { notFound, type Revision, type StoredPost } from '../domain/index.js';
import type { ScheduleClaim } from '../scheduler/types.js';
import { iso, makeEvent, POST_COLUMNS, type PostRow, type RevisionRow, toPost, toRevision } from './rows.js';
import { appendEvent, blogSeq, bump } from './seq.js';
import type { SqlDb } from './sql.js';

/** Every recorded change of a post, newest first. */
export async function listRevisions(
  db: SqlDb,
  blogId: string,
  postId: string,
  opts: { limit: number },
): Promise<Revision[]> {
  await blogSeq(db, blogId).catch(() => {
    throw notFound('blog');
  });
  const rows = await db.all<RevisionRow>(
    `SELECT id, blog_id, post_id, at, by_id, by_name, seq, changed, correction, before, after
     FROM post_revisions WHERE blog_id = ? AND post_id = ? ORDER BY at DESC, seq DESC LIMIT ?`,
    [blogId, postId, Math.max(1, Math.floor(opts.limit))],
  );
  return rows.map(toRevision);
}

/**
 * Claims due scheduled posts for this node, one statement: rows nobody holds (or whose
 * holder's lease ran out), oldest due first, marked as ours in the same UPDATE … RETURNING.
 * On PostgreSQL the inner SELECT locks with FOR UPDATE SKIP LOCKED, so concurrent claimers
 * on other nodes take other rows; on SQLite the write lock already makes claimers take turns.
 */
export async function claimDuePosts(
  db: SqlDb,
  now: string,
  opts: { nodeId: string; limit: number; leaseMs: number },
): Promise<ScheduleClaim[]> {
  const leaseUntil = new Date(Date.parse(now) + opts.leaseMs).toISOString();
  const skipLocked = db.dialect.name === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
  const rows = await db.write((tx) =>
    tx.all<{ blog_id: string; id: string; publish_at: string | Date }>(
      `UPDATE posts SET claimed_by = ?, claim_until = ?
       WHERE id IN (SELECT id FROM posts WHERE status = 'scheduled' AND publish_at <= ?
                    AND (claim_until IS NULL OR claim_until < ?) ORDER BY publish_at, id LIMIT ?${skipLocked})
       RETURNING blog_id, id, publish_at`,
      [opts.nodeId, leaseUntil, now, now, Math.max(1, opts.limit)],
    ),
  );
  return rows
    .map((r) => ({ blogId: r.blog_id, postId: r.id, publishAt: iso(r.publish_at), leaseUntil }))
    .sort((a, b) => (a.publishAt < b.publishAt ? -1 : a.publishAt > b.publishAt ? 1 : 0));
}

/**
 * Publishes one claimed post in one transaction, only if it is still scheduled, still due
 * and still claimed by this node (checked under its row lock): exactly once across nodes.
 */
export function publishClaimed(
  db: SqlDb,
  claim: ScheduleClaim,
  nodeId: string,
  now: string,
): Promise<{ post: StoredPost; event: ReturnType<typeof makeEvent> } | null> {
  return db.write(async (tx) => {
    const row = await tx.one<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts WHERE id = ? AND blog_id = ? AND status = 'scheduled'
       AND publish_at <= ? AND claimed_by = ?${db.dialect.forUpdate}`,
      [claim.postId, claim.blogId, now, nodeId],
    );
    if (!row) return null;
    const previous = toPost(row);
    const seq = await bump(tx, claim.blogId);
    // Its "posted at" is its publication: it lands on top, after everything already out.
    const post: StoredPost = { ...previous, seq, status: 'published', publishAt: null, createdAt: now, updatedAt: now };
    await tx.run(
      `UPDATE posts SET seq = ?, status = 'published', publish_at = NULL, created_at = ?, updated_at = ?,
         claimed_by = NULL, claim_until = NULL WHERE id = ?`,
      [seq, now, now, claim.postId],
    );
    const event = makeEvent(claim.blogId, seq, 'post.created', post, now);
    await appendEvent(tx, event);
    return { post, event };
  }, 'post');
}

/** The next time there may be work: an unheld post's publishAt, or a held one's lease end. */
export async function nextPublishAt(db: SqlDb, now: string): Promise<string | null> {
  const row = await db.one<{ at: string | Date | null }>(
    `SELECT MIN(CASE WHEN claim_until IS NOT NULL AND claim_until >= ? THEN claim_until ELSE publish_at END) AS at
     FROM posts WHERE status = 'scheduled'`,
    [now],
  );
  return row?.at ? iso(row.at) : null;
}

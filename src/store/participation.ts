import {
  type Author,
  closedPollBlocks,
  conflict,
  type LiveEvent,
  notFound,
  pollDue,
  pollOf,
  pollOpen,
  REACTIONS,
  type Reaction,
  type StoredPost,
  type Tally,
} from '../domain/index.js';
import { fieldError } from '../domain/sanitize.js';
import { insertRevision } from './posts.js';
import { json, makeEvent, POST_COLUMNS, type PostRow, toPost } from './rows.js';
import { appendEvent, bump } from './seq.js';
import { jsonParam, type Sql, type SqlDb } from './sql.js';

/**
 * Poll votes and reactions. Each is one row whose primary key is the dedup (one vote per
 * voter per poll, one reaction per voter, post and kind); counts are derived from the rows,
 * so they are exact on any node and after any restart. A vote and a poll's closing both
 * lock the post row, so no vote commits after the closing update counted the results.
 */

async function lockPublishedPost(tx: Sql, db: SqlDb, blogId: string, postId: string): Promise<StoredPost> {
  const row = await tx.one<PostRow>(
    `SELECT ${POST_COLUMNS} FROM posts WHERE id = ? AND blog_id = ?${db.dialect.forUpdate}`,
    [postId, blogId],
  );
  if (row?.status !== 'published') throw notFound('post');
  return toPost(row);
}

const noReactions = () => Object.fromEntries(Object.keys(REACTIONS).map((k) => [k, 0])) as Tally['reactions'];

async function optionCounts(tx: Sql, postId: string): Promise<Record<string, number>> {
  const rows = await tx.all<{ option_id: string; n: number | string }>(
    'SELECT option_id, COUNT(*) AS n FROM poll_votes WHERE post_id = ? GROUP BY option_id',
    [postId],
  );
  return Object.fromEntries(rows.map((r) => [r.option_id, Number(r.n)]));
}

/**
 * Records a vote. not_found: no such published post, or it has no poll; conflict: the poll
 * is closed (or past its closing time); validation: the option is not one of the poll's. A
 * voter who already voted keeps their first vote: `counted` false, `option` the stored one.
 */
export function castVote(
  db: SqlDb,
  v: { blogId: string; postId: string; voter: string; option: string; at: string },
): Promise<{ option: string; counted: boolean }> {
  return db.write(async (tx) => {
    const post = await lockPublishedPost(tx, db, v.blogId, v.postId);
    const poll = pollOf(post.blocks);
    if (!poll) throw notFound('poll');
    if (!pollOpen(poll, Date.parse(v.at))) throw conflict('the poll is closed');
    if (!poll.options.some((o) => o.id === v.option)) {
      throw fieldError(['option'], 'is not an option of this poll');
    }
    const inserted = await tx.run(
      `INSERT INTO poll_votes (post_id, voter, option_id, blog_id, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
      [v.postId, v.voter, v.option, v.blogId, v.at],
    );
    if (inserted > 0) return { option: v.option, counted: true };
    const first = await tx.one<{ option_id: string }>(
      'SELECT option_id FROM poll_votes WHERE post_id = ? AND voter = ?',
      [v.postId, v.voter],
    );
    return { option: first?.option_id ?? v.option, counted: false };
  }, 'post');
}

/** Records a reaction on a published post; a repeat of the same kind by the same voter is not counted. */
export async function addReaction(
  db: SqlDb,
  r: { blogId: string; postId: string; voter: string; reaction: Reaction; at: string },
): Promise<{ counted: boolean }> {
  const inserted = await db.run(
    `INSERT INTO post_reactions (post_id, kind, voter, blog_id, created_at)
     SELECT id, ?, ?, blog_id, ? FROM posts WHERE id = ? AND blog_id = ? AND status = 'published'
     ON CONFLICT DO NOTHING`,
    [r.reaction, r.voter, r.at, r.postId, r.blogId],
  );
  if (inserted > 0) return { counted: true };
  const post = await db.one<{ status: string }>('SELECT status FROM posts WHERE id = ? AND blog_id = ?', [
    r.postId,
    r.blogId,
  ]);
  if (post?.status !== 'published') throw notFound('post');
  return { counted: false };
}

/**
 * The counts of these posts of the blog: votes per option for posts with a poll, reactions
 * for every published post. Posts that are not published (or not the blog's) are absent.
 * `due` lists the posts whose poll passed its closing time without a closing update.
 */
export async function tallies(
  db: SqlDb,
  blogId: string,
  postIds: readonly string[],
  now: number,
): Promise<{ posts: Record<string, Tally>; due: string[] }> {
  if (postIds.length === 0) return { posts: {}, due: [] };
  const marks = postIds.map(() => '?').join(', ');
  const [posts, votes, reactions] = await db.read(async (tx) => [
    await tx.all<{ id: string; blocks: PostRow['blocks'] }>(
      `SELECT id, blocks FROM posts WHERE blog_id = ? AND status = 'published' AND id IN (${marks})`,
      [blogId, ...postIds],
    ),
    await tx.all<{ post_id: string; option_id: string; n: number | string }>(
      `SELECT post_id, option_id, COUNT(*) AS n FROM poll_votes WHERE post_id IN (${marks}) GROUP BY post_id, option_id`,
      [...postIds],
    ),
    await tx.all<{ post_id: string; kind: string; n: number | string }>(
      `SELECT post_id, kind, COUNT(*) AS n FROM post_reactions WHERE post_id IN (${marks}) GROUP BY post_id, kind`,
      [...postIds],
    ),
  ]);
  const out: Record<string, Tally> = {};
  const due: string[] = [];
  for (const p of posts) {
    const blocks = json<StoredPost['blocks']>(p.blocks);
    const poll = pollOf(blocks);
    const tally: Tally = { reactions: noReactions() };
    if (poll) {
      tally.votes = Object.fromEntries(poll.options.map((o) => [o.id, 0]));
      if (pollDue(poll, now)) due.push(p.id);
    }
    out[p.id] = tally;
  }
  for (const v of votes) {
    const t = out[v.post_id];
    if (t?.votes && v.option_id in t.votes) t.votes[v.option_id] = Number(v.n);
  }
  for (const r of reactions) {
    const t = out[r.post_id];
    if (t) t.reactions[r.kind as Reaction] = Number(r.n);
  }
  return { posts: out, due };
}

/**
 * Closes the post's poll: ONE normal post.updated event (next seq) whose post carries the
 * poll's `closedAt` and final `results`, counted under the post's row lock. Idempotent: a
 * poll already closed (by another node, or an editor first) answers with no event; with
 * `onlyIfDue`, so does a poll whose closing time has not come.
 */
export function closePoll(
  db: SqlDb,
  blogId: string,
  postId: string,
  now: string,
  opts: { onlyIfDue?: boolean; by?: Author } = {},
): Promise<{ post: StoredPost; event: LiveEvent | null }> {
  return db.write(async (tx) => {
    const previous = await lockPublishedPost(tx, db, blogId, postId);
    const poll = pollOf(previous.blocks);
    if (!poll) throw notFound('poll');
    const at = Date.parse(now);
    if (poll.closedAt !== undefined || (opts.onlyIfDue && !pollDue(poll, at))) return { post: previous, event: null };
    const counts = await optionCounts(tx, postId);
    const seq = await bump(tx, blogId);
    const post: StoredPost = {
      ...previous,
      seq,
      blocks: closedPollBlocks(previous.blocks, counts, now),
      updatedAt: now,
    };
    await tx.run('UPDATE posts SET seq = ?, blocks = ?, updated_at = ? WHERE id = ?', [
      seq,
      jsonParam(post.blocks),
      now,
      postId,
    ]);
    await insertRevision(tx, previous, post, seq, opts.by ?? previous.author, now);
    const event = makeEvent(blogId, seq, 'post.updated', post, now);
    await appendEvent(tx, event);
    return { post, event };
  }, 'post');
}

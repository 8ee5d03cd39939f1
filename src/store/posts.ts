import {
  type Author,
  assertUnchanged,
  changedFields,
  decodeCursor,
  encodeCursor,
  type Post as InputPost,
  type LiveEvent,
  MAX_PINNED,
  notFound,
  type StoredPost as Post,
  type PostStatus,
  type StoredPostsPage as PostsPage,
  pickPost,
  postTransition,
  revisionId,
} from '../domain/index.js';
import type { PostChange } from '../domain/post-building.js';
import { insertAudit } from './identity.js';
import { makeEvent, POST_COLUMNS, type PostRow, toPost } from './rows.js';
import { appendEvent, blogSeq, bump } from './seq.js';
import { type Dialect, jsonParam, type Sql, type SqlDb, type SqlParam } from './sql.js';
import type { WriteGuard } from './types.js';

/** The post row (tombstones excluded), locked until COMMIT so concurrent edits see each other. */
async function lockLivePost(tx: Sql, dialect: Dialect, blogId: string, postId: string): Promise<Post> {
  const row = await tx.one<PostRow>(
    `SELECT ${POST_COLUMNS} FROM posts WHERE id = ? AND blog_id = ? AND status <> 'deleted'${dialect.forUpdate}`,
    [postId, blogId],
  );
  if (!row) throw notFound('post');
  return toPost(row);
}

/**
 * Takedown: when a published post leaves the readers' view, the earlier events that carried
 * its content become `post.deleted { id }` (same seq, same time). A replay then ends in the
 * same state (the post absent, as after the real post.deleted that follows) and never serves
 * the removed content again.
 */
async function tombstoneEarlierEvents(tx: Sql, dialect: Dialect, blogId: string, postId: string): Promise<void> {
  await tx.run(takedownSql(dialect), [jsonParam({ id: postId }), blogId, postId]);
}

/**
 * The takedown rewrite; found through the `events_post` index (migration 70), whose
 * expression is this very `jsonText` text. Exported so test/integration/deep-history.test.ts
 * can EXPLAIN the statement the store runs.
 */
export const takedownSql = (dialect: Dialect) =>
  `UPDATE ${dialect.throughIndex('events', 'events_post')} SET type = 'post.deleted', data = ?
   WHERE blog_id = ? AND type IN ('post.created', 'post.updated') AND ${dialect.jsonText('data', 'id')} = ?`;

export function createPost(
  db: SqlDb,
  input: Omit<InputPost, 'seq'>,
  opts: WriteGuard = {},
): Promise<{ post: Post; event: LiveEvent | null }> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, input.updatedAt);
    const published = input.status === 'published';
    // A draft takes no seq, but its blog must exist.
    if (!published) await blogSeq(tx, input.blogId);
    const seq = published ? await bump(tx, input.blogId) : 0;
    const post: Post = { ...pickPost(input), seq };
    await tx.run(
      `INSERT INTO posts (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks,
         publish_at, tags, correction, approved_by, review)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        post.id,
        post.blogId,
        seq,
        post.createdAt,
        post.updatedAt,
        post.author.id,
        post.author.name,
        post.status,
        post.pinned,
        post.keyEvent,
        jsonParam(post.blocks),
        post.publishAt,
        jsonParam(post.tags),
        jsonOrNull(post.correction),
        jsonOrNull(post.approvedBy),
        jsonOrNull(post.review),
      ],
    );
    await writeTags(tx, post, true);
    if (!published) return { post, event: null };
    const event = makeEvent(post.blogId, seq, 'post.created', post, post.updatedAt);
    await appendEvent(tx, event);
    return { post, event };
  }, 'post');
}

export function updatePost(
  db: SqlDb,
  blogId: string,
  postId: string,
  next: PostChange,
  opts: WriteGuard & { by?: Author } = {},
): Promise<{ post: Post; previous: Post; event: LiveEvent | null }> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, next.updatedAt);
    const previous = await lockLivePost(tx, db.dialect, blogId, postId);
    assertUnchanged(previous, opts.expectedUpdatedAt);
    const type = postTransition(previous.status, next.status);
    const seq = type ? await bump(tx, blogId) : previous.seq;
    const post: Post = {
      ...previous,
      seq,
      blocks: next.blocks,
      status: next.status,
      pinned: next.pinned,
      keyEvent: next.keyEvent,
      updatedAt: next.updatedAt,
      createdAt: next.createdAt,
      publishAt: next.status === 'scheduled' ? (next.publishAt ?? previous.publishAt) : null,
      tags: next.tags ?? previous.tags,
      correction: next.correction !== undefined ? next.correction : previous.correction,
      approvedBy: next.approvedBy !== undefined ? next.approvedBy : previous.approvedBy,
      review: next.review !== undefined ? next.review : previous.review,
    };
    // Any edit drops a scheduler's claim: the post is judged afresh at its (maybe new) time.
    await tx.run(
      `UPDATE posts SET seq = ?, blocks = ?, status = ?, pinned = ?, key_event = ?, updated_at = ?, created_at = ?,
         publish_at = ?, tags = ?, correction = ?, approved_by = ?, review = ?, claimed_by = NULL, claim_until = NULL
       WHERE id = ?`,
      [
        seq,
        jsonParam(post.blocks),
        post.status,
        post.pinned,
        post.keyEvent,
        post.updatedAt,
        post.createdAt,
        post.publishAt,
        jsonParam(post.tags),
        jsonOrNull(post.correction),
        jsonOrNull(post.approvedBy),
        jsonOrNull(post.review),
        postId,
      ],
    );
    await writeTags(tx, post);
    // Every change to a published post keeps a revision, in the same transaction.
    if (previous.status === 'published')
      await insertRevision(tx, previous, post, seq, opts.by ?? previous.author, next.updatedAt);
    if (!type) return { post, previous, event: null };
    if (type === 'post.deleted') await tombstoneEarlierEvents(tx, db.dialect, blogId, postId);
    const event = makeEvent(blogId, seq, type, type === 'post.deleted' ? { id: postId } : post, next.updatedAt);
    await appendEvent(tx, event);
    return { post, previous, event };
  }, 'post');
}

/** The row stays as a tombstone (status 'deleted') with its content emptied. */
export function deletePost(
  db: SqlDb,
  blogId: string,
  postId: string,
  now: string,
  opts: WriteGuard = {},
): Promise<{ previous: Post; event: LiveEvent | null }> {
  return db.write(async (tx) => {
    await insertAudit(tx, opts.audit, now);
    const previous = await lockLivePost(tx, db.dialect, blogId, postId);
    assertUnchanged(previous, opts.expectedUpdatedAt);
    const published = previous.status === 'published';
    await tx.run('DELETE FROM post_tags WHERE post_id = ?', [postId]);
    const seq = published ? await bump(tx, blogId) : previous.seq;
    await tx.run(`UPDATE posts SET status = 'deleted', seq = ?, blocks = '[]', updated_at = ? WHERE id = ?`, [
      seq,
      now,
      postId,
    ]);
    if (!published) return { previous, event: null };
    await tombstoneEarlierEvents(tx, db.dialect, blogId, postId);
    const event = makeEvent(blogId, seq, 'post.deleted', { id: postId }, now);
    await appendEvent(tx, event);
    return { previous, event };
  }, 'post');
}

export async function getPost(
  db: SqlDb,
  blogId: string,
  postId: string,
  opts: { includeDrafts?: boolean } = {},
): Promise<Post | null> {
  const row = await db.one<PostRow>(
    `SELECT ${POST_COLUMNS} FROM posts WHERE id = ? AND blog_id = ? AND status <> 'deleted'`,
    [postId, blogId],
  );
  if (!row || (row.status !== 'published' && !opts.includeDrafts)) return null;
  return toPost(row);
}

type ListOpts = {
  limit: number;
  before?: string | undefined;
  status?: PostStatus | undefined;
  tag?: string | undefined;
  keyEvents?: boolean | undefined;
  order?: 'newest' | 'oldest' | undefined;
};

/*
 * The unfiltered newest-first page queries (listPosts builds exactly these texts when no
 * filter and no order is asked for), exported so test/integration/deep-history.test.ts EXPLAINs exactly what
 * runs. Each walks `posts_newest` (blog_id, status, pinned, created_at DESC, id DESC) from
 * its start or from the cursor and stops after LIMIT rows: a page 19,000 posts deep costs
 * what page one costs (bench/store/deep-history.ts measures it).
 */
const NEWEST = 'ORDER BY created_at DESC, id DESC';
const FIRST_PAGE_HALF = `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = ? AND status = ? AND pinned = ?`;
/** Params: blogId, status, pinned, limit. */
export const FIRST_PAGE_HALF_SQL = `${FIRST_PAGE_HALF} ${NEWEST} LIMIT ?`;
/** Params: blogId, status, pinned (false), cursor createdAt, cursor id, limit. */
export const OLDER_PAGE_SQL = `${FIRST_PAGE_HALF} AND (created_at, id) < (?, ?) ${NEWEST} LIMIT ?`;
/** PostgreSQL's page one in one statement. Params: blogId, status, true, pins, blogId, status, false, limit. */
export const FIRST_PAGE_PG_SQL = (() => {
  const half = (part: 0 | 1) =>
    `SELECT * FROM (SELECT ${POST_COLUMNS}, ${part} AS part FROM posts
     WHERE blog_id = ? AND status = ? AND pinned = ? ${NEWEST} LIMIT ?) AS half${part}`;
  return `${half(0)} UNION ALL ${half(1)} ORDER BY part, created_at DESC, id DESC`;
})();

export async function listPosts(db: SqlDb, blogId: string, opts: ListOpts): Promise<PostsPage> {
  const cursor = opts.before !== undefined ? decodeCursor(opts.before) : null;
  const status = opts.status ?? 'published';
  const limit = Math.max(1, Math.floor(opts.limit));
  const dir = opts.order === 'oldest' ? 'ASC' : 'DESC';
  const order = `ORDER BY created_at ${dir}, id ${dir}`;
  await blogSeq(db, blogId);
  // Filters are fixed SQL with bound values; only their presence changes the text.
  const filter = `${opts.tag !== undefined ? ' AND id IN (SELECT post_id FROM post_tags WHERE blog_id = ? AND tag = ?)' : ''}${opts.keyEvents ? ' AND key_event = ?' : ''}`;
  const filterArgs: SqlParam[] = [
    ...(opts.tag !== undefined ? [blogId, opts.tag] : []),
    ...(opts.keyEvents ? [true] : []),
  ];
  const half = `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = ? AND status = ? AND pinned = ?${filter}`;
  let pinned: PostRow[] = [];
  let rows: PostRow[];
  if (cursor) {
    rows = await db.all<PostRow>(`${half} AND (created_at, id) ${dir === 'ASC' ? '>' : '<'} (?, ?) ${order} LIMIT ?`, [
      blogId,
      status,
      false,
      ...filterArgs,
      cursor.createdAt,
      cursor.id,
      limit + 1,
    ]);
  } else if (db.dialect.snapshotReads) {
    // SQLite: the two halves in one read transaction see one snapshot, and two plain
    // statements are cheaper there than the compound one.
    [pinned, rows] = await db.read(async (tx) => [
      await tx.all<PostRow>(`${half} ${order} LIMIT ?`, [blogId, status, true, ...filterArgs, MAX_PINNED]),
      await tx.all<PostRow>(`${half} ${order} LIMIT ?`, [blogId, status, false, ...filterArgs, limit + 1]),
    ]);
  } else {
    // PostgreSQL: both halves in ONE statement, so both see the same snapshot without a
    // transaction: a pin committing between two queries would show a post twice on page
    // one, or not at all.
    const part = (n: 0 | 1) =>
      `SELECT * FROM (SELECT ${POST_COLUMNS}, ${n} AS part FROM posts
       WHERE blog_id = ? AND status = ? AND pinned = ?${filter} ${order} LIMIT ?) AS half${n}`;
    const both = await db.all<PostRow & { part: number }>(
      `${part(0)} UNION ALL ${part(1)} ORDER BY part, created_at ${dir}, id ${dir}`,
      [blogId, status, true, ...filterArgs, MAX_PINNED, blogId, status, false, ...filterArgs, limit + 1],
    );
    pinned = both.filter((r) => Number(r.part) === 0);
    rows = both.filter((r) => Number(r.part) === 1);
  }
  const page = rows.slice(0, limit).map(toPost);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
  return { posts: [...pinned.map(toPost), ...page], nextCursor };
}

const jsonOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : jsonParam(v));

/** One row per tag, so `?tag=` is an indexed join. A new post has no rows to delete. */
async function writeTags(tx: Sql, post: Post, fresh = false): Promise<void> {
  if (!fresh) await tx.run('DELETE FROM post_tags WHERE post_id = ?', [post.id]);
  for (const tag of post.tags) {
    await tx.run('INSERT INTO post_tags (blog_id, tag, post_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
      post.blogId,
      tag,
      post.id,
    ]);
  }
}

export async function insertRevision(
  tx: Sql,
  previous: Post,
  post: Post,
  seq: number,
  by: Author,
  at: string,
): Promise<void> {
  const changed = changedFields(previous, post);
  await tx.run(
    `INSERT INTO post_revisions (id, blog_id, post_id, at, by_id, by_name, seq, changed, correction, before, after)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      revisionId(post.id, seq),
      post.blogId,
      post.id,
      at,
      by.id,
      by.name,
      seq,
      jsonParam(changed),
      changed.includes('correction') ? jsonOrNull(post.correction) : null,
      jsonParam(previous.blocks),
      jsonParam(post.blocks),
    ],
  );
}

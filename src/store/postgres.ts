import {
  type Author,
  type Blog,
  type BlogPatchInput,
  type Bullet,
  type Changes,
  conflict,
  type LiveEvent,
  type Member,
  type NewBlog,
  notFound,
  type Post,
  type PostStatus,
  type PostsPage,
  type Revision,
  type Role,
  type StoredBlog,
  type StoredPost,
  type StoredPostsPage,
  type Summary,
  type SummaryHistoryEntry,
  type User,
} from '../domain/index.js';
import type { PostChange } from '../domain/posts.js';
import type { ScheduleClaim } from '../scheduler/types.js';
import { PgDb, type PgDbOptions, type Queryable } from './postgres-db.js';
import {
  assertUnchanged,
  BLOG_COLUMNS,
  BLOG_FROM,
  type BlogRow,
  blogStatusColumns,
  bytes,
  changedFields,
  decodeCursor,
  type EventRow,
  encodeCursor,
  iso,
  json,
  jsonCol,
  MAX_PINNED,
  type MemberRow,
  makeEvent,
  POST_COLUMNS,
  type PostRow,
  pickPost,
  postTransition,
  type RevisionRow,
  revisionId,
  type SummaryRow,
  sameBullets,
  toBlog,
  toEvent,
  toHistoryEntry,
  toMember,
  toPost,
  toRevision,
  toUser,
  type UserRow,
} from './rows.js';
import type { DocState, Store, WriteGuard } from './types.js';

export type PostgresStoreOptions = PgDbOptions;

/** First half of the per-blog advisory lock that keeps doc row ids in commit order. */
const DOC_LOCK_CLASS = 727_274;

/**
 * The shared store for several nodes (pg.Pool). A blog's seq is bumped with
 * `UPDATE blogs SET seq = seq + 1 … RETURNING seq` inside the change's transaction: the row
 * lock makes writers of one blog take turns across nodes, so seqs stay gap-free.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly db: PgDb;

  constructor(opts: PostgresStoreOptions) {
    this.db = new PgDb(opts);
  }

  migrate(): Promise<void> {
    return this.db.migrate();
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.db.close();
  }

  // ── helpers used inside transactions ──────────────────────────────────────────────

  private async blogRowById(c: Queryable, id: string): Promise<BlogRow | undefined> {
    return (await c.query<BlogRow>(`SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = $1`, [id])).rows[0];
  }

  private async requireBlogSeq(c: Queryable, blogId: string, lock = false): Promise<number> {
    const row = (
      await c.query<{ seq: number }>(`SELECT seq FROM blogs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [blogId])
    ).rows[0];
    if (!row) throw notFound('blog');
    return row.seq;
  }

  /** The next seq of a blog; holds the blog row lock until the transaction ends. */
  private async bump(c: Queryable, blogId: string): Promise<number> {
    const row = (await c.query<{ seq: number }>('UPDATE blogs SET seq = seq + 1 WHERE id = $1 RETURNING seq', [blogId]))
      .rows[0];
    if (!row) throw notFound('blog');
    return row.seq;
  }

  private async insertEvent(c: Queryable, e: LiveEvent): Promise<void> {
    await c.query('INSERT INTO events (blog_id, seq, type, data, at) VALUES ($1, $2, $3, $4::jsonb, $5)', [
      e.blogId,
      e.seq,
      e.type,
      JSON.stringify(e.data),
      e.at,
    ]);
  }

  /** The post row, locked so concurrent edits of one post see each other's result. */
  private async lockLivePost(c: Queryable, blogId: string, postId: string): Promise<PostRow | undefined> {
    return (
      await c.query<PostRow>(
        `SELECT ${POST_COLUMNS} FROM posts WHERE id = $1 AND blog_id = $2 AND status <> 'deleted' FOR UPDATE`,
        [postId, blogId],
      )
    ).rows[0];
  }

  /** One row per tag, so `?tag=` is an indexed join. */
  private async writeTags(c: Queryable, post: StoredPost, status: string, fresh = false): Promise<void> {
    // A new post has no rows yet: no delete (a round trip less on the hottest write).
    if (!fresh) await c.query('DELETE FROM post_tags WHERE post_id = $1', [post.id]);
    if (status === 'deleted' || post.tags.length === 0) return;
    await c.query(
      `INSERT INTO post_tags (blog_id, tag, post_id) SELECT $1, t, $2 FROM unnest($3::text[]) AS t ON CONFLICT DO NOTHING`,
      [post.blogId, post.id, post.tags],
    );
  }

  private async insertRevision(
    c: Queryable,
    previous: StoredPost,
    post: StoredPost,
    seq: number,
    by: Author,
    at: string,
  ): Promise<void> {
    const changed = changedFields(previous, post);
    await c.query(
      `INSERT INTO post_revisions (id, blog_id, post_id, at, by_id, by_name, seq, changed, correction, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb)`,
      [
        revisionId(post.id, seq),
        post.blogId,
        post.id,
        at,
        by.id,
        by.name,
        seq,
        JSON.stringify(changed),
        changed.includes('correction') ? jsonCol(post.correction) : null,
        JSON.stringify(previous.blocks),
        JSON.stringify(post.blocks),
      ],
    );
  }

  // ── blogs ─────────────────────────────────────────────────────────────────────────

  async createBlog(blog: NewBlog, now: string): Promise<StoredBlog> {
    return this.db.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM blogs WHERE slug = $1', [blog.slug])).rowCount) {
        throw conflict(`slug "${blog.slug}" is already taken`, { field: 'slug' });
      }
      await c.query(
        `INSERT INTO blogs (id, slug, title, description, status, seq, allowed_origins, created_at, updated_at,
           order_mode, language, ended_at, archived_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6::jsonb, $7, $7, $8, $9, $10, $11)`,
        [
          blog.id,
          blog.slug,
          blog.title,
          blog.description,
          blog.status === 'archived' ? 'ended' : blog.status,
          JSON.stringify(blog.allowedOrigins),
          now,
          blog.order ?? 'newest',
          blog.language ?? 'en',
          blog.status === 'ended' || blog.status === 'archived' ? now : null,
          blog.status === 'archived' ? now : null,
        ],
      );
      return toBlog((await this.blogRowById(c, blog.id))!);
    }, 'blog');
  }

  async getBlog(idOrSlug: string): Promise<StoredBlog | null> {
    const [row] = await this.db.query<BlogRow>(
      `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = $1 OR b.slug = $1 ORDER BY b.id = $1 DESC LIMIT 1`,
      [idOrSlug],
    );
    return row ? toBlog(row) : null;
  }

  async listBlogs(opts: { limit: number; offset?: number }): Promise<StoredBlog[]> {
    const rows = await this.db.query<BlogRow>(
      `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} ORDER BY b.created_at DESC, b.id DESC LIMIT $1 OFFSET $2`,
      [opts.limit, opts.offset ?? 0],
    );
    return rows.map(toBlog);
  }

  async updateBlog(
    blogId: string,
    patch: BlogPatchInput,
    now: string,
  ): Promise<{ blog: StoredBlog; event: LiveEvent }> {
    return this.db.tx(async (c) => {
      // Bump first: the row lock makes a concurrent update wait, so we merge onto the latest blog.
      const seq = await this.bump(c, blogId);
      const row = (await this.blogRowById(c, blogId))!;
      const cur = toBlog(row);
      if (patch.slug !== undefined && patch.slug !== cur.slug) {
        if ((await c.query('SELECT 1 FROM blogs WHERE slug = $1 AND id <> $2', [patch.slug, blogId])).rowCount) {
          throw conflict(`slug "${patch.slug}" is already taken`, { field: 'slug' });
        }
      }
      const cols = blogStatusColumns(
        cur,
        {
          status: row.status,
          ended_at: row.ended_at === null ? null : iso(row.ended_at),
          archived_at: row.archived_at === null ? null : iso(row.archived_at),
        },
        patch.status,
        now,
      );
      await c.query(
        `UPDATE blogs SET slug = $1, title = $2, description = $3, status = $4, allowed_origins = $5::jsonb, updated_at = $6,
           order_mode = $8, language = $9, ended_at = $10, archived_at = $11
         WHERE id = $7`,
        [
          patch.slug ?? cur.slug,
          patch.title ?? cur.title,
          patch.description ?? cur.description,
          cols.status,
          JSON.stringify(patch.allowedOrigins ?? cur.allowedOrigins),
          now,
          blogId,
          patch.order ?? cur.order ?? 'newest',
          patch.language ?? cur.language ?? 'en',
          cols.endedAt,
          cols.archivedAt,
        ],
      );
      const blog = toBlog((await this.blogRowById(c, blogId))!);
      const event = makeEvent(blogId, seq, 'blog.updated', blog, now);
      await this.insertEvent(c, event);
      return { blog, event };
    }, 'blog');
  }

  // ── posts ─────────────────────────────────────────────────────────────────────────

  async createPost(input: Omit<Post, 'seq'>): Promise<{ post: StoredPost; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      const published = input.status === 'published';
      if (!published) await this.requireBlogSeq(c, input.blogId);
      const seq = published ? await this.bump(c, input.blogId) : 0;
      const post: StoredPost = { ...pickPost(input), seq };
      await c.query(
        `INSERT INTO posts (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks,
           publish_at, tags, correction, approved_by, review)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13::jsonb, $14::jsonb, $15::jsonb, $16::jsonb)`,
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
          JSON.stringify(post.blocks),
          post.publishAt,
          JSON.stringify(post.tags),
          jsonCol(post.correction),
          jsonCol(post.approvedBy),
          jsonCol(post.review),
        ],
      );
      await this.writeTags(c, post, post.status, true);
      if (!published) return { post, event: null };
      const event = makeEvent(post.blogId, seq, 'post.created', post, post.updatedAt);
      await this.insertEvent(c, event);
      return { post, event };
    }, 'post');
  }

  async updatePost(
    blogId: string,
    postId: string,
    next: PostChange,
    opts: WriteGuard & { by?: Author } = {},
  ): Promise<{ post: StoredPost; previous: StoredPost; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      const row = await this.lockLivePost(c, blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
      const type = postTransition(previous.status, next.status);
      const seq = type ? await this.bump(c, blogId) : previous.seq;
      const post: StoredPost = {
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
      await c.query(
        `UPDATE posts SET seq = $1, blocks = $2::jsonb, status = $3, pinned = $4, key_event = $5, updated_at = $6,
         created_at = $7, publish_at = $9, tags = $10::jsonb, correction = $11::jsonb, approved_by = $12::jsonb,
         review = $13::jsonb, claimed_by = NULL, claim_until = NULL WHERE id = $8`,
        [
          seq,
          JSON.stringify(post.blocks),
          post.status,
          post.pinned,
          post.keyEvent,
          post.updatedAt,
          post.createdAt,
          postId,
          post.publishAt,
          JSON.stringify(post.tags),
          jsonCol(post.correction),
          jsonCol(post.approvedBy),
          jsonCol(post.review),
        ],
      );
      await this.writeTags(c, post, post.status);
      if (previous.status === 'published') {
        await this.insertRevision(c, previous, post, seq, opts.by ?? previous.author, next.updatedAt);
      }
      if (!type) return { post, previous, event: null };
      const event = makeEvent(blogId, seq, type, type === 'post.deleted' ? { id: postId } : post, next.updatedAt);
      await this.insertEvent(c, event);
      return { post, previous, event };
    }, 'post');
  }

  async deletePost(
    blogId: string,
    postId: string,
    now: string,
    opts: WriteGuard = {},
  ): Promise<{ previous: StoredPost; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      const row = await this.lockLivePost(c, blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
      await c.query('DELETE FROM post_tags WHERE post_id = $1', [postId]);
      if (previous.status !== 'published') {
        await c.query(`UPDATE posts SET status = 'deleted', updated_at = $1 WHERE id = $2`, [now, postId]);
        return { previous, event: null };
      }
      const seq = await this.bump(c, blogId);
      await c.query(`UPDATE posts SET status = 'deleted', seq = $1, updated_at = $2 WHERE id = $3`, [seq, now, postId]);
      const event = makeEvent(blogId, seq, 'post.deleted', { id: postId }, now);
      await this.insertEvent(c, event);
      return { previous, event };
    }, 'post');
  }

  async getPost(blogId: string, postId: string, opts: { includeDrafts?: boolean } = {}): Promise<StoredPost | null> {
    const [row] = await this.db.query<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts WHERE id = $1 AND blog_id = $2 AND status <> 'deleted'`,
      [postId, blogId],
    );
    if (!row || (row.status !== 'published' && !opts.includeDrafts)) return null;
    return toPost(row);
  }

  async listPosts(
    blogId: string,
    opts: {
      limit: number;
      before?: string | undefined;
      status?: PostStatus | undefined;
      tag?: string | undefined;
      keyEvents?: boolean | undefined;
      order?: 'newest' | 'oldest' | undefined;
    },
  ): Promise<StoredPostsPage> {
    const cursor = opts.before !== undefined ? decodeCursor(opts.before) : null;
    const status = opts.status ?? 'published';
    const limit = Math.max(1, Math.floor(opts.limit));
    const exists = await this.db.query('SELECT 1 FROM blogs WHERE id = $1', [blogId]);
    if (exists.length === 0) throw notFound('blog');
    const oldest = opts.order === 'oldest';
    const dir = oldest ? 'ASC' : 'DESC';
    const order = `ORDER BY created_at ${dir}, id ${dir}`;
    // Filters are fixed SQL with bound values; only their presence changes the text.
    const args: unknown[] = [blogId, status];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    const filter = `${opts.tag !== undefined ? ` AND id IN (SELECT post_id FROM post_tags WHERE blog_id = $1 AND tag = ${arg(opts.tag)})` : ''}${opts.keyEvents ? ' AND key_event' : ''}`;
    const base = `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = $1 AND status = $2${filter}`;
    let pinned: PostRow[] = [];
    let rows: PostRow[];
    if (cursor) {
      const at = arg(cursor.createdAt);
      const id = arg(cursor.id);
      const lim = arg(limit + 1);
      rows = await this.db.query<PostRow>(
        `${base} AND NOT pinned AND (created_at, id) ${oldest ? '>' : '<'} (${at}::timestamptz, ${id}) ${order} LIMIT ${lim}`,
        args,
      );
    } else {
      // Pinned and unpinned parts in ONE statement, so both see the same snapshot: a pin
      // committing between two queries would show a post twice on page one, or not at all.
      const part = (n: 0 | 1, pinnedCond: string, limitParam: string) =>
        `(SELECT ${POST_COLUMNS}, ${n} AS part FROM posts WHERE blog_id = $1 AND status = $2${filter} AND ${pinnedCond} ${order} LIMIT ${limitParam})`;
      const maxPinned = arg(MAX_PINNED);
      const lim = arg(limit + 1);
      const both = await this.db.query<PostRow & { part: number }>(
        `${part(0, 'pinned', maxPinned)} UNION ALL ${part(1, 'NOT pinned', lim)} ORDER BY part, created_at ${dir}, id ${dir}`,
        args,
      );
      pinned = both.filter((r) => Number(r.part) === 0);
      rows = both.filter((r) => Number(r.part) === 1);
    }
    const page = rows.slice(0, limit).map(toPost);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
    return { posts: [...pinned.map(toPost), ...page], nextCursor };
  }

  async listRevisions(blogId: string, postId: string, opts: { limit: number }): Promise<Revision[]> {
    const exists = await this.db.query('SELECT 1 FROM blogs WHERE id = $1', [blogId]);
    if (exists.length === 0) throw notFound('blog');
    const rows = await this.db.query<RevisionRow>(
      `SELECT id, blog_id, post_id, at, by_id, by_name, seq, changed, correction, before, after
       FROM post_revisions WHERE blog_id = $1 AND post_id = $2 ORDER BY at DESC, seq DESC LIMIT $3`,
      [blogId, postId, Math.max(1, Math.floor(opts.limit))],
    );
    return rows.map(toRevision);
  }

  // ── scheduled posts: claims across nodes ─────────────────────────────────────────

  /**
   * One statement: due rows nobody holds (or whose holder's lease ran out), oldest due
   * first, locked with SKIP LOCKED so concurrent claimers on other nodes take other rows,
   * marked as ours in the same UPDATE … RETURNING.
   */
  async claimDuePosts(now: string, opts: { nodeId: string; limit: number; leaseMs: number }): Promise<ScheduleClaim[]> {
    const leaseUntil = new Date(Date.parse(now) + opts.leaseMs).toISOString();
    const rows = await this.db.query<{ blog_id: string; id: string; publish_at: Date | string }>(
      `UPDATE posts SET claimed_by = $1, claim_until = $2
       WHERE id IN (
         SELECT id FROM posts
         WHERE status = 'scheduled' AND publish_at <= $3 AND (claim_until IS NULL OR claim_until < $3)
         ORDER BY publish_at, id LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING blog_id, id, publish_at`,
      [opts.nodeId, leaseUntil, now, Math.max(1, opts.limit)],
    );
    return rows
      .map((r) => ({ blogId: r.blog_id, postId: r.id, publishAt: iso(r.publish_at), leaseUntil }))
      .sort((a, b) => (a.publishAt < b.publishAt ? -1 : a.publishAt > b.publishAt ? 1 : 0));
  }

  /** Publishes a claimed post if it is still scheduled, due and ours (checked under its row lock). */
  async publishClaimed(
    claim: ScheduleClaim,
    nodeId: string,
    now: string,
  ): Promise<{ post: StoredPost; event: LiveEvent } | null> {
    return this.db.tx(async (c) => {
      const row = (
        await c.query<PostRow>(
          `SELECT ${POST_COLUMNS} FROM posts WHERE id = $1 AND blog_id = $2 AND status = 'scheduled'
           AND publish_at <= $3 AND claimed_by = $4 FOR UPDATE`,
          [claim.postId, claim.blogId, now, nodeId],
        )
      ).rows[0];
      if (!row) return null;
      const previous = toPost(row);
      const seq = await this.bump(c, claim.blogId);
      // Its "posted at" is its publication: it lands on top, after everything already out.
      const post: StoredPost = {
        ...previous,
        seq,
        status: 'published',
        publishAt: null,
        createdAt: now,
        updatedAt: now,
      };
      await c.query(
        `UPDATE posts SET seq = $1, status = 'published', publish_at = NULL, created_at = $2, updated_at = $2,
           claimed_by = NULL, claim_until = NULL WHERE id = $3`,
        [seq, now, claim.postId],
      );
      const event = makeEvent(claim.blogId, seq, 'post.created', post, now);
      await this.insertEvent(c, event);
      return { post, event };
    }, 'post');
  }

  async nextPublishAt(now: string): Promise<string | null> {
    const [row] = await this.db.query<{ at: Date | string | null }>(
      `SELECT MIN(CASE WHEN claim_until IS NOT NULL AND claim_until >= $1 THEN claim_until ELSE publish_at END) AS at
       FROM posts WHERE status = 'scheduled'`,
      [now],
    );
    return row?.at ? iso(row.at) : null;
  }

  // ── change log ────────────────────────────────────────────────────────────────────

  async listChanges(blogId: string, since: number, opts: { limit: number; replayWindow: number }): Promise<Changes> {
    const [blog] = await this.db.query<{ seq: number }>('SELECT seq FROM blogs WHERE id = $1', [blogId]);
    if (!blog) throw notFound('blog');
    const head = blog.seq;
    if (since > head || since < head - opts.replayWindow) return { seq: head, reset: true };
    // Bounded by head: events committed after we read it belong to the next call.
    const rows = await this.db.query<EventRow>(
      'SELECT blog_id, seq, type, data, at FROM events WHERE blog_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4',
      [blogId, since, head, Math.max(1, Math.floor(opts.limit))],
    );
    return { seq: head, events: rows.map(toEvent) };
  }

  // ── summary ───────────────────────────────────────────────────────────────────────

  async publishSummary(
    blogId: string,
    bullets: Bullet[],
    now: string,
  ): Promise<{ summary: Summary; event: LiveEvent } | null> {
    const clean = bullets.map((b) => ({ html: b.html, text: b.text }));
    return this.db.tx(async (c) => {
      // Lock the blog before comparing, so two nodes publishing the same bullets emit once.
      await this.requireBlogSeq(c, blogId, true);
      const [cur] = (await c.query<{ bullets: unknown }>('SELECT bullets FROM summary WHERE blog_id = $1', [blogId]))
        .rows;
      if (sameBullets(cur ? json<Bullet[]>(cur.bullets) : [], clean)) return null;
      const seq = await this.bump(c, blogId);
      const text = JSON.stringify(clean);
      await c.query(
        `INSERT INTO summary (blog_id, seq, bullets, updated_at) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (blog_id) DO UPDATE SET seq = excluded.seq, bullets = excluded.bullets, updated_at = excluded.updated_at`,
        [blogId, seq, text, now],
      );
      await c.query('INSERT INTO summary_history (blog_id, seq, bullets, at) VALUES ($1, $2, $3::jsonb, $4)', [
        blogId,
        seq,
        text,
        now,
      ]);
      const summary: Summary = { seq, bullets: clean, updatedAt: now };
      const event = makeEvent(blogId, seq, 'summary.updated', summary, now);
      await this.insertEvent(c, event);
      return { summary, event };
    }, 'summary');
  }

  async getSummary(blogId: string): Promise<Summary> {
    const [row] = await this.db.query<BlogRow>(`SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = $1`, [blogId]);
    if (!row) throw notFound('blog');
    return toBlog(row).summary;
  }

  async listSummaryHistory(blogId: string, opts: { limit: number }): Promise<SummaryHistoryEntry[]> {
    const exists = await this.db.query('SELECT 1 FROM blogs WHERE id = $1', [blogId]);
    if (exists.length === 0) throw notFound('blog');
    const rows = await this.db.query<SummaryRow>(
      'SELECT seq, bullets, at FROM summary_history WHERE blog_id = $1 ORDER BY seq DESC LIMIT $2',
      [blogId, opts.limit],
    );
    return rows.map(toHistoryEntry);
  }

  // ── collaborative doc ─────────────────────────────────────────────────────────────

  /**
   * Per-blog advisory lock for doc writes: row ids of one blog then commit in id order, so a
   * reader never sees row N+1 without row N, and a compaction up to N can never skip a row
   * that commits later with a smaller id.
   */
  private async lockDoc(c: Queryable, blogId: string): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DOC_LOCK_CLASS, blogId]);
  }

  async appendDocUpdates(blogId: string, updates: Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return [];
    return this.db.tx(async (c) => {
      await this.lockDoc(c, blogId);
      await this.requireBlogSeq(c, blogId);
      const res = await c.query<{ id: string }>(
        'INSERT INTO doc_updates (blog_id, data) SELECT $1, d FROM unnest($2::bytea[]) WITH ORDINALITY AS u(d, n) ORDER BY n RETURNING id',
        [blogId, updates.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength))],
      );
      return res.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    }, 'doc update');
  }

  async loadDoc(blogId: string, opts: { afterId?: number } = {}): Promise<DocState> {
    // One snapshot of the database: a compaction between the two reads cannot lose rows.
    return this.db.tx(
      async (c) => {
        const [snap] = (
          await c.query<{ data: Buffer; up_to_id: string }>(
            'SELECT data, up_to_id FROM doc_snapshots WHERE blog_id = $1',
            [blogId],
          )
        ).rows;
        const snapshotUpToId = snap ? Number(snap.up_to_id) : 0;
        const from = Math.max(snapshotUpToId, opts.afterId ?? 0);
        const rows = (
          await c.query<{ id: string; data: Buffer }>(
            'SELECT id, data FROM doc_updates WHERE blog_id = $1 AND id > $2 ORDER BY id',
            [blogId, from],
          )
        ).rows;
        return {
          snapshot: snap ? bytes(snap.data) : null,
          snapshotUpToId,
          updates: rows.map((r) => ({ id: Number(r.id), data: bytes(r.data) })),
        };
      },
      'doc',
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  async compactDoc(blogId: string, snapshot: Uint8Array, upToId: number): Promise<void> {
    await this.db.tx(async (c) => {
      await this.lockDoc(c, blogId);
      await this.requireBlogSeq(c, blogId);
      const [cur] = (
        await c.query<{ up_to_id: string }>('SELECT up_to_id FROM doc_snapshots WHERE blog_id = $1', [blogId])
      ).rows;
      if (cur && Number(cur.up_to_id) > upToId) {
        throw conflict('the doc was already compacted past this point', { current: Number(cur.up_to_id), upToId });
      }
      await c.query(
        `INSERT INTO doc_snapshots (blog_id, data, up_to_id) VALUES ($1, $2, $3)
         ON CONFLICT (blog_id) DO UPDATE SET data = excluded.data, up_to_id = excluded.up_to_id`,
        [blogId, Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), upToId],
      );
      await c.query('DELETE FROM doc_updates WHERE blog_id = $1 AND id <= $2', [blogId, upToId]);
    }, 'doc snapshot');
  }

  // ── users and roles ───────────────────────────────────────────────────────────────

  async createUser(user: User, tokenHash: string): Promise<User> {
    await this.db.query(
      'INSERT INTO users (id, name, color, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
      [user.id, user.name, user.color, tokenHash, user.createdAt],
      'user',
    );
    return { id: user.id, name: user.name, color: user.color, createdAt: user.createdAt };
  }

  async getUserByTokenHash(tokenHash: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow>('SELECT id, name, color, created_at FROM users WHERE token_hash = $1', [
      tokenHash,
    ]);
    return row ? toUser(row) : null;
  }

  async getUser(userId: string): Promise<User | null> {
    const [row] = await this.db.query<UserRow>('SELECT id, name, color, created_at FROM users WHERE id = $1', [userId]);
    return row ? toUser(row) : null;
  }

  async listUsers(): Promise<User[]> {
    return (await this.db.query<UserRow>('SELECT id, name, color, created_at FROM users ORDER BY created_at, id')).map(
      toUser,
    );
  }

  async setMember(blogId: string, userId: string, role: Role): Promise<Member> {
    return this.db.tx(async (c) => {
      await this.requireBlogSeq(c, blogId);
      const [user] = (await c.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [userId])).rows;
      if (!user) throw notFound('user');
      await c.query(
        `INSERT INTO members (blog_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (blog_id, user_id) DO UPDATE SET role = excluded.role`,
        [blogId, userId, role],
      );
      return { blogId, userId, role, name: user.name };
    }, 'member');
  }

  async removeMember(blogId: string, userId: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM members WHERE blog_id = $1 AND user_id = $2 RETURNING 1', [
      blogId,
      userId,
    ]);
    return rows.length > 0;
  }

  async listMembers(blogId: string): Promise<Member[]> {
    const exists = await this.db.query('SELECT 1 FROM blogs WHERE id = $1', [blogId]);
    if (exists.length === 0) throw notFound('blog');
    const rows = await this.db.query<MemberRow>(
      `SELECT m.blog_id, m.user_id, m.role, u.name FROM members m JOIN users u ON u.id = m.user_id
       WHERE m.blog_id = $1 ORDER BY u.name, m.user_id`,
      [blogId],
    );
    return rows.map(toMember);
  }

  async getRole(blogId: string, userId: string): Promise<Role | null> {
    const [row] = await this.db.query<{ role: Role }>('SELECT role FROM members WHERE blog_id = $1 AND user_id = $2', [
      blogId,
      userId,
    ]);
    return row?.role ?? null;
  }

  // ── settings ──────────────────────────────────────────────────────────────────────

  async getSetting(key: string): Promise<string | null> {
    const [row] = await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return row?.value ?? null;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    // One statement: the insert either wins or the row another writer committed is read back.
    const [row] = await this.db.query<{ value: string }>(
      `WITH ins AS (INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
       SELECT value FROM ins UNION ALL SELECT value FROM settings WHERE key = $1 LIMIT 1`,
      [key, value],
    );
    if (row) return row.value;
    // The conflicting insert committed after our statement's snapshot: read it now.
    const [again] = await this.db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    if (!again) throw new Error(`setting ${key} vanished`);
    return again.value;
  }
}

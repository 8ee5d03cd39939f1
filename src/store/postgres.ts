import {
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
  type PostsPage,
  type Role,
  type Summary,
  type SummaryHistoryEntry,
  type User,
} from '../domain/index.js';
import { PgDb, type PgDbOptions, type Queryable } from './postgres-db.js';
import { PostgresIdentity } from './postgres-identity.js';
import {
  assertUnchanged,
  BLOG_COLUMNS,
  BLOG_FROM,
  type BlogRow,
  bytes,
  decodeCursor,
  type EventRow,
  encodeCursor,
  json,
  MAX_PINNED,
  type MemberRow,
  makeEvent,
  POST_COLUMNS,
  type PostRow,
  pickPost,
  postTransition,
  type SummaryRow,
  sameBullets,
  toBlog,
  toEvent,
  toHistoryEntry,
  toMember,
  toPost,
  toUser,
  type UserRow,
} from './rows.js';
import type {
  AccountPatch,
  AuditContext,
  DocState,
  ExternalAccountInput,
  NewAccount,
  NewCredential,
  NewInvitation,
  Store,
  WriteGuard,
} from './types.js';

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

  private readonly identity: PostgresIdentity;

  constructor(opts: PostgresStoreOptions) {
    this.db = new PgDb(opts);
    this.identity = new PostgresIdentity(this.db);
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

  // ── blogs ─────────────────────────────────────────────────────────────────────────

  async createBlog(blog: NewBlog, now: string, opts: WriteGuard = {}): Promise<Blog> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, now);
      if ((await c.query('SELECT 1 FROM blogs WHERE slug = $1', [blog.slug])).rowCount) {
        throw conflict(`slug "${blog.slug}" is already taken`, { field: 'slug' });
      }
      await c.query(
        `INSERT INTO blogs (id, slug, title, description, status, seq, allowed_origins, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6::jsonb, $7, $7)`,
        [blog.id, blog.slug, blog.title, blog.description, blog.status, JSON.stringify(blog.allowedOrigins), now],
      );
      return toBlog((await this.blogRowById(c, blog.id))!);
    }, 'blog');
  }

  async getBlog(idOrSlug: string): Promise<Blog | null> {
    const [row] = await this.db.query<BlogRow>(
      `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = $1 OR b.slug = $1 ORDER BY b.id = $1 DESC LIMIT 1`,
      [idOrSlug],
    );
    return row ? toBlog(row) : null;
  }

  async listBlogs(opts: { limit: number; offset?: number }): Promise<Blog[]> {
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
    opts: WriteGuard = {},
  ): Promise<{ blog: Blog; event: LiveEvent }> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, now);
      // Bump first: the row lock makes a concurrent update wait, so we merge onto the latest blog.
      const seq = await this.bump(c, blogId);
      const cur = toBlog((await this.blogRowById(c, blogId))!);
      if (patch.slug !== undefined && patch.slug !== cur.slug) {
        if ((await c.query('SELECT 1 FROM blogs WHERE slug = $1 AND id <> $2', [patch.slug, blogId])).rowCount) {
          throw conflict(`slug "${patch.slug}" is already taken`, { field: 'slug' });
        }
      }
      await c.query(
        `UPDATE blogs SET slug = $1, title = $2, description = $3, status = $4, allowed_origins = $5::jsonb, updated_at = $6
         WHERE id = $7`,
        [
          patch.slug ?? cur.slug,
          patch.title ?? cur.title,
          patch.description ?? cur.description,
          patch.status ?? cur.status,
          JSON.stringify(patch.allowedOrigins ?? cur.allowedOrigins),
          now,
          blogId,
        ],
      );
      const blog = toBlog((await this.blogRowById(c, blogId))!);
      const event = makeEvent(blogId, seq, 'blog.updated', blog, now);
      await this.insertEvent(c, event);
      return { blog, event };
    }, 'blog');
  }

  // ── posts ─────────────────────────────────────────────────────────────────────────

  async createPost(input: Omit<Post, 'seq'>, opts: WriteGuard = {}): Promise<{ post: Post; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, input.updatedAt);
      const published = input.status === 'published';
      if (!published) await this.requireBlogSeq(c, input.blogId);
      const seq = published ? await this.bump(c, input.blogId) : 0;
      const post: Post = { ...pickPost(input), seq };
      await c.query(
        `INSERT INTO posts (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
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
        ],
      );
      if (!published) return { post, event: null };
      const event = makeEvent(post.blogId, seq, 'post.created', post, post.updatedAt);
      await this.insertEvent(c, event);
      return { post, event };
    }, 'post');
  }

  async updatePost(
    blogId: string,
    postId: string,
    next: Pick<Post, 'blocks' | 'status' | 'pinned' | 'keyEvent' | 'updatedAt' | 'createdAt'>,
    opts: WriteGuard = {},
  ): Promise<{ post: Post; previous: Post; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, next.updatedAt);
      const row = await this.lockLivePost(c, blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
      const type = postTransition(previous.status, next.status);
      const seq = type ? await this.bump(c, blogId) : previous.seq;
      const post: Post = {
        ...previous,
        seq,
        blocks: next.blocks,
        status: next.status,
        pinned: next.pinned,
        keyEvent: next.keyEvent,
        updatedAt: next.updatedAt,
        createdAt: next.createdAt,
      };
      await c.query(
        `UPDATE posts SET seq = $1, blocks = $2::jsonb, status = $3, pinned = $4, key_event = $5, updated_at = $6,
         created_at = $7 WHERE id = $8`,
        [
          seq,
          JSON.stringify(post.blocks),
          post.status,
          post.pinned,
          post.keyEvent,
          post.updatedAt,
          post.createdAt,
          postId,
        ],
      );
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
  ): Promise<{ previous: Post; event: LiveEvent | null }> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, now);
      const row = await this.lockLivePost(c, blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
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

  async getPost(blogId: string, postId: string, opts: { includeDrafts?: boolean } = {}): Promise<Post | null> {
    const [row] = await this.db.query<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts WHERE id = $1 AND blog_id = $2 AND status <> 'deleted'`,
      [postId, blogId],
    );
    if (!row || (row.status === 'draft' && !opts.includeDrafts)) return null;
    return toPost(row);
  }

  async listPosts(
    blogId: string,
    opts: { limit: number; before?: string; status?: 'published' | 'draft' },
  ): Promise<PostsPage> {
    const cursor = opts.before !== undefined ? decodeCursor(opts.before) : null;
    const status = opts.status ?? 'published';
    const limit = Math.max(1, Math.floor(opts.limit));
    const exists = await this.db.query('SELECT 1 FROM blogs WHERE id = $1', [blogId]);
    if (exists.length === 0) throw notFound('blog');
    const order = 'ORDER BY created_at DESC, id DESC';
    const base = `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = $1 AND status = $2`;
    let pinned: PostRow[] = [];
    let rows: PostRow[];
    if (cursor) {
      rows = await this.db.query<PostRow>(
        `${base} AND NOT pinned AND (created_at, id) < ($3::timestamptz, $4) ${order} LIMIT $5`,
        [blogId, status, cursor.createdAt, cursor.id, limit + 1],
      );
    } else {
      // Pinned and unpinned parts in ONE statement, so both see the same snapshot: a pin
      // committing between two queries would show a post twice on page one, or not at all.
      const part = (n: 0 | 1, pinnedCond: string, limitParam: string) =>
        `(SELECT ${POST_COLUMNS}, ${n} AS part FROM posts WHERE blog_id = $1 AND status = $2 AND ${pinnedCond} ${order} LIMIT ${limitParam})`;
      const both = await this.db.query<PostRow & { part: number }>(
        `${part(0, 'pinned', '$3')} UNION ALL ${part(1, 'NOT pinned', '$4')} ORDER BY part, created_at DESC, id DESC`,
        [blogId, status, MAX_PINNED, limit + 1],
      );
      pinned = both.filter((r) => Number(r.part) === 0);
      rows = both.filter((r) => Number(r.part) === 1);
    }
    const page = rows.slice(0, limit).map(toPost);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
    return { posts: [...pinned.map(toPost), ...page], nextCursor };
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
    const [row] = await this.db.query<UserRow>(
      'SELECT id, name, color, created_at FROM users WHERE token_hash = $1 AND active',
      [tokenHash],
    );
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

  async setMember(blogId: string, userId: string, role: Role, opts: WriteGuard = {}): Promise<Member> {
    return this.db.tx(async (c) => {
      await this.identity.insertAudit(c, opts.audit, new Date().toISOString());
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

  async removeMember(blogId: string, userId: string, opts: WriteGuard = {}): Promise<boolean> {
    return this.db.tx(async (c) => {
      const removed = (await c.query('DELETE FROM members WHERE blog_id = $1 AND user_id = $2', [blogId, userId]))
        .rowCount;
      if (removed) await this.identity.insertAudit(c, opts.audit, new Date().toISOString());
      return (removed ?? 0) > 0;
    });
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

  // ── identity (the SQL is in postgres-identity.ts) ──────────────────────────────────────────────────

  createAccount(input: NewAccount, audit?: AuditContext) {
    return this.identity.createAccount(input, audit);
  }

  getAccount(userId: string) {
    return this.identity.getAccount(userId);
  }

  getAccountByEmail(email: string) {
    return this.identity.getAccountByEmail(email);
  }

  listAccounts() {
    return this.identity.listAccounts();
  }

  upsertExternalAccount(input: ExternalAccountInput) {
    return this.identity.upsertExternalAccount(input);
  }

  updateAccount(userId: string, patch: AccountPatch, audit?: AuditContext) {
    return this.identity.updateAccount(userId, patch, audit);
  }

  createCredential(credential: NewCredential, audit?: AuditContext) {
    return this.identity.createCredential(credential, audit);
  }

  findCredentialByHash(tokenHash: string, now: string) {
    return this.identity.findCredentialByHash(tokenHash, now);
  }

  getLiveCredential(credentialId: string, now: string) {
    return this.identity.getLiveCredential(credentialId, now);
  }

  revokeCredential(userId: string, credentialId: string, now: string, audit?: AuditContext) {
    return this.identity.revokeCredential(userId, credentialId, now, audit);
  }

  listPersonalTokens(userId: string) {
    return this.identity.listPersonalTokens(userId);
  }

  touchCredential(credentialId: string, now: string) {
    return this.identity.touchCredential(credentialId, now);
  }

  createInvitation(invitation: NewInvitation) {
    return this.identity.createInvitation(invitation);
  }

  acceptInvitation(tokenHash: string, passwordHash: string, now: string) {
    return this.identity.acceptInvitation(tokenHash, passwordHash, now);
  }

  appendAudit(audit: AuditContext, now: string) {
    return this.identity.appendAudit(audit, now);
  }

  listAudit(opts: { blogId?: string; before?: string; limit: number }) {
    return this.identity.listAudit(opts);
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

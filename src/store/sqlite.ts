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
import { SqliteDb, type SqliteDbOptions } from './sqlite-db.js';
import { SqliteIdentity } from './sqlite-identity.js';
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

export type SqliteStoreOptions = SqliteDbOptions;

/**
 * The embedded store (better-sqlite3). Calls run synchronously inside async methods; each
 * write is one BEGIN IMMEDIATE transaction (see SqliteDb), so the seq a change reads and
 * bumps is never shared with another writer, in this process or another.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDb;

  private readonly identity: SqliteIdentity;

  constructor(opts: SqliteStoreOptions) {
    this.db = new SqliteDb(opts);
    this.identity = new SqliteIdentity(this.db);
  }

  private q(sql: string) {
    return this.db.q(sql);
  }

  private write<T>(fn: () => T, what?: string): T {
    return this.db.write(fn, what);
  }

  private read<T>(fn: () => T): T {
    return this.db.read(fn);
  }

  async migrate(): Promise<void> {
    this.db.migrate();
  }

  async ping(): Promise<void> {
    this.q('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.db.close();
  }

  // ── helpers used inside transactions ──────────────────────────────────────────────

  private blogRowById(id: string): BlogRow | undefined {
    return this.q(`SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = ?`).get(id) as BlogRow | undefined;
  }

  private requireBlogSeq(blogId: string): number {
    const row = this.q('SELECT seq FROM blogs WHERE id = ?').get(blogId) as { seq: number } | undefined;
    if (!row) throw notFound('blog');
    return row.seq;
  }

  /** The next seq of a blog; must run inside a write transaction. */
  private bump(blogId: string): number {
    const row = this.q('UPDATE blogs SET seq = seq + 1 WHERE id = ? RETURNING seq').get(blogId) as
      | { seq: number }
      | undefined;
    if (!row) throw notFound('blog');
    return row.seq;
  }

  private insertEvent(e: LiveEvent): void {
    this.q('INSERT INTO events (blog_id, seq, type, data, at) VALUES (?, ?, ?, ?, ?)').run(
      e.blogId,
      e.seq,
      e.type,
      JSON.stringify(e.data),
      e.at,
    );
  }

  private livePostRow(blogId: string, postId: string): PostRow | undefined {
    return this.q(`SELECT ${POST_COLUMNS} FROM posts WHERE id = ? AND blog_id = ? AND status <> 'deleted'`).get(
      postId,
      blogId,
    ) as PostRow | undefined;
  }

  // ── blogs ─────────────────────────────────────────────────────────────────────────

  async createBlog(blog: NewBlog, now: string, opts: WriteGuard = {}): Promise<Blog> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, now);
      if (this.q('SELECT 1 FROM blogs WHERE slug = ?').get(blog.slug)) {
        throw conflict(`slug "${blog.slug}" is already taken`, { field: 'slug' });
      }
      this.q(
        `INSERT INTO blogs (id, slug, title, description, status, seq, allowed_origins, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      ).run(
        blog.id,
        blog.slug,
        blog.title,
        blog.description,
        blog.status,
        JSON.stringify(blog.allowedOrigins),
        now,
        now,
      );
      return toBlog(this.blogRowById(blog.id)!);
    }, 'blog');
  }

  async getBlog(idOrSlug: string): Promise<Blog | null> {
    const row = this.q(
      `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} WHERE b.id = ? OR b.slug = ? ORDER BY b.id = ? DESC LIMIT 1`,
    ).get(idOrSlug, idOrSlug, idOrSlug) as BlogRow | undefined;
    return row ? toBlog(row) : null;
  }

  async listBlogs(opts: { limit: number; offset?: number }): Promise<Blog[]> {
    const rows = this.q(
      `SELECT ${BLOG_COLUMNS} FROM ${BLOG_FROM} ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?`,
    ).all(opts.limit, opts.offset ?? 0) as BlogRow[];
    return rows.map(toBlog);
  }

  async updateBlog(
    blogId: string,
    patch: BlogPatchInput,
    now: string,
    opts: WriteGuard = {},
  ): Promise<{ blog: Blog; event: LiveEvent }> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, now);
      const row = this.blogRowById(blogId);
      if (!row) throw notFound('blog');
      const cur = toBlog(row);
      if (patch.slug !== undefined && patch.slug !== cur.slug) {
        if (this.q('SELECT 1 FROM blogs WHERE slug = ? AND id <> ?').get(patch.slug, blogId)) {
          throw conflict(`slug "${patch.slug}" is already taken`, { field: 'slug' });
        }
      }
      const seq = this.bump(blogId);
      this.q(
        `UPDATE blogs SET slug = ?, title = ?, description = ?, status = ?, allowed_origins = ?, updated_at = ?
         WHERE id = ?`,
      ).run(
        patch.slug ?? cur.slug,
        patch.title ?? cur.title,
        patch.description ?? cur.description,
        patch.status ?? cur.status,
        JSON.stringify(patch.allowedOrigins ?? cur.allowedOrigins),
        now,
        blogId,
      );
      const blog = toBlog(this.blogRowById(blogId)!);
      const event = makeEvent(blogId, seq, 'blog.updated', blog, now);
      this.insertEvent(event);
      return { blog, event };
    }, 'blog');
  }

  // ── posts ─────────────────────────────────────────────────────────────────────────

  async createPost(input: Omit<Post, 'seq'>, opts: WriteGuard = {}): Promise<{ post: Post; event: LiveEvent | null }> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, input.updatedAt);
      const published = input.status === 'published';
      if (!published) this.requireBlogSeq(input.blogId);
      const seq = published ? this.bump(input.blogId) : 0;
      const post: Post = { ...pickPost(input), seq };
      this.q(
        `INSERT INTO posts (id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        post.id,
        post.blogId,
        seq,
        post.createdAt,
        post.updatedAt,
        post.author.id,
        post.author.name,
        post.status,
        post.pinned ? 1 : 0,
        post.keyEvent ? 1 : 0,
        JSON.stringify(post.blocks),
      );
      if (!published) return { post, event: null };
      const event = makeEvent(post.blogId, seq, 'post.created', post, post.updatedAt);
      this.insertEvent(event);
      return { post, event };
    }, 'post');
  }

  async updatePost(
    blogId: string,
    postId: string,
    next: Pick<Post, 'blocks' | 'status' | 'pinned' | 'keyEvent' | 'updatedAt' | 'createdAt'>,
    opts: WriteGuard = {},
  ): Promise<{ post: Post; previous: Post; event: LiveEvent | null }> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, next.updatedAt);
      const row = this.livePostRow(blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
      const type = postTransition(previous.status, next.status);
      const seq = type ? this.bump(blogId) : previous.seq;
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
      this.q(
        `UPDATE posts SET seq = ?, blocks = ?, status = ?, pinned = ?, key_event = ?, updated_at = ?, created_at = ?
         WHERE id = ?`,
      ).run(
        seq,
        JSON.stringify(post.blocks),
        post.status,
        post.pinned ? 1 : 0,
        post.keyEvent ? 1 : 0,
        post.updatedAt,
        post.createdAt,
        postId,
      );
      if (!type) return { post, previous, event: null };
      const event = makeEvent(blogId, seq, type, type === 'post.deleted' ? { id: postId } : post, next.updatedAt);
      this.insertEvent(event);
      return { post, previous, event };
    }, 'post');
  }

  async deletePost(
    blogId: string,
    postId: string,
    now: string,
    opts: WriteGuard = {},
  ): Promise<{ previous: Post; event: LiveEvent | null }> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, now);
      const row = this.livePostRow(blogId, postId);
      if (!row) throw notFound('post');
      const previous = toPost(row);
      assertUnchanged(previous, opts.expectedUpdatedAt);
      if (previous.status !== 'published') {
        this.q(`UPDATE posts SET status = 'deleted', updated_at = ? WHERE id = ?`).run(now, postId);
        return { previous, event: null };
      }
      const seq = this.bump(blogId);
      this.q(`UPDATE posts SET status = 'deleted', seq = ?, updated_at = ? WHERE id = ?`).run(seq, now, postId);
      const event = makeEvent(blogId, seq, 'post.deleted', { id: postId }, now);
      this.insertEvent(event);
      return { previous, event };
    }, 'post');
  }

  async getPost(blogId: string, postId: string, opts: { includeDrafts?: boolean } = {}): Promise<Post | null> {
    const row = this.livePostRow(blogId, postId);
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
    return this.read(() => {
      this.requireBlogSeq(blogId);
      const order = 'ORDER BY created_at DESC, id DESC';
      const pinned = cursor
        ? []
        : (this.q(
            `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = ? AND status = ? AND pinned = 1 ${order} LIMIT ?`,
          ).all(blogId, status, MAX_PINNED) as PostRow[]);
      const rows = cursor
        ? (this.q(
            `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = ? AND status = ? AND pinned = 0
             AND (created_at, id) < (?, ?) ${order} LIMIT ?`,
          ).all(blogId, status, cursor.createdAt, cursor.id, limit + 1) as PostRow[])
        : (this.q(
            `SELECT ${POST_COLUMNS} FROM posts WHERE blog_id = ? AND status = ? AND pinned = 0 ${order} LIMIT ?`,
          ).all(blogId, status, limit + 1) as PostRow[]);
      const page = rows.slice(0, limit).map(toPost);
      const last = page.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
      return { posts: [...pinned.map(toPost), ...page], nextCursor };
    });
  }

  // ── change log ────────────────────────────────────────────────────────────────────

  async listChanges(blogId: string, since: number, opts: { limit: number; replayWindow: number }): Promise<Changes> {
    return this.read(() => {
      const head = this.requireBlogSeq(blogId);
      if (since > head || since < head - opts.replayWindow) return { seq: head, reset: true as const };
      const rows = this.q(
        'SELECT blog_id, seq, type, data, at FROM events WHERE blog_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ).all(blogId, since, Math.max(1, Math.floor(opts.limit))) as EventRow[];
      return { seq: head, events: rows.map(toEvent) };
    });
  }

  // ── summary ───────────────────────────────────────────────────────────────────────

  async publishSummary(
    blogId: string,
    bullets: Bullet[],
    now: string,
  ): Promise<{ summary: Summary; event: LiveEvent } | null> {
    const clean = bullets.map((b) => ({ html: b.html, text: b.text }));
    return this.write(() => {
      this.requireBlogSeq(blogId);
      const cur = this.q('SELECT bullets FROM summary WHERE blog_id = ?').get(blogId) as
        | { bullets: string }
        | undefined;
      if (sameBullets(cur ? json<Bullet[]>(cur.bullets) : [], clean)) return null;
      const seq = this.bump(blogId);
      const text = JSON.stringify(clean);
      this.q(
        `INSERT INTO summary (blog_id, seq, bullets, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (blog_id) DO UPDATE SET seq = excluded.seq, bullets = excluded.bullets, updated_at = excluded.updated_at`,
      ).run(blogId, seq, text, now);
      this.q('INSERT INTO summary_history (blog_id, seq, bullets, at) VALUES (?, ?, ?, ?)').run(blogId, seq, text, now);
      const summary: Summary = { seq, bullets: clean, updatedAt: now };
      const event = makeEvent(blogId, seq, 'summary.updated', summary, now);
      this.insertEvent(event);
      return { summary, event };
    }, 'summary');
  }

  async getSummary(blogId: string): Promise<Summary> {
    const row = this.blogRowById(blogId);
    if (!row) throw notFound('blog');
    return toBlog(row).summary;
  }

  async listSummaryHistory(blogId: string, opts: { limit: number }): Promise<SummaryHistoryEntry[]> {
    return this.read(() => {
      this.requireBlogSeq(blogId);
      const rows = this.q(
        'SELECT seq, bullets, at FROM summary_history WHERE blog_id = ? ORDER BY seq DESC LIMIT ?',
      ).all(blogId, opts.limit) as SummaryRow[];
      return rows.map(toHistoryEntry);
    });
  }

  // ── collaborative doc ─────────────────────────────────────────────────────────────

  async appendDocUpdates(blogId: string, updates: Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return [];
    return this.write(() => {
      this.requireBlogSeq(blogId);
      const insert = this.q('INSERT INTO doc_updates (blog_id, data) VALUES (?, ?) RETURNING id');
      return updates.map(
        (u) => (insert.get(blogId, Buffer.from(u.buffer, u.byteOffset, u.byteLength)) as { id: number }).id,
      );
    }, 'doc update');
  }

  async loadDoc(blogId: string, opts: { afterId?: number } = {}): Promise<DocState> {
    return this.read(() => {
      const snap = this.q('SELECT data, up_to_id FROM doc_snapshots WHERE blog_id = ?').get(blogId) as
        | { data: Buffer; up_to_id: number }
        | undefined;
      const snapshotUpToId = snap?.up_to_id ?? 0;
      const from = Math.max(snapshotUpToId, opts.afterId ?? 0);
      const rows = this.q('SELECT id, data FROM doc_updates WHERE blog_id = ? AND id > ? ORDER BY id').all(
        blogId,
        from,
      ) as { id: number; data: Buffer }[];
      return {
        snapshot: snap ? bytes(snap.data) : null,
        snapshotUpToId,
        updates: rows.map((r) => ({ id: r.id, data: bytes(r.data) })),
      };
    });
  }

  async compactDoc(blogId: string, snapshot: Uint8Array, upToId: number): Promise<void> {
    this.write(() => {
      this.requireBlogSeq(blogId);
      const cur = this.q('SELECT up_to_id FROM doc_snapshots WHERE blog_id = ?').get(blogId) as
        | { up_to_id: number }
        | undefined;
      if (cur && cur.up_to_id > upToId) {
        throw conflict('the doc was already compacted past this point', { current: cur.up_to_id, upToId });
      }
      this.q(
        `INSERT INTO doc_snapshots (blog_id, data, up_to_id) VALUES (?, ?, ?)
         ON CONFLICT (blog_id) DO UPDATE SET data = excluded.data, up_to_id = excluded.up_to_id`,
      ).run(blogId, Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength), upToId);
      this.q('DELETE FROM doc_updates WHERE blog_id = ? AND id <= ?').run(blogId, upToId);
    }, 'doc snapshot');
  }

  // ── users and roles ───────────────────────────────────────────────────────────────

  async createUser(user: User, tokenHash: string): Promise<User> {
    this.write(() => {
      this.q('INSERT INTO users (id, name, color, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        user.id,
        user.name,
        user.color,
        tokenHash,
        user.createdAt,
      );
    }, 'user');
    return { id: user.id, name: user.name, color: user.color, createdAt: user.createdAt };
  }

  async getUserByTokenHash(tokenHash: string): Promise<User | null> {
    const row = this.q('SELECT id, name, color, created_at FROM users WHERE token_hash = ? AND active = 1').get(
      tokenHash,
    );
    return row ? toUser(row as UserRow) : null;
  }

  async getUser(userId: string): Promise<User | null> {
    const row = this.q('SELECT id, name, color, created_at FROM users WHERE id = ?').get(userId);
    return row ? toUser(row as UserRow) : null;
  }

  async listUsers(): Promise<User[]> {
    return (this.q('SELECT id, name, color, created_at FROM users ORDER BY created_at, id').all() as UserRow[]).map(
      toUser,
    );
  }

  async setMember(blogId: string, userId: string, role: Role, opts: WriteGuard = {}): Promise<Member> {
    return this.write(() => {
      this.identity.insertAudit(opts.audit, new Date().toISOString());
      this.requireBlogSeq(blogId);
      const user = this.q('SELECT name FROM users WHERE id = ?').get(userId) as { name: string } | undefined;
      if (!user) throw notFound('user');
      this.q(
        `INSERT INTO members (blog_id, user_id, role) VALUES (?, ?, ?)
         ON CONFLICT (blog_id, user_id) DO UPDATE SET role = excluded.role`,
      ).run(blogId, userId, role);
      return { blogId, userId, role, name: user.name };
    }, 'member');
  }

  async removeMember(blogId: string, userId: string, opts: WriteGuard = {}): Promise<boolean> {
    return this.write(() => {
      const removed = this.q('DELETE FROM members WHERE blog_id = ? AND user_id = ?').run(blogId, userId).changes > 0;
      if (removed) this.identity.insertAudit(opts.audit, new Date().toISOString());
      return removed;
    });
  }

  async listMembers(blogId: string): Promise<Member[]> {
    return this.read(() => {
      this.requireBlogSeq(blogId);
      const rows = this.q(
        `SELECT m.blog_id, m.user_id, m.role, u.name FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.blog_id = ? ORDER BY u.name, m.user_id`,
      ).all(blogId) as MemberRow[];
      return rows.map(toMember);
    });
  }

  async getRole(blogId: string, userId: string): Promise<Role | null> {
    const row = this.q('SELECT role FROM members WHERE blog_id = ? AND user_id = ?').get(blogId, userId) as
      | { role: Role }
      | undefined;
    return row?.role ?? null;
  }

  // ── identity (the SQL is in sqlite-identity.ts) ──────────────────────────────────────────────────

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
    const row = this.q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setSettingIfAbsent(key: string, value: string): Promise<string> {
    return this.write(() => {
      this.q('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
      return (this.q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string }).value;
    });
  }
}

import type {
  Blog,
  BlogPatchInput,
  Bullet,
  Changes,
  LiveEvent,
  MediaPatchInput,
  MediaRecord,
  Member,
  NewBlog,
  Post,
  PostsPage,
  Role,
  Summary,
  SummaryHistoryEntry,
  User,
  UserPatchInput,
} from '../domain/index.js';

/**
 * The one persistence seam. One body (sql-store.ts, over the SQL seam in sql.ts) on two
 * databases (sqlite.ts, postgres.ts), held to one contract suite (test/contract/store.contract.ts).
 *
 * Rules every implementation keeps:
 * - A reader-visible change and its event get the blog's next seq in ONE transaction:
 *   seqs are 1, 2, 3 … per blog, never repeated, never skipped, even with concurrent writers
 *   on several nodes.
 * - Drafts get no seq. Publishing a draft is its `post.created`; unpublishing a published
 *   post is a `post.deleted` for readers.
 * - Deleted posts are kept as tombstones (status 'deleted' internally, content emptied) so
 *   replays stay whole.
 * - Takedown: when a published post is deleted or unpublished, in the same transaction, every
 *   earlier `post.created`/`post.updated` event of that post becomes `post.deleted` with data
 *   `{ id }` (same seq, same `at`). Replaying the log still ends in the same state (the post is
 *   absent after the real post.deleted that follows), and no replay (`listChanges`) serves the
 *   removed content again. A later re-publication is a new post.created with the new content.
 * - Every method resolves only after the write is durable (committed).
 * - Lookups by blog accept the blog's id only; resolve slugs with getBlog first.
 * - Missing blog/post: methods that write throw DomainError('not_found').
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent; safe with several nodes starting at once. */
  migrate(): Promise<void>;
  /** Cheap liveness check of the database (for /ready). Rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Blogs
  createBlog(blog: NewBlog, now: string): Promise<Blog>;
  /** By id or by slug. */
  getBlog(idOrSlug: string): Promise<Blog | null>;
  /** Newest first. */
  listBlogs(opts: { limit: number; offset?: number }): Promise<Blog[]>;
  /** Emits blog.updated. Slug clash → DomainError('conflict'), checked before a seq is taken. */
  updateBlog(blogId: string, patch: BlogPatchInput, now: string): Promise<{ blog: Blog; event: LiveEvent }>;

  // Posts
  /** `post` is complete but for seq; seq is assigned here (0 for a draft). */
  createPost(post: Omit<Post, 'seq'>): Promise<{ post: Post; event: LiveEvent | null }>;
  /**
   * Replaces the post's mutable fields (blocks, status, pinned, keyEvent, updatedAt, and
   * createdAt when first published). Event: post.created (draft → published),
   * post.updated (published → published), post.deleted (published → draft), null (draft → draft).
   */
  updatePost(
    blogId: string,
    postId: string,
    next: Pick<Post, 'blocks' | 'status' | 'pinned' | 'keyEvent' | 'updatedAt' | 'createdAt'>,
    opts?: WriteGuard,
  ): Promise<{ post: Post; previous: Post; event: LiveEvent | null }>;
  /** Tombstones the post. Event post.deleted if it was published, else null. */
  deletePost(
    blogId: string,
    postId: string,
    now: string,
    opts?: WriteGuard,
  ): Promise<{ previous: Post; event: LiveEvent | null }>;
  /** Tombstoned posts are never returned. Drafts only with includeDrafts. */
  getPost(blogId: string, postId: string, opts?: { includeDrafts?: boolean }): Promise<Post | null>;
  /**
   * Newest first by (createdAt, id). Without `before`: every pinned post first (pinned
   * newest first, at most 20), then up to `limit` unpinned posts. With `before` (an opaque
   * cursor from a previous page): only unpinned posts older than it. `status` picks
   * published (default) or drafts.
   */
  listPosts(
    blogId: string,
    opts: { limit: number; before?: string; status?: 'published' | 'draft' },
  ): Promise<PostsPage>;

  // Change log
  /**
   * Events with seq > since and seq <= the returned `seq` (the head read first: never an
   * event past it), in order, at most `limit` (then the caller asks again).
   * `{ reset: true }` when since < blog.seq - replayWindow, or since > blog.seq.
   */
  listChanges(blogId: string, since: number, opts: { limit: number; replayWindow: number }): Promise<Changes>;

  // Summary (rendered bullets, published as events)
  /**
   * Emits summary.updated with the new bullets and records them in history, unless they
   * equal the current bullets (then null, and no seq is used). Serialised per blog: concurrent
   * publishes (several nodes) take turns, so none is lost and seqs follow commit order.
   */
  publishSummary(
    blogId: string,
    bullets: Bullet[],
    now: string,
  ): Promise<{ summary: Summary; event: LiveEvent } | null>;
  getSummary(blogId: string): Promise<Summary>;
  /** Newest first. */
  listSummaryHistory(blogId: string, opts: { limit: number }): Promise<SummaryHistoryEntry[]>;

  // Collaborative doc (Yjs update log + snapshot)
  /** Appends Yjs updates (one row each) in one transaction; resolves with their row ids. */
  appendDocUpdates(blogId: string, updates: Uint8Array[]): Promise<number[]>;
  /** The snapshot (or null) and every update row after it, in id order. `afterId` limits to newer rows. */
  loadDoc(blogId: string, opts?: { afterId?: number }): Promise<DocState>;
  /**
   * Replaces the snapshot and deletes update rows with id <= upToId, in one transaction.
   * Rows appended meanwhile (id > upToId) survive. Rejects with conflict if another
   * compaction already moved the snapshot past upToId.
   */
  compactDoc(blogId: string, snapshot: Uint8Array, upToId: number): Promise<void>;

  // Users and roles
  createUser(user: User, tokenHash: string): Promise<User>;
  getUserByTokenHash(tokenHash: string): Promise<User | null>;
  getUser(userId: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** Applies the fields present in `patch`; null when the user does not exist. */
  updateUser(userId: string, patch: UserPatchInput): Promise<User | null>;
  setMember(blogId: string, userId: string, role: Role): Promise<Member>;
  removeMember(blogId: string, userId: string): Promise<boolean>;
  listMembers(blogId: string): Promise<Member[]>;
  getRole(blogId: string, userId: string): Promise<Role | null>;

  // Media library (uploaded photos; the objects themselves live in MediaStorage)
  /**
   * Records an upload. The blog's quota is checked in the same transaction as the insert
   * (uploads to one blog are serialised there), so concurrent uploads cannot overshoot it:
   * DomainError('payload_too_large') when used + media.bytes > quotaBytes.
   */
  createMedia(media: MediaRecord, quotaBytes: number): Promise<MediaRecord>;
  getMedia(blogId: string, mediaId: string): Promise<MediaRecord | null>;
  /** The blog's items among `ids` (others are simply absent). */
  getMediaMany(blogId: string, ids: readonly string[]): Promise<MediaRecord[]>;
  /** Newest first; `before` is the id of the last item of the previous page. */
  listMedia(blogId: string, opts: { limit: number; before?: string }): Promise<MediaRecord[]>;
  /** Bytes of variants the blog's items take (what the quota counts). */
  mediaUsage(blogId: string): Promise<number>;
  /** Changes alt, caption, credit. Missing → DomainError('not_found'). */
  updateMedia(blogId: string, mediaId: string, patch: MediaPatchInput, now: string): Promise<MediaRecord>;
  /**
   * Removes the item unless a published post shows it: then DomainError('conflict') with
   * details `{ posts: [{ id, blogId }] }` and nothing changes. Resolves with the object keys
   * no remaining item uses (the caller removes them from MediaStorage). Missing → not_found.
   */
  deleteMedia(blogId: string, mediaId: string): Promise<{ deleted: MediaRecord; orphanKeys: string[] }>;

  // Small settings (e.g. the admin token hash)
  getSetting(key: string): Promise<string | null>;
  /** Sets only if absent; resolves with the value now stored. */
  setSettingIfAbsent(key: string, value: string): Promise<string>;
}

/**
 * Optimistic concurrency for read-modify-write callers: when `expectedUpdatedAt` is given and
 * the stored post's updatedAt differs (someone changed it since the caller read it), the write
 * is refused with DomainError('conflict') and nothing changes.
 */
export interface WriteGuard {
  expectedUpdatedAt?: string;
}

export interface DocState {
  snapshot: Uint8Array | null;
  /** Id of the last row merged into the snapshot (0 if none). */
  snapshotUpToId: number;
  updates: { id: number; data: Uint8Array }[];
}

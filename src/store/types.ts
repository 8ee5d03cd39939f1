import type {
  Account,
  AudienceSample,
  AuditPage,
  Author,
  BlogPatchInput,
  Bullet,
  CredentialKind,
  DomainError,
  LiveEvent,
  MediaPatchInput,
  MediaRecord,
  Member,
  NewBlog,
  PersonalToken,
  Post,
  PostStatus,
  Question,
  QuestionStatus,
  Reaction,
  Revision,
  Role,
  StoredBlog,
  StoredChanges,
  StoredPost,
  StoredPostsPage,
  Summary,
  SummaryHistoryEntry,
  Tally,
  User,
  UserPatchInput,
} from '../domain/index.js';
import type { PostChange } from '../domain/post-building.js';
import type { ScheduleStore } from '../scheduler/types.js';
import type { OutboxStore } from './outbox.js';
import type { OutwardStore } from './outward.js';

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
export interface Store extends ScheduleStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent; safe with several nodes starting at once. */
  migrate(): Promise<void>;
  /** Cheap liveness check of the database (for /ready). Rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Blogs
  createBlog(blog: NewBlog, now: string, opts?: WriteGuard): Promise<StoredBlog>;
  /** By id or by slug. */
  getBlog(idOrSlug: string): Promise<StoredBlog | null>;
  /** Newest first. */
  listBlogs(opts: { limit: number; offset?: number }): Promise<StoredBlog[]>;
  /** Emits blog.updated. Slug clash → DomainError('conflict'), checked before a seq is taken. */
  updateBlog(
    blogId: string,
    patch: BlogPatchInput,
    now: string,
    opts?: WriteGuard,
  ): Promise<{ blog: StoredBlog; event: LiveEvent }>;

  // Posts
  /** `post` is complete but for seq; seq is assigned here (0 for a draft). */
  createPost(post: Omit<Post, 'seq'>, opts?: WriteGuard): Promise<{ post: StoredPost; event: LiveEvent | null }>;
  /**
   * Replaces the post's mutable fields (blocks, status, pinned, keyEvent, updatedAt, and
   * createdAt when first published; the workflow fields when given, else kept). Event:
   * post.created (hidden → published), post.updated (published → published), post.deleted
   * (published → hidden), null (hidden → hidden; draft, submitted and scheduled are hidden).
   * A change to a published post records a revision (by `opts.by`, default the author) in
   * the same transaction.
   */
  updatePost(
    blogId: string,
    postId: string,
    next: PostChange,
    opts?: WriteGuard & { by?: Author },
  ): Promise<{ post: StoredPost; previous: StoredPost; event: LiveEvent | null }>;
  /** Tombstones the post. Event post.deleted if it was published, else null. */
  deletePost(
    blogId: string,
    postId: string,
    now: string,
    opts?: WriteGuard,
  ): Promise<{ previous: StoredPost; event: LiveEvent | null }>;
  /** Tombstoned posts are never returned. Drafts only with includeDrafts. */
  getPost(blogId: string, postId: string, opts?: { includeDrafts?: boolean }): Promise<StoredPost | null>;
  /**
   * Newest first by (createdAt, id), or oldest first with `order: 'oldest'`. Without
   * `before`: every pinned post first (at most 20, in the same order), then up to `limit`
   * unpinned posts. With `before` (an opaque cursor from a previous page): only unpinned
   * posts after it in that order. `status` picks published (default), drafts, submissions or
   * scheduled posts; `tag` and `keyEvents` filter.
   */
  listPosts(
    blogId: string,
    opts: {
      limit: number;
      before?: string | undefined;
      status?: PostStatus | undefined;
      tag?: string | undefined;
      keyEvents?: boolean | undefined;
      order?: 'newest' | 'oldest' | undefined;
    },
  ): Promise<StoredPostsPage>;
  /** Every recorded change of the post, newest first (at most `limit`). */
  listRevisions(blogId: string, postId: string, opts: { limit: number }): Promise<Revision[]>;

  // Change log
  /**
   * Events with seq > since and seq <= the returned `seq` (the head read first: never an
   * event past it), in order, at most `limit` (then the caller asks again).
   * `{ reset: true }` when since < blog.seq - replayWindow, or since > blog.seq.
   */
  listChanges(blogId: string, since: number, opts: { limit: number; replayWindow: number }): Promise<StoredChanges>;

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
  /**
   * Where the store can (SQLite with its doc writer thread): checks untrusted updates the way
   * the update guard does (src/lib/yjs-update-check.ts: decoded on that thread under a deadline
   * and heap cap) and appends the ones that pass, in one transaction and one round trip.
   * Resolves, per update in order, with its row id or why it was refused; rejects like
   * appendDocUpdates when nothing could be written.
   */
  checkAndAppendDocUpdates?(blogId: string, updates: Uint8Array[]): Promise<CheckedAppend[]>;
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
  setMember(blogId: string, userId: string, role: Role, opts?: WriteGuard): Promise<Member>;
  removeMember(blogId: string, userId: string, opts?: WriteGuard): Promise<boolean>;
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
  /** Webhook endpoints and their delivery outbox (rows written with each event: see outbox.ts). */
  readonly outbox: OutboxStore;
  /** WebSub and Web Push subscriptions and the job queue sending to them (see outward.ts). */
  readonly outward: OutwardStore;
  // Identity: accounts, credentials, invitations, the audit trail (docs/identity.md)
  /** A person who can sign in (email unique, case-folded by the caller). Email clash → conflict. */
  createAccount(input: NewAccount, audit?: AuditContext): Promise<Account>;
  getAccount(userId: string): Promise<Account | null>;
  /** With the password hash, for sign-in only. */
  getAccountByEmail(email: string): Promise<(Account & { passwordHash: string | null }) | null>;
  listAccounts(): Promise<Account[]>;
  /**
   * The user an outside identity (CMS token, SSO) belongs to: the one linked to
   * (issuer, subject), else the account with that email (then linked), else a new one.
   */
  upsertExternalAccount(input: ExternalAccountInput): Promise<Account>;
  /** Not found → DomainError('not_found'). */
  updateAccount(userId: string, patch: AccountPatch, audit?: AuditContext): Promise<Account>;
  createCredential(credential: NewCredential, audit?: AuditContext): Promise<void>;
  /** The live credential (not revoked, not expired, account active) whose secret hashes to this. */
  findCredentialByHash(tokenHash: string, now: string): Promise<LiveCredential | null>;
  /** The live credential with this id (sessions' signed access tokens name it). */
  getLiveCredential(credentialId: string, now: string): Promise<LiveCredential | null>;
  /** Revokes one credential of a user (false when there was none live). */
  revokeCredential(userId: string, credentialId: string, now: string, audit?: AuditContext): Promise<boolean>;
  listPersonalTokens(userId: string): Promise<PersonalToken[]>;
  /** Records use, at most once a minute per credential (callers may call on every request). */
  touchCredential(credentialId: string, now: string): Promise<void>;
  createInvitation(invitation: NewInvitation): Promise<void>;
  /**
   * Sets the invited account's password and uses the invitation up, in one transaction; null
   * when the token is unknown, used or expired (a replayed link changes nothing).
   */
  acceptInvitation(tokenHash: string, passwordHash: string, now: string): Promise<Account | null>;
  /** Writes one audit row alone (for actions with no other row, e.g. a sign-in). */
  appendAudit(audit: AuditContext, now: string): Promise<void>;
  /** Newest first; `before` is an entry id from a previous page. */
  listAudit(opts: { blogId?: string; before?: string; limit: number }): Promise<AuditPage>;

  // Small settings (e.g. the admin token hash)
  getSetting(key: string): Promise<string | null>;
  /** Sets only if absent; resolves with the value now stored. */
  setSettingIfAbsent(key: string, value: string): Promise<string>;

  // Audience (minute buckets; no personal data)
  /**
   * Replaces `writer`'s rows for these (blog, minute) pairs with the given accumulations (a
   * writer is one running process; it always sends the whole minute so far). Rows of a blog
   * that no longer exists are skipped.
   */
  recordAudience(writer: string, samples: readonly AudienceSample[]): Promise<void>;
  /** Every writer's rows for minutes in [from, to), oldest first (merge with domain mergeAudience). */
  listAudience(blogId: string, from: string, to: string): Promise<AudienceSample[]>;
  /** Deletes minutes before `before`; resolves with the number of rows removed. */
  pruneAudience(before: string): Promise<number>;

  // Reader questions (a moderation queue; never shown to readers as such)
  /** Queues it; 'rate_limited' when the blog already has `maxPending` pending questions. */
  createQuestion(q: Question, maxPending: number): Promise<Question>;
  /** Oldest first. */
  listQuestions(blogId: string, opts: { status: QuestionStatus; limit: number }): Promise<Question[]>;
  getQuestion(blogId: string, questionId: string): Promise<Question | null>;
  /** Moves it from `from` to `to` only if it is still in `from`; else null (moderated meanwhile). */
  moveQuestion(
    blogId: string,
    questionId: string,
    from: QuestionStatus,
    to: QuestionStatus,
    answerPostId?: string | null,
  ): Promise<Question | null>;

  // Reader participation: poll votes and reactions (counted apart from the seq stream)
  /**
   * One vote per voter per poll, the first stands (`counted` false on a repeat, with the
   * option that counts). not_found without a published post with a poll; conflict when the
   * poll is closed or past closesAt; validation for an option the poll does not have.
   */
  castVote(v: { blogId: string; postId: string; voter: string; option: string; at: string }): Promise<{
    option: string;
    counted: boolean;
  }>;
  /**
   * Several votes in one transaction (group commit), each judged as castVote judges it: the
   * outcome per vote, in order, a refused one as `{ error }` without undoing the others.
   */
  castVotes(
    votes: readonly { blogId: string; postId: string; voter: string; option: string; at: string }[],
  ): Promise<({ option: string; counted: boolean } | { error: DomainError })[]>;
  /** One reaction per voter, post and kind; not_found unless the post is published. */
  addReaction(r: { blogId: string; postId: string; voter: string; reaction: Reaction; at: string }): Promise<{
    counted: boolean;
  }>;
  /** Exact counts of these published posts of the blog, and which of their polls are due to close. */
  tallies(
    blogId: string,
    postIds: readonly string[],
    now: number,
  ): Promise<{ posts: Record<string, Tally>; due: string[] }>;
  /**
   * Closes the post's poll with its final results as one post.updated event; no event when
   * it was already closed (or, with onlyIfDue, is not yet due). not_found without a poll.
   */
  closePoll(
    blogId: string,
    postId: string,
    now: string,
    opts?: { onlyIfDue?: boolean; by?: Author },
  ): Promise<{ post: StoredPost; event: LiveEvent | null }>;
}

export interface NewAccount {
  user: User;
  email: string | null;
  passwordHash: string | null;
  admin: boolean;
}

export interface AccountPatch {
  canCreateBlogs?: boolean;
  active?: boolean;
  name?: string;
  passwordHash?: string;
}

export interface ExternalAccountInput {
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  /** Used when the account is created. */
  newUser: User;
}

export type CredentialRowKind = 'password_session' | 'oidc_session' | 'personal_token';

export interface NewCredential {
  id: string;
  userId: string;
  kind: CredentialRowKind;
  /** A personal token's label; empty for sessions. */
  name: string;
  /** SHA-256 of the secret: the personal token, or a session's refresh token (its cookie). */
  tokenHash: string;
  /** When a session ends whatever happens; null for personal tokens (they live until revoked). */
  expiresAt: string | null;
  /** Per-blog roles carried by the credential (SSO group roles), keyed by blog id or slug. */
  grants: Record<string, Role>;
  /** An SSO session that its groups make admin. */
  admin: boolean;
  createdAt: string;
}

export interface Credential extends NewCredential {
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Only live credentials of active accounts are ever returned. */
export interface LiveCredential {
  credential: Credential;
  account: Account;
}

export interface NewInvitation {
  tokenHash: string;
  userId: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
}

/**
 * Who did a write, recorded in the same transaction as the write. `action` names it
 * (post.create …); the ids say what it touched.
 */
export interface AuditContext {
  id: string;
  actorId: string | null;
  actorName: string | null;
  actorAdmin: boolean;
  credential: CredentialKind;
  action: string;
  blogId: string | null;
  postId: string | null;
  subjectId: string | null;
  address: string | null;
}

/**
 * Optimistic concurrency for read-modify-write callers: when `expectedUpdatedAt` is given and
 * the stored post's updatedAt differs (someone changed it since the caller read it), the write
 * is refused with DomainError('conflict') and nothing changes.
 */
export interface WriteGuard {
  expectedUpdatedAt?: string;
  /** Who made this write: recorded in the audit trail in the same transaction. */
  audit?: AuditContext;
}

export type CheckedAppend = { verdict: 'ok'; rowId: number } | { verdict: 'invalid' | 'timeout' };

export interface DocState {
  snapshot: Uint8Array | null;
  /** Id of the last row merged into the snapshot (0 if none). */
  snapshotUpToId: number;
  updates: { id: number; data: Uint8Array }[];
}

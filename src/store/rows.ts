import { z } from 'zod';
import {
  type Block,
  type Blog,
  type Bullet,
  conflict,
  DomainError,
  emptySummary,
  Id,
  LiveEvent,
  type Member,
  type Post,
  type Revision,
  type Role,
  type StoredBlog,
  type StoredPost,
  type Summary,
  type SummaryHistoryEntry,
  Timestamp,
  type User,
} from '../domain/index.js';

/**
 * Row shapes and their mapping to domain objects, shared by the SQLite and PostgreSQL stores.
 * SQLite hands back JSON as text, booleans as 0/1 and timestamps as text; PostgreSQL hands
 * back jsonb as values, real booleans and Dates. The helpers below accept either.
 */

type Json = unknown;
type Time = string | Date;

export interface BlogRow {
  id: string;
  slug: string;
  title: string;
  description: string;
  status: string;
  seq: number;
  allowed_origins: Json;
  created_at: Time;
  updated_at: Time;
  summary_seq: number | null;
  summary_bullets: Json | null;
  summary_updated_at: Time | null;
  order_mode: string;
  language: string;
  ended_at: Time | null;
  archived_at: Time | null;
}

export interface PostRow {
  id: string;
  blog_id: string;
  seq: number;
  created_at: Time;
  updated_at: Time;
  author_id: string;
  author_name: string;
  status: string;
  pinned: boolean | number;
  key_event: boolean | number;
  blocks: Json;
  publish_at: Time | null;
  tags: Json;
  correction: Json | null;
  approved_by: Json | null;
  review: Json | null;
}

export interface EventRow {
  blog_id: string;
  seq: number;
  type: string;
  data: Json;
  at: Time;
}

export interface UserRow {
  id: string;
  name: string;
  color: string;
  created_at: Time;
}

export interface MemberRow {
  blog_id: string;
  user_id: string;
  role: string;
  name: string;
}

export interface SummaryRow {
  seq: number;
  bullets: Json;
  at: Time;
}

export const json = <T>(v: Json): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
export const iso = (v: Time): string => (v instanceof Date ? v.toISOString() : v);
const bool = (v: boolean | number): boolean => v === true || v === 1;

/** SELECT list (both dialects) producing a BlogRow from `blogs b LEFT JOIN summary s`. */
export const BLOG_COLUMNS =
  'b.id, b.slug, b.title, b.description, b.status, b.seq, b.allowed_origins, b.created_at, b.updated_at, ' +
  's.seq AS summary_seq, s.bullets AS summary_bullets, s.updated_at AS summary_updated_at, ' +
  'b.order_mode, b.language, b.ended_at, b.archived_at';
export const BLOG_FROM = 'blogs b LEFT JOIN summary s ON s.blog_id = b.id';

export const POST_COLUMNS =
  'id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks, ' +
  'publish_at, tags, correction, approved_by, review';

export function toBlog(r: BlogRow): StoredBlog {
  const summary: Summary =
    r.summary_seq === null || r.summary_updated_at === null
      ? emptySummary()
      : { seq: r.summary_seq, bullets: json<Bullet[]>(r.summary_bullets), updatedAt: iso(r.summary_updated_at) };
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    description: r.description,
    // Archived is a flag over the stored status (see migrations/workflow.ts).
    status: r.archived_at !== null ? 'archived' : (r.status as Blog['status']),
    seq: Number(r.seq),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    allowedOrigins: json<string[]>(r.allowed_origins),
    summary,
    order: r.order_mode === 'oldest' ? 'oldest' : 'newest',
    language: r.language,
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
  };
}

/** Stored post status: the public ones plus the tombstone. */
export type StoredStatus = Post['status'] | 'deleted';

const STATUSES: readonly string[] = ['draft', 'submitted', 'scheduled', 'published'];
const jsonOrNull = <T>(v: Json | null): T | null => (v === null || v === undefined ? null : json<T>(v));

/** Maps a row; the caller has already excluded tombstones (status 'deleted'). */
export function toPost(r: PostRow): StoredPost {
  return {
    id: r.id,
    blogId: r.blog_id,
    seq: Number(r.seq),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    author: { id: r.author_id, name: r.author_name },
    status: (STATUSES.includes(r.status) ? r.status : 'draft') as Post['status'],
    pinned: bool(r.pinned),
    keyEvent: bool(r.key_event),
    blocks: json<Block[]>(r.blocks),
    publishAt: r.publish_at === null ? null : iso(r.publish_at),
    tags: json<string[]>(r.tags ?? '[]'),
    correction: jsonOrNull(r.correction),
    approvedBy: jsonOrNull(r.approved_by),
    review: jsonOrNull(r.review),
  };
}

export function toEvent(r: EventRow): LiveEvent {
  return { blogId: r.blog_id, seq: Number(r.seq), type: r.type, data: json(r.data), at: iso(r.at) } as LiveEvent;
}

export const toUser = (r: UserRow): User => ({ id: r.id, name: r.name, color: r.color, createdAt: iso(r.created_at) });

export const toMember = (r: MemberRow): Member => ({
  blogId: r.blog_id,
  userId: r.user_id,
  role: r.role as Role,
  name: r.name,
});

export const toHistoryEntry = (r: SummaryRow): SummaryHistoryEntry => ({
  seq: Number(r.seq),
  at: iso(r.at),
  bullets: json<Bullet[]>(r.bullets),
});

/**
 * Builds the event for a change and checks it against the LiveEvent schema, so a store bug
 * fails the write (rolled back) instead of reaching readers.
 */
export function makeEvent(blogId: string, seq: number, type: LiveEvent['type'], data: unknown, at: string): LiveEvent {
  const parsed = LiveEvent.safeParse({ blogId, seq, type, data, at });
  if (!parsed.success) {
    throw new DomainError('internal', `store built an invalid ${type} event`, parsed.error.issues);
  }
  return parsed.data;
}

/**
 * What a post update means for readers: publishing is its creation, unpublishing is a
 * deletion, an edit of a published post is an update, draft edits are invisible.
 */
export function postTransition(previous: Post['status'], next: Post['status']): LiveEvent['type'] | null {
  if (previous !== 'published') return next === 'published' ? 'post.created' : null;
  return next === 'published' ? 'post.updated' : 'post.deleted';
}

/** Bullets compare by content; the order of keys never matters since both come from the schema. */
export const sameBullets = (a: Bullet[], b: Bullet[]): boolean =>
  a.length === b.length && a.every((x, i) => x.html === b[i]?.html && x.text === b[i]?.text);

// Cursors: opaque to clients, base64url of [createdAt, id] of the last post on a page.
const CursorShape = z.tuple([Timestamp, Id]);

/** Refuses a guarded write when the post changed since the caller read it (see WriteGuard). */
export function assertUnchanged(previous: Post, expectedUpdatedAt: string | undefined): void {
  if (expectedUpdatedAt !== undefined && previous.updatedAt !== expectedUpdatedAt) {
    throw conflict('the post changed meanwhile; read it again');
  }
}

export function encodeCursor(post: Pick<Post, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([post.createdAt, post.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const bad = () => new DomainError('validation_failed', 'before: invalid cursor');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw bad();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const parsed = CursorShape.safeParse(raw);
  if (!parsed.success) throw bad();
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}

/** Pinned posts shown on page one at most (the interface's rule). */
export const MAX_PINNED = 20;

/** Copies a driver buffer into a plain Uint8Array (Buffers compare differently in tests and pools). */
export const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** Only the Post fields, whatever else the caller's object carries; workflow fields defaulted. */
export function pickPost(p: Omit<Post, 'seq'>): Omit<StoredPost, 'seq'> {
  return {
    id: p.id,
    blogId: p.blogId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    author: { id: p.author.id, name: p.author.name },
    status: p.status,
    pinned: p.pinned,
    keyEvent: p.keyEvent,
    blocks: p.blocks,
    publishAt: p.status === 'scheduled' ? (p.publishAt ?? null) : null,
    tags: p.tags ?? [],
    correction: p.correction ?? null,
    approvedBy: p.approvedBy ?? null,
    review: p.review ?? null,
  };
}

/** JSON column value (SQLite text; PostgreSQL receives the same text for jsonb). */
export const jsonCol = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));

/** Which fields a change to a published post altered (for its revision). */
export function changedFields(previous: StoredPost, next: StoredPost): Revision['changed'] {
  const changed: Revision['changed'] = [];
  if (JSON.stringify(previous.blocks) !== JSON.stringify(next.blocks)) changed.push('blocks');
  if (previous.pinned !== next.pinned) changed.push('pinned');
  if (previous.keyEvent !== next.keyEvent) changed.push('keyEvent');
  if (JSON.stringify(previous.tags) !== JSON.stringify(next.tags)) changed.push('tags');
  if (JSON.stringify(previous.correction) !== JSON.stringify(next.correction)) changed.push('correction');
  if (previous.status !== next.status) changed.push('status');
  return changed;
}

export interface RevisionRow {
  id: string;
  blog_id: string;
  post_id: string;
  at: Time;
  by_id: string;
  by_name: string;
  seq: number;
  changed: Json;
  correction: Json | null;
  before: Json;
  after: Json;
}

export const toRevision = (r: RevisionRow): Revision => ({
  id: r.id,
  blogId: r.blog_id,
  postId: r.post_id,
  at: iso(r.at),
  by: { id: r.by_id, name: r.by_name },
  seq: Number(r.seq),
  changed: json<Revision['changed']>(r.changed),
  correction: jsonOrNull(r.correction),
  before: json<Block[]>(r.before),
  after: json<Block[]>(r.after),
});

/** A revision's id: one per reader-visible change of a post, so its seq makes it unique. */
export const revisionId = (postId: string, seq: number): string => `${postId}_${seq}`;

/** The blog columns a patch writes: archived is a flag, ended_at follows the status. */
export function blogStatusColumns(
  cur: Blog,
  stored: { status: string; ended_at: string | null; archived_at: string | null },
  next: Blog['status'] | undefined,
  now: string,
): { status: string; endedAt: string | null; archivedAt: string | null } {
  if (next === undefined || next === cur.status) {
    return { status: stored.status, endedAt: stored.ended_at, archivedAt: stored.archived_at };
  }
  if (next === 'archived') return { status: stored.status, endedAt: stored.ended_at ?? now, archivedAt: now };
  const endedAt = next === 'ended' ? (cur.status === 'ended' ? stored.ended_at : now) : null;
  return { status: next, endedAt, archivedAt: null };
}

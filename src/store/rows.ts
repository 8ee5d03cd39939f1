import {
  type Block,
  type Blog,
  type Bullet,
  DomainError,
  emptySummary,
  LiveEvent,
  type Member,
  type Post,
  type Revision,
  type Role,
  type StoredBlog,
  type StoredPost,
  type Summary,
  type SummaryHistoryEntry,
  type User,
} from '../domain/index.js';

/**
 * Row shapes and their mapping to domain objects: the one place that reads driver values.
 * SQLite hands back JSON as text, booleans as 0/1 and timestamps as text; PostgreSQL hands
 * back jsonb as values, real booleans, Dates and bigints as strings. The helpers accept either.
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
  can_create_blogs: boolean | number;
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
export const bool = (v: boolean | number): boolean => v === true || v === 1;

/** SELECT list (both dialects) producing a BlogRow from `blogs b LEFT JOIN summary s`. */
export const BLOG_COLUMNS =
  'b.id, b.slug, b.title, b.description, b.status, b.seq, b.allowed_origins, b.created_at, b.updated_at, ' +
  's.seq AS summary_seq, s.bullets AS summary_bullets, s.updated_at AS summary_updated_at' +
  ', b.order_mode, b.language, b.ended_at, b.archived_at';
export const BLOG_FROM = 'blogs b LEFT JOIN summary s ON s.blog_id = b.id';

export const POST_COLUMNS =
  'id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks' +
  ', publish_at, tags, correction, approved_by, review';

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
    // Archived is a flag over the stored status (see migration 30).
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

export function toEvent(r: EventRow): LiveEvent {
  return { blogId: r.blog_id, seq: Number(r.seq), type: r.type, data: json(r.data), at: iso(r.at) } as LiveEvent;
}

export const USER_COLUMNS = 'id, name, color, created_at, can_create_blogs';

export const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  color: r.color,
  createdAt: iso(r.created_at),
  canCreateBlogs: bool(r.can_create_blogs),
});

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

/** Copies a driver buffer into a plain Uint8Array (Buffers compare differently in tests and pools). */
export const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b);

import {
  type Block,
  type Blog,
  type Bullet,
  DomainError,
  emptySummary,
  LiveEvent,
  type Member,
  type Post,
  type Role,
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
  's.seq AS summary_seq, s.bullets AS summary_bullets, s.updated_at AS summary_updated_at';
export const BLOG_FROM = 'blogs b LEFT JOIN summary s ON s.blog_id = b.id';

export const POST_COLUMNS =
  'id, blog_id, seq, created_at, updated_at, author_id, author_name, status, pinned, key_event, blocks';

export function toBlog(r: BlogRow): Blog {
  const summary: Summary =
    r.summary_seq === null || r.summary_updated_at === null
      ? emptySummary()
      : { seq: r.summary_seq, bullets: json<Bullet[]>(r.summary_bullets), updatedAt: iso(r.summary_updated_at) };
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    description: r.description,
    status: r.status as Blog['status'],
    seq: Number(r.seq),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    allowedOrigins: json<string[]>(r.allowed_origins),
    summary,
  };
}

/** Stored post status: the two public ones plus the tombstone. */
export type StoredStatus = Post['status'] | 'deleted';

/** Maps a row; the caller has already excluded tombstones (status 'deleted'). */
export function toPost(r: PostRow): Post {
  return {
    id: r.id,
    blogId: r.blog_id,
    seq: Number(r.seq),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    author: { id: r.author_id, name: r.author_name },
    status: r.status === 'published' ? 'published' : 'draft',
    pinned: bool(r.pinned),
    keyEvent: bool(r.key_event),
    blocks: json<Block[]>(r.blocks),
  };
}

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

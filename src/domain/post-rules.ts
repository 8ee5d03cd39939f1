import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { conflict, DomainError } from './errors.js';
import type { LiveEvent } from './events.js';
import type { Post, StoredPost } from './post.js';
import type { Revision } from './workflow/correction.js';

/** Pinned posts shown on page one at most. */
export const MAX_PINNED = 20;

/**
 * What a post update means for readers: publishing is its creation, unpublishing is a
 * deletion, an edit of a published post is an update, draft edits are invisible (null).
 */
export function postTransition(previous: Post['status'], next: Post['status']): LiveEvent['type'] | null {
  // Draft, submitted and scheduled are all hidden from readers: leaving them is a creation.
  if (previous !== 'published') return next === 'published' ? 'post.created' : null;
  return next === 'published' ? 'post.updated' : 'post.deleted';
}

/**
 * Optimistic concurrency: a guarded write is refused when the post changed since the caller
 * read it (its updatedAt moved on).
 */
export function assertUnchanged(previous: Pick<Post, 'updatedAt'>, expectedUpdatedAt: string | undefined): void {
  if (expectedUpdatedAt !== undefined && previous.updatedAt !== expectedUpdatedAt) {
    throw conflict('the post changed meanwhile; read it again');
  }
}

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

/** JSON with every object's keys sorted, so equal values give equal strings. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Which fields a change to a published post altered (for its revision). */
export function changedFields(previous: StoredPost, next: StoredPost): Revision['changed'] {
  // Key order does not count: PostgreSQL's jsonb hands objects back with their keys reordered.
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  const changed: Revision['changed'] = [];
  if (!same(previous.blocks, next.blocks)) changed.push('blocks');
  if (previous.pinned !== next.pinned) changed.push('pinned');
  if (previous.keyEvent !== next.keyEvent) changed.push('keyEvent');
  if (!same(previous.tags, next.tags)) changed.push('tags');
  if (!same(previous.correction, next.correction)) changed.push('correction');
  if (previous.status !== next.status) changed.push('status');
  return changed;
}

/** A revision's id: one per reader-visible change of a post, so its seq makes it unique. */
export const revisionId = (postId: string, seq: number): string => `${postId}_${seq}`;

/** The blog status columns a patch writes: archived is a flag, ended_at follows the status. */
export function blogStatusColumns(
  cur: { status: string },
  stored: { status: string; endedAt: string | null; archivedAt: string | null },
  next: string | undefined,
  now: string,
): { status: string; endedAt: string | null; archivedAt: string | null } {
  if (next === undefined || next === cur.status) return { ...stored };
  if (next === 'archived') return { status: stored.status, endedAt: stored.endedAt ?? now, archivedAt: now };
  const endedAt = next === 'ended' ? (cur.status === 'ended' ? stored.endedAt : now) : null;
  return { status: next, endedAt, archivedAt: null };
}

// Cursors: opaque to clients, base64url of [createdAt, id] of the last post on a page.
const CursorShape = z.tuple([Timestamp, Id]);
const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,400}$/;

export interface PostCursor {
  createdAt: string;
  id: string;
}

// base64url (no padding) by hand: the domain also runs in browsers, where there is no Buffer.
function toBase64Url(text: string): string {
  const bin = Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('');
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeCursor(post: Pick<Post, 'createdAt' | 'id'>): string {
  return toBase64Url(JSON.stringify([post.createdAt, post.id]));
}

/** Throws validation_failed ("before: invalid cursor") for anything encodeCursor did not make. */
export function decodeCursor(cursor: string): PostCursor {
  const bad = () => new DomainError('validation_failed', 'before: invalid cursor');
  if (!CURSOR_TEXT.test(cursor)) throw bad();
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(cursor));
  } catch {
    throw bad();
  }
  const parsed = CursorShape.safeParse(raw);
  if (!parsed.success) throw bad();
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}

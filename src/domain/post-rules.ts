import { z } from 'zod';
import { Id, Timestamp } from './common.js';
import { conflict, DomainError } from './errors.js';
import type { LiveEvent } from './events.js';
import type { Post } from './post.js';

/** Pinned posts shown on page one at most. */
export const MAX_PINNED = 20;

/**
 * What a post update means for readers: publishing is its creation, unpublishing is a
 * deletion, an edit of a published post is an update, draft edits are invisible (null).
 */
export function postTransition(previous: Post['status'], next: Post['status']): LiveEvent['type'] | null {
  if (previous === 'draft') return next === 'published' ? 'post.created' : null;
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

/** Only the Post fields, whatever else the caller's object carries. */
export function pickPost(p: Omit<Post, 'seq'>): Omit<Post, 'seq'> {
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
  };
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

import { z } from 'zod';
import { DomainError } from '../errors.js';

/**
 * A blog's reading order: `newest` first (breaking news) or `oldest` first (a match report,
 * a trial read as a story). Readers may switch in the widget; this is the default.
 */
export const BlogOrder = z.enum(['newest', 'oldest']);
export type BlogOrder = z.infer<typeof BlogOrder>;
export const DEFAULT_ORDER: BlogOrder = 'newest';

/**
 * `ended`: the story is over; readers see so, and live connections are let go after a grace
 * period. `archived`: read-only for everyone, editors included, until an owner reopens it.
 */
export const ALL_BLOG_STATUSES = ['draft', 'live', 'ended', 'archived'] as const;

/** True when nothing about the blog or its posts may change (but its status, by an owner). */
export const isReadOnly = (status: string): boolean => status === 'archived';

/** Statuses in which readers can see the blog. */
export const isPublicStatus = (status: string): boolean => status !== 'draft';

/**
 * Refuses a write to an archived blog (409). `reopening`: the write only moves the blog out
 * of `archived` (an owner's PATCH of its status), the one change an archived blog accepts.
 */
export function assertWritable(blog: { status: string }, reopening = false): void {
  if (isReadOnly(blog.status) && !reopening) {
    throw new DomainError('conflict', 'the blog is archived and read-only; reopen it first (status live or ended)');
  }
}

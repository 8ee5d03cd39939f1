import type { Blog, LiveEvent, Post, Summary } from '../../src/domain/index.js';

/** What a reader page renders. Replaced (never mutated) on every change. */
export interface ReaderState {
  blog: Blog | null;
  summary: Summary | null;
  /** Pinned first (newest first), then the rest newest first. */
  posts: Post[];
  /** The last seq applied: every event up to it is reflected above. */
  seq: number;
  /** Readers connected to this blog across all server nodes (from heartbeats). */
  readers: number;
  connected: boolean;
  /** Whether loadMore() can fetch older posts. */
  hasMore: boolean;
  /** The last error (HTTP or subscribe), cleared on the next success. */
  error: string | null;
}

export const initialState = (): ReaderState => ({
  blog: null,
  summary: null,
  posts: [],
  seq: 0,
  readers: 0,
  connected: false,
  hasMore: false,
  error: null,
});

/** Newest first by (createdAt, id), pinned posts before all others: the server's page order. */
export function comparePosts(a: Post, b: Post): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

export function sortPosts(posts: Post[]): Post[] {
  return [...posts].sort(comparePosts);
}

/**
 * Applies one event (the caller ensures it is the next seq). Each change is checked
 * against what is already shown, so an event whose effect a fresh HTTP load already
 * contains is harmless: a post never goes back to an older version nor comes back after
 * its deletion (`deleted` remembers the seq of each deletion).
 */
export function applyEvent(state: ReaderState, event: LiveEvent, deleted: Map<string, number>): ReaderState {
  const next: ReaderState = { ...state, seq: Math.max(state.seq, event.seq) };
  switch (event.type) {
    case 'post.created':
    case 'post.updated': {
      const post = event.data;
      if ((deleted.get(post.id) ?? -1) > post.seq) return next;
      const current = state.posts.find((p) => p.id === post.id);
      if (current && current.seq > post.seq) return next;
      next.posts = sortPosts([...state.posts.filter((p) => p.id !== post.id), post]);
      return next;
    }
    case 'post.deleted':
      deleted.set(event.data.id, event.seq);
      next.posts = state.posts.filter((p) => p.id !== event.data.id);
      return next;
    case 'summary.updated':
      if (!state.summary || event.data.seq >= state.summary.seq) next.summary = event.data;
      return next;
    case 'blog.updated':
      if (!state.blog || event.data.seq >= state.blog.seq) next.blog = event.data;
      return next;
  }
}

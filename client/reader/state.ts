import type { Blog, LiveEvent, Post, Summary } from '../../src/domain/index.js';

/** Which posts a reader follows and in which order (widget attributes, the reader's switch). */
export interface ReaderView {
  order: 'newest' | 'oldest';
  /** Only posts carrying this (normalised) tag. */
  tag?: string | undefined;
  /** Only key events. */
  keyEvents?: boolean | undefined;
}

export const DEFAULT_VIEW: ReaderView = { order: 'newest' };

/** What a reader page renders. Replaced (never mutated) on every change. */
export interface ReaderState {
  blog: Blog | null;
  summary: Summary | null;
  /** Pinned first, then the rest in the view's order. */
  posts: Post[];
  /** The last seq applied: every event up to it is reflected above. */
  seq: number;
  /** Readers connected to this blog across all server nodes (from heartbeats). */
  readers: number;
  connected: boolean;
  /** Whether loadMore() can fetch more posts (older ones newest-first, newer ones oldest-first). */
  hasMore: boolean;
  /**
   * Oldest first with pages still unloaded: posts published meanwhile belong after those
   * pages, so they are counted here and arrive through loadMore instead of jumping the gap.
   */
  unloadedNewer: number;
  /** The view actually used (the blog's default order until the reader picks one). */
  view: ReaderView;
  /** The last error (HTTP or subscribe), cleared on the next success. */
  error: string | null;
}

export const initialState = (view: ReaderView = DEFAULT_VIEW): ReaderState => ({
  blog: null,
  summary: null,
  posts: [],
  seq: 0,
  readers: 0,
  connected: false,
  hasMore: false,
  unloadedNewer: 0,
  view,
  error: null,
});

const tagsOf = (p: Post): readonly string[] => (p as Post & { tags?: string[] }).tags ?? [];

/** True when the post belongs in the view (the server's `tag` / `keyEvents` filters, applied to events). */
export function matchesView(p: Post, view: ReaderView): boolean {
  if (view.keyEvents && !p.keyEvent) return false;
  if (view.tag && !tagsOf(p).includes(view.tag)) return false;
  return true;
}

/** By (createdAt, id) in the view's order, pinned posts before all others: the server's page order. */
export function comparePosts(a: Post, b: Post, order: ReaderView['order'] = 'newest'): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
  const dir = order === 'oldest' ? -1 : 1;
  if (a.createdAt !== b.createdAt) return (a.createdAt < b.createdAt ? 1 : -1) * dir;
  if (a.id !== b.id) return (a.id < b.id ? 1 : -1) * dir;
  return 0;
}

export function sortPosts(posts: Post[], order: ReaderView['order'] = 'newest'): Post[] {
  return [...posts].sort((a, b) => comparePosts(a, b, order));
}

/** Oldest first with more pages to load: is `post` beyond the last post loaded so far? */
function beyondLoaded(state: ReaderState, post: Post): boolean {
  if (state.view.order !== 'oldest' || !state.hasMore || post.pinned) return false;
  const last = [...state.posts].reverse().find((p) => !p.pinned);
  return last !== undefined && comparePosts(post, last, 'oldest') > 0;
}

/**
 * Applies one event (the caller ensures it is the next seq). Each change is checked
 * against what is already shown, so an event whose effect a fresh HTTP load already
 * contains is harmless: a post never goes back to an older version nor comes back after
 * its deletion (`deleted` remembers the seq of each deletion). A post that stops matching
 * the view (lost its tag, no longer a key event) leaves it; one that starts matching joins.
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
      const others = state.posts.filter((p) => p.id !== post.id);
      if (!matchesView(post, state.view)) {
        next.posts = others;
        return next;
      }
      if (!current && beyondLoaded(state, post)) {
        next.unloadedNewer = state.unloadedNewer + 1;
        return next;
      }
      next.posts = sortPosts([...others, post], state.view.order);
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

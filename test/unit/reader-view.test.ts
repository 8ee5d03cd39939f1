import { describe, expect, it } from 'vitest';
import { applyEvent, initialState, type ReaderState, type ReaderView } from '../../client/reader/state.js';
import type { LiveEvent, Post } from '../../src/domain/index.js';

const at = '2026-01-01T00:00:00.000Z';

function post(id: string, minute: number, extra: Partial<Post> & { tags?: string[] } = {}): Post {
  return {
    id,
    blogId: 'b',
    seq: minute,
    createdAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
    updatedAt: at,
    author: { id: 'a', name: 'A' },
    status: 'published',
    pinned: false,
    keyEvent: false,
    blocks: [{ type: 'text', html: `<p>${id}</p>` }],
    ...extra,
  } as Post;
}

const ev = (type: 'post.created' | 'post.updated', p: Post, seq: number): LiveEvent => ({
  blogId: 'b',
  seq,
  at,
  type,
  data: { ...p, seq },
});

function run(view: ReaderView, events: LiveEvent[], start: Partial<ReaderState> = {}): ReaderState {
  const tomb = new Map<string, number>();
  return events.reduce((s, e) => applyEvent(s, e, tomb), { ...initialState(view), ...start });
}

describe('reader views', () => {
  it('oldest first: new posts land at the end, pinned still first', () => {
    const s = run({ order: 'oldest' }, [
      ev('post.created', post('a', 1), 1),
      ev('post.created', post('p', 2, { pinned: true }), 2),
      ev('post.created', post('b', 3), 3),
    ]);
    expect(s.posts.map((p) => p.id)).toEqual(['p', 'a', 'b']);
  });

  it('oldest first with pages unloaded: a new post is counted, not put after the loaded ones', () => {
    const start = { posts: [post('a', 1), post('b', 2)], hasMore: true, seq: 2 };
    const s = run({ order: 'oldest' }, [ev('post.created', post('z', 9), 3)], start);
    expect(s.posts.map((p) => p.id)).toEqual(['a', 'b']);
    expect(s.unloadedNewer).toBe(1);
    expect(s.seq).toBe(3);
    // An edit of a loaded post still applies in place.
    const e = run({ order: 'oldest' }, [ev('post.updated', post('a', 1, { keyEvent: true }), 3)], start);
    expect(e.posts[0]?.keyEvent).toBe(true);
  });

  it('a tag filter: a post that gains the tag appears, one that loses it disappears', () => {
    const view: ReaderView = { order: 'newest', tag: 'goals' };
    const s = run(view, [
      ev('post.created', post('a', 1), 1),
      ev('post.created', post('b', 2, { tags: ['goals'] }), 2),
      ev('post.updated', post('a', 1, { tags: ['goals', 'var'] }), 3),
    ]);
    expect(s.posts.map((p) => p.id)).toEqual(['b', 'a']);
    const t = run(view, [ev('post.updated', post('b', 2, { tags: [] }), 4)], s);
    expect(t.posts.map((p) => p.id)).toEqual(['a']);
  });

  it('key events only', () => {
    const s = run({ order: 'newest', keyEvents: true }, [
      ev('post.created', post('a', 1), 1),
      ev('post.created', post('b', 2, { keyEvent: true }), 2),
      ev('post.updated', post('a', 1, { keyEvent: true }), 3),
      ev('post.updated', post('b', 2, { keyEvent: false }), 4),
    ]);
    expect(s.posts.map((p) => p.id)).toEqual(['a']);
  });
});

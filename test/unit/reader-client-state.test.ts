import { describe, expect, it } from 'vitest';
import { applyEvent, initialState, type ReaderState, sortPosts } from '../../client/reader/state.js';
import type { LiveEvent, Post } from '../../src/domain/index.js';

const at = '2026-01-01T00:00:00.000Z';

function post(id: string, seq: number, extra: Partial<Post> = {}): Post {
  return {
    id,
    blogId: 'b',
    seq,
    createdAt: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    updatedAt: at,
    author: { id: 'a', name: 'A' },
    status: 'published',
    pinned: false,
    keyEvent: false,
    blocks: [{ type: 'text', html: `<p>${id}@${seq}</p>` }],
    ...extra,
  };
}

const created = (p: Post, seq = p.seq): LiveEvent => ({ blogId: 'b', seq, at, type: 'post.created', data: p });
const updated = (p: Post, seq = p.seq): LiveEvent => ({ blogId: 'b', seq, at, type: 'post.updated', data: p });
const deleted = (id: string, seq: number): LiveEvent => ({ blogId: 'b', seq, at, type: 'post.deleted', data: { id } });

function run(events: LiveEvent[], start: ReaderState = initialState()): ReaderState {
  const tomb = new Map<string, number>();
  return events.reduce((s, e) => applyEvent(s, e, tomb), start);
}

describe('reader state', () => {
  it('orders pinned posts first, then newest first', () => {
    const s = run([created(post('a', 1)), created(post('b', 2)), updated(post('a', 3, { pinned: true }))]);
    expect(s.posts.map((p) => p.id)).toEqual(['a', 'b']);
    expect(s.seq).toBe(3);
    expect(sortPosts([post('x', 1), post('y', 2)]).map((p) => p.id)).toEqual(['y', 'x']);
  });

  it('replaying events already reflected by a fresh load changes nothing', () => {
    // A load taken at seq 4 that already shows the edit (seq 4) and lacks the deleted post.
    const loaded: ReaderState = { ...initialState(), seq: 2, posts: [post('a', 4, { keyEvent: true })] };
    const s = run([updated(post('a', 3)), deleted('c', 4), created(post('c', 2), 2)], loaded);
    expect(s.posts).toEqual([post('a', 4, { keyEvent: true })]);
  });

  it('never brings a deleted post back from an older event', () => {
    const s = run([created(post('a', 1)), deleted('a', 2), updated(post('a', 1), 3)]);
    expect(s.posts).toEqual([]);
  });

  it('keeps the newest summary and blog', () => {
    const summary = (seq: number) => ({ seq, bullets: [{ html: `<b>${seq}</b>`, text: String(seq) }], updatedAt: at });
    const s = run([
      { blogId: 'b', seq: 1, at, type: 'summary.updated', data: summary(5) },
      { blogId: 'b', seq: 2, at, type: 'summary.updated', data: summary(3) },
    ]);
    expect(s.summary?.seq).toBe(5);
  });
});

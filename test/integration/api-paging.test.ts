import { beforeAll, describe, expect, test } from 'vitest';
import type { LiveEvent, Post } from '../../src/domain/index.js';
import { setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Paging over 300 posts, replay of changes with reset, and HTTP caching of public reads. */
const TOTAL = 300;
const PINNED = 3;
let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
const created: Post[] = [];

beforeAll(async () => {
  server = await startServer({ REPLAY_WINDOW: '100', RATE_WRITES_PER_MIN: '10000' });
  cast = await setupBlog(server.url, server.adminToken, 'Paging');
  // A few writers at once, as in a newsroom; bounded to TOTAL posts.
  const writers = [cast.editor, cast.owner, cast.admin];
  let next = 0;
  await Promise.all(
    writers.map(async (w) => {
      while (next < TOTAL) {
        const n = next++;
        created.push(await w.createPost(cast.blog.id, { blocks: [text(`<p>update ${n}</p>`)] }));
      }
    }),
  );
  for (const p of created.slice(10, 10 + PINNED)) await cast.editor.patchPost(cast.blog.id, p.id, { pinned: true });
}, 60_000);

const newestFirst = (a: Post, b: Post) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

describe('paging', () => {
  test('every post exactly once, newest first, pinned first on page one only', async () => {
    const pages: Post[][] = [];
    let before: string | null = null;
    for (let i = 0; i < 20; i++) {
      const page = await cast.anon.listPosts(cast.blog.slug, { limit: 50, before });
      pages.push(page.posts);
      before = page.nextCursor;
      if (!before) break;
    }
    expect(before).toBeNull();
    const [first, ...rest] = pages;
    expect(first?.slice(0, PINNED).every((p) => p.pinned)).toBe(true);
    expect(first?.slice(PINNED).some((p) => p.pinned)).toBe(false);
    expect(rest.flat().some((p) => p.pinned)).toBe(false);
    expect(first?.slice(0, PINNED)).toEqual([...(first?.slice(0, PINNED) ?? [])].sort(newestFirst));

    const unpinned = pages.flatMap((p, i) => (i === 0 ? p.slice(PINNED) : p));
    expect(unpinned).toEqual([...unpinned].sort(newestFirst));
    const ids = [...(first?.slice(0, PINNED) ?? []), ...unpinned].map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(created.map((p) => p.id)));
    expect(pages.slice(0, -1).every((p, i) => p.length === (i === 0 ? 50 + PINNED : 50))).toBe(true);
  });

  test('limit bounds the page size; a cursor past the end gives an empty last page', async () => {
    const page = await cast.anon.listPosts(cast.blog.id, { limit: 1 });
    expect(page.posts).toHaveLength(1 + PINNED);
    expect(page.nextCursor).not.toBeNull();
    const def = await cast.anon.listPosts(cast.blog.id);
    expect(def.posts).toHaveLength(20 + PINNED);
  });
});

describe('changes', () => {
  test('replays contiguous events after since; reset when too old or ahead', async () => {
    const blog = await cast.anon.getBlog(cast.blog.id);
    expect(blog.seq).toBe(TOTAL + PINNED);
    const recent = await cast.anon.changes(cast.blog.id, blog.seq - 60);
    expect('events' in recent).toBe(true);
    const events = (recent as { events: LiveEvent[] }).events;
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => blog.seq - 59 + i));
    expect(events.slice(-PINNED).every((e) => e.type === 'post.updated' && 'pinned' in e.data && e.data.pinned)).toBe(
      true,
    );
    expect(await cast.anon.changes(cast.blog.id, blog.seq)).toEqual({ seq: blog.seq, events: [] });
    expect(await cast.anon.changes(cast.blog.id, 0)).toEqual({ seq: blog.seq, reset: true });
    expect(await cast.anon.changes(cast.blog.id, blog.seq + 5)).toEqual({ seq: blog.seq, reset: true });
  });
});

describe('HTTP caching', () => {
  test('ETag and 304 on public reads; a change gives a new ETag', async () => {
    const path = `/api/v1/blogs/${cast.blog.id}/posts?limit=5`;
    const first = await cast.anon.raw('GET', path);
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const again = await cast.anon.raw('GET', path, { headers: { 'if-none-match': tag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    await cast.editor.createPost(cast.blog.id, { blocks: [text('newer')] });
    const changed = await cast.anon.raw('GET', path, { headers: { 'if-none-match': tag ?? '' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(tag);
  });

  test('token-dependent answers are private', async () => {
    const res = await cast.editor.raw('GET', `/api/v1/blogs/${cast.blog.id}/posts?status=draft`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('changes with a replay window wider than one store page', () => {
  // `{ seq, events }` says "apply these and you are at seq": with REPLAY_WINDOW above the
  // route's page size the events stopped short of `seq`, and a client that trusted it
  // skipped the rest for good.
  test('every event up to the answered seq is in the answer', async () => {
    const wide = await startServer({ REPLAY_WINDOW: '1500' });
    const blog = await wide.app.deps.store.createBlog(
      { id: 'wide-window', slug: 'wide-window', title: 'Wide', description: '', status: 'live', allowedOrigins: [] },
      new Date().toISOString(),
    );
    const TOTAL_EVENTS = 1_200;
    for (let i = 0; i < TOTAL_EVENTS; i++) {
      await wide.app.deps.store.publishSummary(blog.id, [{ html: `b${i}`, text: `b${i}` }], new Date().toISOString());
    }
    const res = await fetch(`${wide.url}/api/v1/blogs/${blog.id}/changes?since=0`);
    const body = (await res.json()) as { seq: number; events: LiveEvent[] };
    expect(body.seq).toBe(TOTAL_EVENTS);
    expect(body.events.map((e) => e.seq)).toEqual(Array.from({ length: TOTAL_EVENTS }, (_, i) => i + 1));
  }, 30_000);
});

import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Reader-side memory and store load stay bounded (issue 13 item 7): rings by bytes across
 * every blog, subscribes per socket, chosen sinceSeqs sharing catch-up ranges, /changes and
 * /summary/history cached by what they depend on.
 */

function countCalls<K extends 'listChanges' | 'listSummaryHistory'>(store: Store, method: K): { n: number } {
  const counter = { n: 0 };
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    counter.n += 1;
    return original(...args);
  };
  return counter;
}

async function gauge(url: string, name: string): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

describe('reader-side bounds', () => {
  it('every ring together stays within REPLAY_MEMORY_BYTES, and catch-ups stay right', async () => {
    const budget = 40_000;
    const srv = await startServer({ REPLAY_MEMORY_BYTES: String(budget), HEARTBEAT_MS: '100' });
    const admin = createApi(srv.url, srv.adminToken);
    const blogs = [];
    for (let b = 0; b < 6; b++) {
      const blog = await admin.createBlog({ title: `Bound ${b}` });
      for (let i = 0; i < 20; i++)
        await admin.createPost(blog.id, { blocks: [text(`<p>${'z'.repeat(500)} ${i}</p>`)] });
      blogs.push(blog);
    }
    // Six blogs × 20 events × ~1 KB would be ~130 KB of rings without the bound.
    const reader = openReader(srv.url);
    for (const blog of blogs) expect(await reader.subscribe({ blogId: blog.id })).toMatchObject({ ok: true });
    await waitFor(async () => (await gauge(srv.url, 'liveblog_blog_streams_loaded')) === 6, { what: 'six feeds' });
    const used = await gauge(srv.url, 'liveblog_replay_ring_bytes');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(budget);
    // A reader at seq 0 of any blog still gets every event (from the store where the ring lost them).
    for (const blog of blogs) {
      const late = openReader(srv.url);
      const ack = await late.subscribe({ blogId: blog.id, sinceSeq: 0 });
      expect(ack.ok && 'events' in ack && ack.events.map((e) => e.seq)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    }
  });

  it('throttles subscribes per socket: a burst of 20, then rate_limited', async () => {
    const srv = await startServer({ RATE_SUBSCRIBES_PER_MIN: '1' });
    const blog = await createApi(srv.url, srv.adminToken).createBlog({ title: 'Throttle' });
    const r = openReader(srv.url);
    const acks = [];
    for (let i = 0; i < 24; i++) acks.push(await r.subscribe({ blogId: blog.id, sinceSeq: 0 }));
    expect(acks.slice(0, 20).every((a) => a.ok)).toBe(true);
    expect(acks.slice(20).every((a) => !a.ok && a.error.code === 'rate_limited')).toBe(true);
    // Another socket has its own budget, and the throttled one is still subscribed and connected.
    expect(await openReader(srv.url).subscribe({ blogId: blog.id })).toMatchObject({ ok: true });
    expect(r.socket.connected).toBe(true);
  });

  it('chosen sinceSeqs share aligned catch-up ranges instead of forcing a store read each', async () => {
    const srv = await startServer({ REPLAY_MEMORY: '10', RATE_SUBSCRIBES_PER_MIN: '100000' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Ranges' });
    for (let i = 0; i < 120; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const first = openReader(srv.url);
    await first.subscribe({ blogId: blog.id });
    const reads = countCalls(srv.app.deps.store, 'listChanges');
    const r = openReader(srv.url);
    for (let since = 1; since <= 60; since++) {
      const ack = await r.subscribe({ blogId: blog.id, sinceSeq: since });
      expect(ack.ok && 'events' in ack && ack.events[0]?.seq).toBe(since + 1);
      expect(ack.ok && 'events' in ack && ack.events.at(-1)?.seq).toBe(120);
    }
    // 60 distinct sinceSeqs in one block of 100: one range, read once (a few pages at most).
    expect(reads.n).toBeLessThanOrEqual(2);
  });

  it('caches /changes by (blog, since, head) and /summary/history by (blog, limit, head)', async () => {
    const srv = await startServer();
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Polling' });
    for (let i = 0; i < 5; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const store = srv.app.deps.store;
    const changes = countCalls(store, 'listChanges');
    const history = countCalls(store, 'listSummaryHistory');
    const anon = createApi(srv.url);
    for (let i = 0; i < 20; i++) {
      expect((await anon.changes(blog.id, 2)) as { events: unknown[] }).toMatchObject({ seq: 5 });
      await anon.summaryHistory(blog.id);
    }
    expect(changes.n).toBe(1);
    expect(history.n).toBe(1);
    // A new event moves the head: the next poll reads again, and sees it.
    await admin.createPost(blog.id, { blocks: [text('<p>new</p>')] });
    const next = (await anon.changes(blog.id, 2)) as { seq: number; events: { seq: number }[] };
    expect(next.seq).toBe(6);
    expect(next.events.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    expect(changes.n).toBe(2);
    // A burst on a just-changed head (a push alert): one store read for all of it.
    await admin.createPost(blog.id, { blocks: [text('<p>alert</p>')] });
    const burst = await Promise.all(Array.from({ length: 100 }, () => anon.changes(blog.id, 2)));
    expect(burst.every((b) => b.seq === 7)).toBe(true);
    expect(changes.n).toBe(3);
  });
});

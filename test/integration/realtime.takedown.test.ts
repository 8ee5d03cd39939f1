import { describe, expect, it } from 'vitest';
import { applyEvent, initialState } from '../../client/reader/state.js';
import type { LiveEvent } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Takedowns in the reader hub's memory (issue 13 item 5): once a post is deleted, no replay
 * served from the ring or from a shared catch-up range carries its earlier content, and a
 * replay still ends in the same state.
 */
const SECRET = 'libellous sentence';

function finalIds(events: LiveEvent[]): string[] {
  const deleted = new Map<string, number>();
  let state = initialState();
  for (const e of events) state = applyEvent(state, e, deleted);
  return state.posts.map((p) => p.id).sort();
}

async function scenario(env: Record<string, string>) {
  const srv = await startServer(env);
  const admin = createApi(srv.url, srv.adminToken);
  const blog = await admin.createBlog({ title: 'Takedown' });
  const watcher = openReader(srv.url);
  await watcher.subscribe({ blogId: blog.id, sinceSeq: 0 });
  const bad = await admin.createPost(blog.id, { blocks: [text(`<p>${SECRET}</p>`)] });
  await admin.patchPost(blog.id, bad.id, { blocks: [text(`<p>${SECRET}, again</p>`)] });
  const kept: string[] = [];
  for (let i = 0; i < 4; i++) kept.push((await admin.createPost(blog.id, { blocks: [text(`<p>ok ${i}</p>`)] })).id);
  return { srv, admin, blog, watcher, bad, kept };
}

describe('takedowns in replays', () => {
  it('scrubs the ring: a catch-up after the delete carries no trace of the content and ends in the same state', async () => {
    const { srv, admin, blog, watcher, bad, kept } = await scenario({});
    await admin.deletePost(blog.id, bad.id);
    await waitFor(() => watcher.events.some((e) => e.type === 'post.deleted'), { what: 'the delete' });
    const late = openReader(srv.url);
    const ack = await late.subscribe({ blogId: blog.id, sinceSeq: 0 });
    expect(ack.ok && 'events' in ack).toBe(true);
    const events = ack.ok && 'events' in ack ? ack.events : [];
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    // Same end state as the reader who watched it live.
    expect(finalIds(events)).toEqual(kept.sort());
    expect(finalIds(watcher.events)).toEqual(kept.sort());
  });

  it('end to end: /changes, the posts page and the public page serve no trace after the delete (store tombstones too)', async () => {
    const { srv, admin, blog, bad, kept } = await scenario({});
    const anon = createApi(srv.url);
    // Warm every cache first: the cached bodies must go with the takedown.
    expect(JSON.stringify(await anon.changes(blog.id, 0))).toContain(SECRET);
    expect(JSON.stringify(await anon.listPosts(blog.id))).toContain(SECRET);
    await admin.deletePost(blog.id, bad.id);
    const changes = await anon.changes(blog.id, 0);
    expect(JSON.stringify(changes)).not.toContain(SECRET);
    expect('events' in changes && finalIds(changes.events)).toEqual(kept.sort());
    expect(JSON.stringify(await anon.listPosts(blog.id))).not.toContain(SECRET);
    expect(await (await fetch(`${srv.url}/live/${blog.slug}`)).text()).not.toContain(SECRET);
    expect(await (await fetch(`${srv.url}/live/${blog.slug}/feed.atom`)).text()).not.toContain(SECRET);
  });

  it('scrubs shared catch-up ranges read from the store before the delete', async () => {
    // A ring of 2: a reader at seq 0 is served a range read from the store, shared with the
    // next readers asking for the same.
    const { srv, admin, blog, bad, kept } = await scenario({ REPLAY_MEMORY: '2' });
    const before = openReader(srv.url);
    const first = await before.subscribe({ blogId: blog.id, sinceSeq: 0 });
    expect(JSON.stringify(first)).toContain(SECRET);
    await admin.deletePost(blog.id, bad.id);
    await waitFor(() => before.events.some((e) => e.type === 'post.deleted'), { what: 'the delete' });
    for (const since of [0, 1]) {
      const late = openReader(srv.url);
      const ack = await late.subscribe({ blogId: blog.id, sinceSeq: since });
      const events = ack.ok && 'events' in ack ? ack.events : [];
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 7 - since }, (_, i) => since + 1 + i));
      expect(JSON.stringify(events)).not.toContain(SECRET);
      if (since === 0) expect(finalIds(events)).toEqual(kept.sort());
    }
  });

  it('scrubs a feed loaded after the delete, and unpublishing counts as a takedown too', async () => {
    const srv = await startServer();
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Unpublish' });
    const bad = await admin.createPost(blog.id, { blocks: [text(`<p>${SECRET}</p>`)] });
    await admin.createPost(blog.id, { blocks: [text('<p>fine</p>')] });
    await admin.patchPost(blog.id, bad.id, { status: 'draft' });
    // No reader yet: the feed loads now, from the store, with the takedown in its window.
    const late = openReader(srv.url);
    const ack = await late.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const events = ack.ok && 'events' in ack ? ack.events : [];
    expect(events.map((e) => e.type)).toEqual(['post.deleted', 'post.created', 'post.deleted']);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });
});

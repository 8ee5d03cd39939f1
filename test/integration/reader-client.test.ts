import { describe, expect, it } from 'vitest';
import { createReaderClient, type ReaderClient } from '../../client/reader/index.js';
import type { LiveEvent } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { allPosts, expectSamePosts } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

function reader(opts: Parameters<typeof createReaderClient>[0]): ReaderClient {
  const c = createReaderClient(opts);
  registerCleanup(() => c.close());
  return c;
}

/** Simulates events lost on the way: the client's own `event` handler never sees `lost` seqs. */
function loseEvents(client: ReaderClient, lost: Set<number>): void {
  const s = client.socket;
  if (!s) throw new Error('not connected');
  const handlers = s.listeners('event') as ((e: LiveEvent) => void)[];
  for (const h of handlers) {
    s.off('event', h);
    s.on('event', (e: LiveEvent) => {
      if (!lost.has(e.seq)) h(e);
    });
  }
}

async function changesCalls(url: string): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith('liveblog_http_request_duration_seconds_count') && line.includes('changes')) {
      n += Number(line.split(' ').pop());
    }
  }
  return n;
}

describe('reader client', () => {
  it('loads the blog, applies live events, and pages older posts with loadMore', async () => {
    const srv = await startServer();
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Client basics' });
    for (let i = 0; i < 5; i++) await admin.createPost(blog.id, { blocks: [text(`<p>old ${i}</p>`)] });
    const c = reader({ baseUrl: srv.url, blog: blog.slug, pageSize: 2 });
    await c.ready;
    expect(c.state.blog?.id).toBe(blog.id);
    expect(c.state.posts).toHaveLength(2);
    expect(c.state.hasMore).toBe(true);

    const p = await admin.createPost(blog.id, { blocks: [text('<p>new</p>')] });
    await admin.patchPost(blog.id, p.id, { pinned: true });
    const renamed = await admin.patchBlog(blog.id, { title: 'Renamed' });
    await waitFor(() => c.state.seq === renamed.seq, { what: 'live events' });
    expect(c.state.posts[0]).toMatchObject({ id: p.id, pinned: true });
    expect(c.state.blog?.title).toBe('Renamed');

    for (let i = 0; i < 5 && c.state.hasMore; i++) await c.loadMore();
    expectSamePosts(c.state.posts, await allPosts(admin, blog.id));
  });

  it('fills a gap from changes?since= when an event arrives ahead of its seq', async () => {
    const srv = await startServer({ HEARTBEAT_MS: '60000' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Gap' });
    const c = reader({ baseUrl: srv.url, blog: blog.id });
    await c.ready;
    loseEvents(c, new Set([2, 3]));
    const before = await changesCalls(srv.url);
    for (let i = 0; i < 4; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    await waitFor(() => c.state.seq === 4, { what: 'gap filled' });
    expect(await changesCalls(srv.url)).toBeGreaterThan(before);
    expectSamePosts(c.state.posts, await allPosts(admin, blog.id));
  });

  it('notices a lost last event from the heartbeat and fetches it', async () => {
    const srv = await startServer({ HEARTBEAT_MS: '150' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Lost tail' });
    const c = reader({ baseUrl: srv.url, blog: blog.id });
    await c.ready;
    loseEvents(c, new Set([1, 2]));
    await admin.createPost(blog.id, { blocks: [text('<p>a</p>')] });
    await admin.createPost(blog.id, { blocks: [text('<p>b</p>')] });
    await waitFor(() => c.state.seq === 2, { what: 'tail from heartbeat' });
    expect(c.state.posts).toHaveLength(2);
    expect(c.state.readers).toBe(1);
  });

  it('reloads on reset after being away for longer than the replay window', async () => {
    const srv = await startServer({ REPLAY_WINDOW: '3', REPLAY_MEMORY: '2' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Away' });
    const first = await admin.createPost(blog.id, { blocks: [text('<p>first</p>')] });
    const c = reader({ baseUrl: srv.url, blog: blog.id, io: { reconnection: false } });
    await c.ready;
    c.socket?.disconnect();
    await admin.deletePost(blog.id, first.id);
    for (let i = 0; i < 6; i++) await admin.createPost(blog.id, { blocks: [text(`<p>while away ${i}</p>`)] });
    const head = (await admin.getBlog(blog.id)).seq;
    expect(c.state.seq).toBe(1);
    c.socket?.connect();
    await waitFor(() => c.state.seq === head, { what: 'reloaded after reset' });
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/liveblog_catchups_total\{outcome="reset"\} 1/);
    expectSamePosts(c.state.posts, await allPosts(admin, blog.id));
    expect(c.state.posts.some((p) => p.id === first.id)).toBe(false);
  });

  it('reports an unknown blog instead of retrying forever', async () => {
    const srv = await startServer();
    const c = reader({ baseUrl: srv.url, blog: 'no-such-blog' });
    await waitFor(() => c.state.error?.includes('404'), { what: 'not found error' });
    expect(c.socket).toBeNull();
    expect(c.state.blog).toBeNull();
  });
});

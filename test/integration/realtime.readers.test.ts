import { describe, expect, it } from 'vitest';
import { createReaderClient, type ReaderClient } from '../../client/reader/index.js';
import { createApi, text } from '../helpers/api.js';
import { allPosts, expectSamePosts, openReader, type RawReader, range } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

describe('many readers', () => {
  it('120 readers across websocket and polling each get every event once, in order', async () => {
    const srv = await startServer({ MAX_CONNECTIONS_PER_IP: '500' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Crowd' });
    const readers: RawReader[] = [];
    for (let i = 0; i < 120; i++) {
      readers.push(openReader(srv.url, { transports: i % 3 === 0 ? ['polling'] : ['websocket'] }));
    }
    await Promise.all(readers.map((r) => r.subscribe({ blogId: blog.id, sinceSeq: 0 })));
    const polling = readers.filter((r) => r.socket.io.engine.transport.name === 'polling').length;
    expect(polling).toBe(40);

    const n = 15;
    await Promise.all(
      range(1, 3).map(async (w) => {
        for (let i = 0; i < n / 3; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${w}.${i}</p>`)] });
      }),
    );
    await waitFor(() => readers.every((r) => r.events.length >= n), { timeoutMs: 20_000, what: 'every reader' });
    for (const r of readers) expect(r.seqs()).toEqual(range(1, n));
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toMatch(/liveblog_readers_connected\{transport="polling"\} 40/);
    expect(metrics).toMatch(/liveblog_readers_connected\{transport="websocket"\} 80/);
    // 120 concurrent cold subscribes shared one store load.
    expect(metrics).toMatch(/liveblog_sequencer_store_reads_total\{why="load"\} 1\n/);

    // A reconnect storm: everyone comes back at once with its seq, served from memory.
    for (const r of readers) r.socket.disconnect();
    const again = range(1, 120).map(() => openReader(srv.url, { transports: ['websocket'] }));
    const acks = await Promise.all(again.map((r) => r.subscribe({ blogId: blog.id, sinceSeq: 10 })));
    for (const ack of acks) expect(ack.ok && 'events' in ack && ack.events.map((e) => e.seq)).toEqual(range(11, n));
    const after = await (await fetch(`${srv.url}/metrics`)).text();
    expect(after).toMatch(/liveblog_catchups_total\{outcome="memory"\} 240\n/);
    expect(after).not.toMatch(/liveblog_catchups_total\{outcome="store"\}/);
    expect(after).not.toMatch(/liveblog_sequencer_store_reads_total\{why="catchup"\}/);
  });

  it('reader clients that drop mid-stream and resubscribe end with exactly the server post list', async () => {
    const srv = await startServer({ REPLAY_MEMORY: '10' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Flaky phones' });
    const clients: ReaderClient[] = range(1, 12).map((i) =>
      createReaderClient({
        baseUrl: srv.url,
        blog: i % 2 ? blog.id : blog.slug,
        pageSize: 100,
        io: { transports: i % 4 === 0 ? ['polling'] : ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 200 },
      }),
    );
    registerCleanup(() => {
      for (const c of clients) c.close();
    });
    await Promise.all(clients.map((c) => c.ready));
    let drops = 0;
    for (const c of clients) c.socket?.on('disconnect', () => (drops += 1));

    const posts: string[] = [];
    for (let i = 0; i < 40; i++) {
      const verb = i % 10;
      if (verb === 7 && posts.length > 2) {
        await admin.deletePost(blog.id, posts.shift() ?? '');
      } else if (verb === 8 && posts.length > 0) {
        await admin.patchPost(blog.id, posts[posts.length - 1] ?? '', {
          blocks: [text(`<p>edit ${i}</p>`)],
          pinned: i % 20 === 8,
        });
      } else {
        posts.push((await admin.createPost(blog.id, { blocks: [text(`<p>post ${i}</p>`)] })).id);
      }
      // Drop a few connections mid-stream; the engine reconnects them by itself.
      if (i % 6 === 3) {
        for (const c of clients.filter((_, k) => (k + i) % 3 === 0)) if (c.state.connected) c.socket?.io.engine.close();
      }
    }
    const expected = await allPosts(admin, blog.id);
    const head = (await admin.getBlog(blog.id)).seq;
    await waitFor(() => clients.every((c) => c.state.seq === head && c.state.connected), {
      timeoutMs: 20_000,
      what: 'every client at head',
    }).catch((err) => {
      console.log(
        head,
        clients.map((c) => [c.state.seq, c.state.connected, c.state.error]),
      );
      throw err;
    });
    for (const c of clients) expectSamePosts(c.state.posts, expected);
    expect(drops).toBeGreaterThanOrEqual(4);
  });
});

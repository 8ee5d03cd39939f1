import { describe, expect, it } from 'vitest';
import { createReaderClient, type ReaderClient } from '../../client/reader/index.js';
import { createApi, text } from '../helpers/api.js';
import { allPosts, expectSamePosts } from '../helpers/realtime.js';
import { ADMIN_TOKEN, spawnServer, tempDataDir } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

describe('server restarts', () => {
  it('reader clients reconnect to the restarted process and catch up (crash, then graceful stop)', async () => {
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: tempDataDir(), HEARTBEAT_MS: '500' };
    let proc = await spawnServer(env);
    const admin = createApi(proc.url, ADMIN_TOKEN);
    const blog = await admin.createBlog({ title: 'Restarts' });
    for (let i = 0; i < 3; i++) await admin.createPost(blog.id, { blocks: [text(`<p>before ${i}</p>`)] });

    const clients: ReaderClient[] = [0, 1, 2, 3].map((i) =>
      createReaderClient({
        baseUrl: proc.url,
        blog: blog.slug,
        io: { transports: i % 2 ? ['polling'] : ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 },
      }),
    );
    registerCleanup(() => {
      for (const c of clients) c.close();
    });
    await Promise.all(clients.map((c) => c.ready));
    expect(clients.map((c) => c.state.seq)).toEqual([3, 3, 3, 3]);

    const restart = async (how: 'kill' | 'terminate', label: string) => {
      if (how === 'kill') await proc.kill();
      else expect(await proc.terminate()).toBe(0);
      await waitFor(() => clients.every((c) => !c.state.connected), { what: `clients to notice (${label})` });
      proc = await spawnServer(env);
      // Written while the readers are still reconnecting.
      const p = await admin.createPost(blog.id, { blocks: [text(`<p>${label}</p>`)] });
      await admin.patchPost(blog.id, p.id, { pinned: true });
      const head = (await admin.getBlog(blog.id)).seq;
      await waitFor(() => clients.every((c) => c.state.connected && c.state.seq === head), {
        timeoutMs: 20_000,
        what: `clients to catch up (${label})`,
      });
      const expected = await allPosts(admin, blog.id);
      for (const c of clients) expectSamePosts(c.state.posts, expected);
    };

    await restart('kill', 'after crash');
    await restart('terminate', 'after graceful stop');
    // Live events still flow on the new connections.
    await admin.createPost(blog.id, { blocks: [text('<p>live again</p>')] });
    const head = (await admin.getBlog(blog.id)).seq;
    await waitFor(() => clients.every((c) => c.state.seq === head), { what: 'live event after restarts' });
    await proc.kill();
  }, 60_000);
});

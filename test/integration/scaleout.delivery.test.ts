import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Post } from '../../src/domain/index.js';
import { type Api, text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import {
  allPosts,
  expectSamePosts,
  followBlog,
  openReaderClient,
  postsFromEvents,
  range,
  subscribed,
} from '../helpers/scaleout.js';
import { startOwnRedis } from '../helpers/services.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/** A plain Redis client of the test's own, closed after the file. */
function redisClient(url: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  registerCleanup(() => {
    r.disconnect();
  });
  return r;
}

/**
 * Three server processes on one PostgreSQL database with a Redis between them (the test's
 * own, so it can listen to the channel and replay what it heard): writers on every node at
 * once, readers of both kinds on every node.
 */
describe('scale-out: cross-node delivery (3 processes, PostgreSQL + Redis)', () => {
  it('every reader on every node gets seq 1..N once, in order, matching GET posts; heartbeats count all nodes', async () => {
    const redis = await startOwnRedis();
    const cluster = await startCluster({
      nodes: 3,
      namePrefix: 'deliv',
      REDIS_URL: redis.url,
      env: { HEARTBEAT_MS: '300' },
    });
    const [a] = cluster.nodes;
    if (!a) throw new Error('no node');
    // Everything the nodes say to each other, as sent.
    const heard: string[] = [];
    const listener = redisClient(redis.url);
    listener.on('message', (_ch: string, wire: string) => heard.push(wire));
    await listener.subscribe('liveblog:bus');
    const blog = await a.api.createBlog({ title: 'Three nodes' });

    const raw = cluster.nodes.flatMap((n) => [
      followBlog(`${n.id}/ws`, n.url, blog.id, { transports: ['websocket'] }),
      followBlog(`${n.id}/polling`, n.url, blog.id, { transports: ['polling'] }),
    ]);
    const clients = cluster.nodes.map((n) => openReaderClient(n.url, blog.slug, { transports: ['websocket'] }));
    await waitFor(() => raw.every(subscribed), { timeoutMs: 20_000, what: 'raw readers subscribed' });
    await Promise.all(clients.map((c) => c.ready));
    const readerCount = raw.length + clients.length;

    // Each node's writer: creates, edits two of its posts, pins one, deletes one. All nodes at once.
    const perNodeCreates = 8;
    const writeOn = async (api: Api, k: number) => {
      const mine: Post[] = [];
      for (let i = 0; i < perNodeCreates; i++) {
        mine.push(await api.createPost(blog.id, { blocks: [text(`<p>node ${k} post ${i}</p>`)] }));
      }
      await api.patchPost(blog.id, mine[0]!.id, { blocks: [text(`<p>node ${k} post 0, corrected</p>`)] });
      await api.patchPost(blog.id, mine[1]!.id, { blocks: [text(`<p>node ${k} post 1, corrected</p>`)] });
      await api.patchPost(blog.id, mine[2]!.id, { pinned: true });
      await api.deletePost(blog.id, mine[3]!.id);
    };
    await Promise.all(cluster.nodes.map((n, k) => writeOn(n.api, k)));
    const n = cluster.nodes.length * (perNodeCreates + 4);

    const head = await a.api.getBlog(blog.id);
    expect(head.seq).toBe(n);

    await waitFor(() => raw.every((r) => r.events.length >= n) && clients.every((c) => c.state.seq >= n), {
      timeoutMs: 30_000,
      what: 'every reader to reach the head',
    });
    const expected = await allPosts(a.api, blog.id);
    expect(expected).toHaveLength(cluster.nodes.length * (perNodeCreates - 1));
    for (const r of raw) {
      expect(r.seqs(), r.name).toEqual(range(1, n));
      expectSamePosts(postsFromEvents(r.events), expected, r.name);
    }
    for (const c of clients) {
      expect(c.state.seq).toBe(n);
      expectSamePosts(c.state.posts, expected, 'reader client');
    }
    // The same list is served by every node.
    for (const node of cluster.nodes.slice(1)) expectSamePosts(await allPosts(node.api, blog.id), expected, node.id);

    // Heartbeats on every node show the readers of all three nodes, at the head.
    await waitFor(
      () =>
        raw.every((r) => r.heartbeats.some((h) => h.readers === readerCount && h.seq === n)) &&
        clients.every((c) => c.state.readers === readerCount),
      { timeoutMs: 15_000, what: `heartbeats counting ${readerCount} readers on every node` },
    );
    // Nothing arrived twice or late while we waited.
    for (const r of raw) expect(r.seqs(), r.name).toEqual(range(1, n));

    // Redis may repeat or reorder: replay every event message heard, newest first, plus some
    // garbage. Readers must see none of it; the next real post still arrives once.
    const replay = heard.filter((w) => w.includes('"kind":"event"')).reverse();
    expect(replay.length).toBeGreaterThanOrEqual(n);
    const publisher = redisClient(redis.url);
    for (const wire of replay) await publisher.publish('liveblog:bus', wire);
    for (const junk of ['not json', '{}', '{"from":"x","inst":"y","msg":{"kind":"event","event":{"seq":-1}}}']) {
      await publisher.publish('liveblog:bus', junk);
    }
    const last = await cluster.nodes[2]!.api.createPost(blog.id, { blocks: [text('<p>after the replay</p>')] });
    expect(last.seq).toBe(n + 1);
    await waitFor(() => raw.every((r) => r.lastSeq() === n + 1) && clients.every((c) => c.state.seq === n + 1), {
      timeoutMs: 15_000,
      what: 'the post after the replay',
    });
    for (const r of raw) expect(r.seqs(), r.name).toEqual(range(1, n + 1));
    for (const node of cluster.nodes) expect(node.alive()).toBe(true);
  }, 90_000);
});

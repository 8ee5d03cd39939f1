import { describe, expect, it } from 'vitest';
import type { Post } from '../../src/domain/index.js';
import { text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { followBlog, subscribed } from '../helpers/scaleout.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Freshness of the read model across nodes (2 processes, PostgreSQL + Redis): a reader pushed
 * seq N by one node, who then loads any public representation from either node, sees at least
 * N, although both nodes had those representations warm in memory at N - 1.
 */
describe('read model: fresh on every node after a publish', () => {
  it('a reader pushed seq N loads posts, page and feed at >= N from both nodes', async () => {
    const cluster = await startCluster({ nodes: 2, namePrefix: 'rm' });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('two nodes expected');
    const blog = await a.api.createBlog({ title: 'Two-node freshness' });
    await a.api.createPost(blog.id, { blocks: [text('<p>warm-up</p>')] });
    const reader = followBlog('reader-on-b', b.url, blog.id, { transports: ['websocket'] });
    await waitFor(() => subscribed(reader), { what: 'subscribed on node b' });

    const reads = (base: string) => [
      `${base}/api/v1/blogs/${blog.id}/posts`,
      `${base}/live/${blog.slug}`,
      `${base}/live/${blog.slug}/feed.atom`,
      `${base}/api/v1/blogs/${blog.id}`,
    ];
    const texts = (base: string) =>
      Promise.all(reads(base).map(async (u) => (await fetch(u, { headers: { 'accept-encoding': 'br' } })).text()));
    for (let round = 0; round < 5; round++) {
      // Warm on both nodes at the current seq (twice: the second is surely from memory).
      await texts(a.url);
      await texts(b.url);
      await texts(a.url);
      await texts(b.url);
      const before = reader.lastSeq();
      const post: Post = await a.api.createPost(blog.id, { blocks: [text(`<p>round ${round}</p>`)] });
      await waitFor(() => reader.lastSeq() >= post.seq, { what: `seq ${post.seq} pushed on node b` });
      expect(post.seq).toBeGreaterThan(before);
      for (const node of [b, a]) {
        const [posts, page, feed, blogJson] = await texts(node.url);
        expect(posts, `${node.id} posts`).toContain(post.id);
        expect(page, `${node.id} page`).toContain(`round ${round}`);
        expect(feed, `${node.id} feed`).toContain(`round ${round}`);
        expect((JSON.parse(blogJson ?? '{}') as { seq: number }).seq, `${node.id} blog`).toBeGreaterThanOrEqual(
          post.seq,
        );
      }
    }
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import type { LiveEvent, Post } from '../../src/domain/index.js';
import { type Api, text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { allPosts, range } from '../helpers/scaleout.js';

/** The log as every node serves it: `changes?since=0`, all pages (bounded). */
async function fullLog(api: Api, blogId: string): Promise<LiveEvent[]> {
  const events: LiveEvent[] = [];
  for (let i = 0; i < 100; i++) {
    const page = await api.changes(blogId, events.at(-1)?.seq ?? 0);
    if ('reset' in page) throw new Error('unexpected reset for since=0 within the replay window');
    if (page.events.length === 0) break;
    events.push(...page.events);
    if ((events.at(-1)?.seq ?? 0) >= page.seq) break;
  }
  return events;
}

/**
 * Two server processes writing the same blog at once on one PostgreSQL database: seq
 * assignment must stay gap-free and race-free across processes, not only across connections.
 */
describe('scale-out: concurrent writers on two nodes (PostgreSQL)', () => {
  it('seqs are 1..N with no gap and no duplicate, and the change log equals the posts', async () => {
    const cluster = await startCluster({ nodes: 2, namePrefix: 'writers' });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('no nodes');
    const blog = await a.api.createBlog({ title: 'Contended' });
    // A second blog written at the same time: its seqs are its own.
    const other = await b.api.createBlog({ title: 'Neighbour' });

    const loopsPerNode = 4;
    const postsPerLoop = 10;
    const returned: Post[] = [];
    const writer = async (api: Api, tag: string) => {
      let first: Post | null = null;
      for (let i = 0; i < postsPerLoop; i++) {
        const p = await api.createPost(blog.id, { blocks: [text(`<p>${tag} #${i}</p>`)] });
        returned.push(p);
        first ??= p;
        if (i % 3 === 0) await api.createPost(other.id, { blocks: [text(`<p>${tag} elsewhere ${i}</p>`)] });
      }
      // An edit of a post another loop may be writing next to: still one seq each.
      if (first) returned.push(await api.patchPost(blog.id, first.id, { keyEvent: true }));
    };
    await Promise.all([a, b].flatMap((node) => range(1, loopsPerNode).map((k) => writer(node.api, `${node.id}/${k}`))));
    const n = 2 * loopsPerNode * (postsPerLoop + 1);

    // Every write got its own seq.
    const returnedSeqs = returned.map((p) => p.seq).sort((x, y) => x - y);
    expect(returnedSeqs).toEqual(range(1, n));

    const head = await b.api.getBlog(blog.id);
    expect(head.seq).toBe(n);
    const otherHead = await a.api.getBlog(other.id);
    expect(otherHead.seq).toBe(2 * loopsPerNode * Math.ceil(postsPerLoop / 3));

    // Both nodes serve the same gap-free log.
    const logA = await fullLog(a.api, blog.id);
    const logB = await fullLog(b.api, blog.id);
    expect(logA.map((e) => e.seq)).toEqual(range(1, n));
    expect(logB).toEqual(logA);
    expect(logA.every((e) => e.blogId === blog.id)).toBe(true);

    // The log, replayed, is the post list: each post's seq is its last event's seq.
    const created = logA.filter((e) => e.type === 'post.created').map((e) => (e.data as Post).id);
    expect(new Set(created).size).toBe(created.length);
    const lastEvent = new Map<string, LiveEvent>();
    for (const e of logA) if (e.type === 'post.created' || e.type === 'post.updated') lastEvent.set(e.data.id, e);
    const posts = await allPosts(a.api, blog.id);
    expect(posts.map((p) => p.id).sort()).toEqual([...created].sort());
    for (const p of posts) {
      const last = lastEvent.get(p.id);
      expect(last?.seq).toBe(p.seq);
      expect(last?.data).toEqual(p);
    }
    expect(posts.filter((p) => p.keyEvent)).toHaveLength(2 * loopsPerNode);
  }, 90_000);
});

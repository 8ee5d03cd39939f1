import { describe, expect, it } from 'vitest';
import type { CountsFrame, LiveEvent, PollBlock, Tallies } from '../../src/domain/index.js';
import { createApi } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { openReader } from '../helpers/realtime.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Two PostgreSQL nodes behind one Redis: votes and reactions sent to either node are counted
 * exactly once, readers on both nodes see the same live counts, the counts survive a node
 * being killed and replaced, and a poll closed while votes race in on the other node has
 * final results equal to the votes the store kept.
 */
const voter = (i: number) => `multi-voter-${String(i).padStart(8, '0')}`;

describe('participation on two PostgreSQL nodes', () => {
  it('counts are exact across nodes, live on both, after a restart and at closing', async () => {
    const cluster = await startCluster({
      nodes: 2,
      env: { COUNTS_INTERVAL_MS: '200', RATE_PARTICIPATION_PER_MIN: '100000' },
    });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('two nodes expected');
    const blog = await a.api.createBlog({ title: 'Two nodes vote' });
    const post = await a.api.createPost(blog.id, {
      blocks: [{ type: 'poll', question: 'Best?', options: ['x', 'y', 'z'] }],
    });
    const frames = new Map<string, CountsFrame[]>();
    for (const n of [a, b]) {
      const reader = openReader(n.url, { transports: ['websocket'] });
      const list: CountsFrame[] = [];
      frames.set(n.id, list);
      reader.socket.on('counts', (f) => list.push(f));
      await reader.subscribe({ blogId: blog.id, sinceSeq: post.seq });
    }

    // 150 voters, each voting on a random node, a third of them twice (once on each node).
    const expected = { o1: 0, o2: 0, o3: 0 } as Record<string, number>;
    const sends: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 150; i++) {
      const option = `o${(i % 3) + 1}`;
      expected[option] = (expected[option] ?? 0) + 1;
      const first = i % 2 === 0 ? a : b;
      const other = first === a ? b : a;
      const body = { option, voter: voter(i) };
      sends.push(createApi(first.url).raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`, { body }));
      if (i % 3 === 0) {
        const again = { option: 'o1', voter: voter(i) };
        sends.push(
          createApi(other.url).raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`, { body: again }),
        );
      }
      sends.push(
        createApi(other.url).raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/reactions`, {
          body: { reaction: 'like', voter: voter(i % 100) },
        }),
      );
    }
    for (const r of await Promise.all(sends)) expect(r.status).toBe(202);
    // A duplicate raced with its first vote on the other node: whichever came first counts,
    // so only the total and the per-voter uniqueness are fixed. Read the store's truth.
    const tally = async (url: string) =>
      ((await createApi(url).raw('GET', `/api/v1/blogs/${blog.id}/tallies?posts=${post.id}`)).body as Tallies).posts[
        post.id
      ];
    const truth = await tally(a.url);
    const total = Object.values(truth?.votes ?? {}).reduce((x, y) => x + y, 0);
    expect(total).toBe(150);
    expect(truth?.reactions.like).toBe(100);
    expect(await tally(b.url)).toEqual(truth);
    // Readers on both nodes end on exactly those counts (the last frame each got).
    for (const n of [a, b]) {
      await waitFor(
        () => {
          const last = frames.get(n.id)?.findLast((f) => f.posts[post.id]);
          return JSON.stringify(last?.posts[post.id]) === JSON.stringify(truth);
        },
        { what: `the final counts on ${n.id}` },
      );
    }

    // Kill a node and start another: the counts are the store's, unchanged.
    await a.proc.kill();
    const c = await cluster.addNode();
    expect(await tally(c.url)).toEqual(truth);

    // Close on one node while votes pour in on the other: the closing results are exactly
    // the votes the store kept, and no vote is kept after it.
    const late: Promise<{ status: number }>[] = [];
    for (let i = 1000; i < 1080; i++) {
      late.push(
        createApi(b.url).raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/votes`, {
          body: { option: 'o2', voter: voter(i) },
        }),
      );
    }
    const closed = await c.api.raw('POST', `/api/v1/blogs/${blog.id}/posts/${post.id}/poll/close`);
    expect(closed.status).toBe(200);
    const statuses = (await Promise.all(late)).map((r) => r.status);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    const accepted = statuses.filter((s) => s === 202).length;
    const final = (await tally(b.url))?.votes ?? {};
    expect(Object.values(final).reduce((x, y) => x + y, 0)).toBe(150 + accepted);
    const events = (await c.api.changes(blog.id, post.seq)) as { events: LiveEvent[] };
    const closings = events.events.filter((e) => e.type === 'post.updated');
    expect(closings).toHaveLength(1);
    const closing = closings[0];
    const results = closing?.type === 'post.updated' ? (closing.data.blocks[0] as PollBlock).results : undefined;
    expect(results).toEqual(final);
  });
});

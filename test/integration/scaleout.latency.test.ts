import { describe, expect, it } from 'vitest';
import { text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { followBlog, percentile, range, subscribed } from '../helpers/scaleout.js';
import { waitFor } from '../helpers/wait.js';

interface Figures {
  median: number;
  p90: number;
  p99: number;
  worst: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((x, y) => x - y);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    median: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    worst: round(sorted.at(-1) ?? Number.NaN),
  };
}

/**
 * Measures (prints, does not assert on timing) how long a post takes from the start of its
 * HTTP write on node A to a reader on node A (single node) and to a reader on node B (across
 * Redis). Writes are sequential so each sample is one post's own path, not queueing.
 */
describe('scale-out: delivery latency, same node vs across nodes', () => {
  it('reports median and worst over 200 posts', async () => {
    const cluster = await startCluster({ nodes: 2, namePrefix: 'latency' });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('no nodes');
    const blog = await a.api.createBlog({ title: 'Latency' });
    const sameNode = followBlog('reader on A', a.url, blog.id, { transports: ['websocket'] });
    const crossNode = followBlog('reader on B', b.url, blog.id, { transports: ['websocket'] });
    await waitFor(() => subscribed(sameNode) && subscribed(crossNode), { what: 'readers subscribed' });

    // A few unmeasured posts warm up the JIT, the pool and the feeds.
    const warmup = 10;
    for (let i = 0; i < warmup; i++) await a.api.createPost(blog.id, { blocks: [text(`<p>warm-up ${i}</p>`)] });
    await waitFor(() => sameNode.lastSeq() === warmup && crossNode.lastSeq() === warmup, { what: 'warm-up' });

    const count = 200;
    const sentAt = new Map<number, number>();
    const commitMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const post = await a.api.createPost(blog.id, { blocks: [text(`<p>measured ${i}</p>`)] });
      commitMs.push(performance.now() - t0);
      sentAt.set(post.seq, t0);
    }
    const head = warmup + count;
    await waitFor(() => sameNode.lastSeq() === head && crossNode.lastSeq() === head, {
      timeoutMs: 20_000,
      what: 'all measured posts on both readers',
    });
    expect(sameNode.seqs()).toEqual(range(1, head));
    expect(crossNode.seqs()).toEqual(range(1, head));

    const latency = (r: typeof sameNode) =>
      [...sentAt].map(([seq, t0]) => {
        const at = r.arrivals.get(seq);
        if (at === undefined) throw new Error(`seq ${seq} never reached ${r.name}`);
        return at - t0;
      });
    const report = {
      posts: count,
      httpWriteRoundTrip: figures(commitMs),
      singleNode: figures(latency(sameNode)),
      crossNode: figures(latency(crossNode)),
      // What the hop through Redis adds to each post: B's arrival minus A's arrival.
      extraForCrossNode: figures(
        [...sentAt.keys()].map((seq) => (crossNode.arrivals.get(seq) ?? 0) - (sameNode.arrivals.get(seq) ?? 0)),
      ),
    };
    console.log(`delivery latency in ms (write on A → reader), ${count} posts:\n${JSON.stringify(report, null, 2)}`);
    expect(report.crossNode.median).toBeGreaterThan(0);
  }, 90_000);
});

import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { range, text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Two processes on one PostgreSQL (and Redis); five slow receivers. One node is SIGKILLed
 * while deliveries are in flight. Every event still reaches every receiver (its leases run
 * out and the other node takes them over), and each receiver sees seqs in order: repeats
 * only as the re-send of the delivery that was in flight (at-least-once), never a later seq
 * before an earlier one.
 */
describe('webhooks on two PostgreSQL nodes, one killed with SIGKILL', () => {
  it('loses no delivery and keeps seq order per receiver', async () => {
    const cluster = await startCluster({
      nodes: 2,
      namePrefix: 'hook',
      env: {
        OUTBOUND_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_POLL_MS: '50',
        OUTBOUND_TIMEOUT_MS: '1000',
        OUTBOUND_CONNECT_TIMEOUT_MS: '500',
      },
    });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('two nodes expected');
    const blog = await a.api.createBlog({ title: 'Kill while delivering' });
    const receivers = await Promise.all(
      range(1, 5).map(() =>
        startReceiver((_req, res) => {
          // Slow enough that deliveries are in flight when the node dies.
          setTimeout(() => res.end('ok'), 30);
        }),
      ),
    );
    for (const r of receivers) {
      const res = await a.api.raw('POST', `/api/v1/blogs/${blog.id}/webhooks`, { body: { url: r.url } });
      expect(res.status).toBe(201);
    }

    const N = 40;
    for (let i = 0; i < N / 2; i++) {
      await (i % 2 ? b : a).api.createPost(blog.id, { blocks: [text(`<p>before ${i}</p>`)] });
    }
    // Kill A once every receiver has had something, so some of A's deliveries are mid-flight.
    await waitFor(() => receivers.every((r) => r.received.length >= 2), { what: 'deliveries under way' });
    await a.proc.kill();
    for (let i = N / 2; i < N; i++) await b.api.createPost(blog.id, { blocks: [text(`<p>after ${i}</p>`)] });

    await waitFor(
      () => receivers.every((r) => new Set(r.received.map((x) => (JSON.parse(x.body) as LiveEvent).seq)).size === N),
      {
        timeoutMs: 40_000,
        what: () => `every receiver to have ${N} seqs (${receivers.map((r) => r.received.length)})`,
      },
    );
    for (const r of receivers) {
      const seqs = r.received.map((x) => (JSON.parse(x.body) as LiveEvent).seq);
      const sorted = [...seqs].sort((x, y) => x - y);
      expect(seqs).toEqual(sorted); // non-decreasing: order by seq kept
      expect([...new Set(seqs)]).toEqual(range(1, N));
      expect(seqs.length - N).toBeLessThanOrEqual(5); // only in-flight ones repeated
    }
  }, 90_000);
});

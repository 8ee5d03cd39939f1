import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { range, text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { newPushDevice, startPushService } from '../helpers/push-service.js';
import { startReceiver } from '../helpers/receiver.js';
import { waitFor } from '../helpers/wait.js';

function honest(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  res.end(req.method === 'GET' ? (url.searchParams.get('hub.challenge') ?? '') : 'ok');
}

/**
 * Two processes on one PostgreSQL (and Redis), both running the outbound job queue. Changes
 * are made on both; every WebSub distribution and every key-event push goes out once, from
 * whichever node claimed it.
 */
describe('WebSub and Web Push on two PostgreSQL nodes', () => {
  it('distributes each change and pushes each key event exactly once', async () => {
    const PUBLIC_URL = 'https://news.example.org';
    const cluster = await startCluster({
      nodes: 2,
      namePrefix: 'out',
      env: {
        PUBLIC_URL,
        OUTBOUND_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_POLL_MS: '50',
        OUTBOUND_TIMEOUT_MS: '1000',
      },
    });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('two nodes expected');
    const blog = await a.api.createBlog({ title: 'Two hubs, one voice' });
    const topic = `${PUBLIC_URL}/live/${blog.slug}/feed.atom`;
    const subscriber = await startReceiver(honest);
    const service = await startPushService();
    const device = newPushDevice(`${service.url}/push/d`);

    const sub = await fetch(`${b.url}/websub`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': subscriber.url }),
    });
    expect(sub.status).toBe(202);
    const db = new pg.Client({ connectionString: cluster.DATABASE_URL });
    await db.connect();
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    await waitFor(async () => (await count('SELECT COUNT(*) AS n FROM websub_subscriptions')) === 1, {
      what: 'the verified subscription',
    });
    const pushed = await a.api.raw('POST', `/api/v1/blogs/${blog.id}/push-subscriptions`, {
      body: device.subscription,
    });
    expect(pushed.status).toBe(201);

    const distributions = () => subscriber.received.filter((r) => r.method === 'POST');
    const N = 6;
    const ids: string[] = [];
    for (const i of range(1, N)) {
      const node = i % 2 ? a : b;
      const post = await node.api.createPost(blog.id, { blocks: [text(`<p>Update number ${i}.</p>`)], keyEvent: true });
      ids.push(post.id);
      await waitFor(() => distributions().some((d) => d.body.includes(`Update number ${i}.`)), {
        what: `the distribution of update ${i}`,
      });
      await waitFor(() => service.received.length >= i, { what: `the push of update ${i}` });
    }
    await waitFor(async () => (await count('SELECT COUNT(*) AS n FROM outbound_jobs')) === 0, {
      what: 'the job queue to drain',
    });
    await db.end();
    expect(distributions()).toHaveLength(N);
    const notices = service.received.map((r) => (JSON.parse(device.decrypt(r.raw)) as { postId: string }).postId);
    expect(notices).toEqual(ids);
  }, 60_000);
});

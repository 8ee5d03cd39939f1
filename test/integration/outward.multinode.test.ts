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
const PUBLIC_URL = 'https://news.example.org';

/** Two nodes with fast outbound retries, announcing PUBLIC_URL (the topics' base). */
async function twoNodes(namePrefix: string, env: Record<string, string> = {}) {
  const cluster = await startCluster({
    nodes: 2,
    namePrefix,
    env: {
      PUBLIC_URL,
      OUTBOUND_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_POLL_MS: '50',
      OUTBOUND_TIMEOUT_MS: '1000',
      ...env,
    },
  });
  const [a, b] = cluster.nodes;
  if (!a || !b) throw new Error('two nodes expected');
  return { cluster, a, b };
}

describe('WebSub and Web Push on two PostgreSQL nodes', () => {
  it('distributes each change and pushes each key event exactly once', async () => {
    const { cluster, a, b } = await twoNodes('out');
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

  it('loses no push and no distribution when a node is SIGKILLed with sends in flight', async () => {
    const { cluster, a, b } = await twoNodes('outkill', { OUTBOUND_CONNECT_TIMEOUT_MS: '500' });
    const blog = await a.api.createBlog({ title: 'Kill while sending' });
    const topic = `${PUBLIC_URL}/live/${blog.slug}/feed.json`;
    // Slow enough that sends are in flight when the node dies.
    const subscriber = await startReceiver((req, res) => setTimeout(() => honest(req, res), 40));
    const service = await startPushService();
    service.behave((_req, res) => {
      setTimeout(() => {
        res.statusCode = 201;
        res.end();
      }, 40);
    });
    const devices = range(1, 4).map((i) => newPushDevice(`${service.url}/push/${i}`));
    const sub = await fetch(`${a.url}/websub`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': subscriber.url }),
    });
    expect(sub.status).toBe(202);
    await waitFor(() => subscriber.received.some((r) => r.method === 'GET'), { what: 'the verification' });
    for (const d of devices) {
      expect(
        (await b.api.raw('POST', `/api/v1/blogs/${blog.id}/push-subscriptions`, { body: d.subscription })).status,
      ).toBe(201);
    }
    const db = new pg.Client({ connectionString: cluster.DATABASE_URL });
    await db.connect();
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    await waitFor(async () => (await count('SELECT COUNT(*) AS n FROM websub_subscriptions')) === 1, {
      what: 'the live subscription',
    });

    const N = 10;
    const ids: string[] = [];
    for (const i of range(1, N / 2)) {
      ids.push((await a.api.createPost(blog.id, { blocks: [text(`<p>Before ${i}.</p>`)], keyEvent: true })).id);
    }
    await waitFor(() => service.received.length >= 2, { what: 'pushes under way' });
    await a.proc.kill();
    for (const i of range(1, N / 2)) {
      ids.push((await b.api.createPost(blog.id, { blocks: [text(`<p>After ${i}.</p>`)], keyEvent: true })).id);
    }
    const pushedTo = (i: number) =>
      new Set(
        service.received
          .filter((r) => r.path === `/push/${i}`)
          .map((r) => (JSON.parse(devices[i - 1]!.decrypt(r.raw)) as { postId: string }).postId),
      );
    await waitFor(() => range(1, 4).every((i) => pushedTo(i).size === N), {
      timeoutMs: 30_000,
      what: () => `every device to have ${N} key events (${range(1, 4).map((i) => pushedTo(i).size)})`,
    });
    for (const i of range(1, 4)) expect([...pushedTo(i)].sort()).toEqual([...ids].sort());
    // At least once: only sends that were in flight on the dead node may repeat.
    expect(service.received.length - 4 * N).toBeLessThanOrEqual(16);
    const last = () => subscriber.received.filter((r) => r.method === 'POST').at(-1)?.body ?? '';
    await waitFor(() => last().includes('After 5.'), { timeoutMs: 30_000, what: 'the last distribution' });
    await waitFor(async () => (await count('SELECT COUNT(*) AS n FROM outbound_jobs')) === 0, {
      timeoutMs: 30_000,
      what: 'the job queue to drain',
    });
    await db.end();
  }, 90_000);
});

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus/index.js';
import { createRedisBus, type RedisBus } from '../../src/bus/redis.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics, type Metrics } from '../../src/lib/metrics.js';
import { numbered, record, runBusContract } from '../contract/bus.contract.js';
import { REDIS_TEST_URL, startOwnRedis } from '../helpers/services.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const uniquePrefix = () => `lbtest-${randomBytes(6).toString('hex')}`;

/** Redis must be there: a missing service fails the suite instead of skipping it. */
async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function client(url = REDIS_TEST_URL): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  registerCleanup(() => r.disconnect());
  return r;
}

interface Node {
  bus: RedisBus;
  metrics: Metrics;
}

async function startNodes(
  nodeIds: string[],
  opts: { url?: string; prefix?: string; maxRetryDelayMs?: number } = {},
): Promise<Node[]> {
  const prefix = opts.prefix ?? uniquePrefix();
  const nodes = nodeIds.map((nodeId) => {
    const metrics = createMetrics();
    const bus = createRedisBus({
      url: opts.url ?? REDIS_TEST_URL,
      nodeId,
      log,
      metrics,
      prefix,
      maxRetryDelayMs: opts.maxRetryDelayMs ?? 100,
    });
    registerCleanup(() => bus.close());
    return { bus, metrics };
  });
  await withDeadline(Promise.all(nodes.map((n) => n.bus.ready())), 10_000, `redis bus ready at ${REDIS_TEST_URL}`);
  return nodes;
}

const metricValue = async (m: Metrics['busMessages'] | Metrics['busReconnects'], labels: Record<string, string> = {}) =>
  (await m.get()).values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k as never] === val))?.value ??
  0;

beforeAll(async () => {
  const r = client();
  expect(await withDeadline(r.ping(), 5000, `PING ${REDIS_TEST_URL} (is Redis running?)`)).toBe('PONG');
});

runBusContract('redis', async (nodeIds) => (await startNodes(nodeIds)).map((n) => n.bus));

describe('redis bus', () => {
  it('drops and counts what is not a valid envelope or message, then keeps delivering', async () => {
    const [a, b] = await startNodes(['a', 'b']);
    if (!a || !b) throw new Error('no nodes');
    const atB = record(b.bus);
    const raw = client();
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ msg: numbered('x', 1) }), // no sender
      JSON.stringify({ from: 'x', inst: 'i1', msg: { kind: 'readers', counts: { n: 'one' } } }),
      JSON.stringify({ from: 'x', inst: 'i1', msg: { kind: 'doc.update', blogId: 'b' } }),
    ];
    for (const payload of bad) await raw.publish(b.bus.channel, payload);
    await raw.publish(b.bus.channel, JSON.stringify({ from: 'x', inst: 'i1', msg: numbered('x', 7) }));
    await waitFor(() => atB.length === 1, { what: 'the valid raw message' });
    expect(atB[0]).toEqual({ from: 'x', msg: numbered('x', 7) });
    expect(await metricValue(b.metrics.busMessages, { direction: 'in', kind: 'invalid' })).toBe(bad.length);
    expect(await metricValue(b.metrics.busMessages, { direction: 'in', kind: 'readers' })).toBe(1);
  });

  it('drops only its own messages, even when two processes share a NODE_ID', async () => {
    const [a, b] = await startNodes(['same', 'same']);
    if (!a || !b) throw new Error('no nodes');
    const atA = record(a.bus);
    const atB = record(b.bus);
    a.bus.publish(numbered('a', 1));
    b.bus.publish(numbered('b', 1));
    await waitFor(() => atA.length === 2 && atB.length === 2, { what: 'cross delivery' });
    a.bus.publish({ kind: 'readers', counts: { sentinel: 1 } });
    await waitFor(() => atB.length === 3, { what: 'sentinel' });
    expect(atA).toHaveLength(3);
  });

  it('survives a Redis outage: publish does not throw, both nodes resync, messages flow again', async () => {
    const redis = await startOwnRedis();
    const [a, b] = await startNodes(['a', 'b'], { url: redis.url });
    if (!a || !b) throw new Error('no nodes');
    const atA = record(a.bus);
    const atB = record(b.bus);
    const resyncs = { a: 0, b: 0 };
    a.bus.onResync(() => resyncs.a++);
    b.bus.onResync(() => resyncs.b++);

    await redis.stop();
    await waitFor(() => !a.bus.isConnected() && !b.bus.isConnected(), { what: 'both buses to notice' });
    const lost = numbered('a', 1);
    // However the clients see the outage yet (closing or reconnecting), publish must not throw.
    for (let i = 0; i < 5; i++) expect(() => a.bus.publish(lost)).not.toThrow();
    expect(atA).toHaveLength(5); // local delivery does not depend on Redis
    expect(resyncs).toEqual({ a: 0, b: 0 });

    await redis.start();
    await waitFor(() => resyncs.a >= 1 && resyncs.b >= 1, { timeoutMs: 15_000, what: 'resync on both nodes' });
    await withDeadline(Promise.all([a.bus.ready(), b.bus.ready()]), 10_000, 'buses ready after restart');
    expect(await metricValue(a.metrics.busReconnects)).toBeGreaterThanOrEqual(1);
    expect(await metricValue(b.metrics.busReconnects)).toBeGreaterThanOrEqual(1);

    a.bus.publish(numbered('a', 2));
    b.bus.publish(numbered('b', 2));
    await waitFor(() => atB.some((e) => e.from === 'a') && atA.some((e) => e.from === 'b'), { what: 'flow again' });
    expect(atB.filter((e) => e.from === 'a').map((e) => e.msg)).toEqual([numbered('a', 2)]);
  });

  it('starts while Redis is down, serves locally, and resyncs once it connects (it may have missed messages)', async () => {
    const redis = await startOwnRedis();
    const [b] = await startNodes(['b'], { url: redis.url });
    if (!b) throw new Error('no nodes');
    await redis.stop();
    await waitFor(() => !b.bus.isConnected(), { what: 'b to notice' });
    let resyncB = 0;
    b.bus.onResync(() => resyncB++);
    const metrics = createMetrics();
    const a = createRedisBus({ url: redis.url, nodeId: 'a', log, metrics, prefix: b.bus.channel.replace(/:bus$/, '') });
    registerCleanup(() => a.close());
    let resyncA = 0;
    a.onResync(() => resyncA++);
    const atA = record(a);
    expect(() => a.publish(numbered('a', 1))).not.toThrow();
    expect(atA).toHaveLength(1);

    await redis.start();
    await withDeadline(Promise.all([a.ready(), b.bus.ready()]), 10_000, 'both ready');
    // b lost its link (resync). a connected for the first time, but it had dropped a message
    // meanwhile, so it asks b to resync as well; and whatever b published before a was
    // subscribed never reached a, whose consumers may already hold state read from the store.
    await waitFor(() => resyncB >= 1 && resyncA >= 1, { what: 'both to resync' });
    expect(resyncA).toBe(1);
    // Not a reconnect: a never had a link before.
    expect(await metricValue(metrics.busReconnects)).toBe(0);
    const atB = record(b.bus);
    a.publish(numbered('a', 2));
    await waitFor(() => atB.length === 1, { what: 'delivery' });
    expect(atB[0]?.msg).toEqual(numbered('a', 2));
  });

  it('when only the publisher lost its link, it asks the others to resync once it is back', async () => {
    const nodeA = `a-${randomBytes(4).toString('hex')}`;
    const [a, b] = await startNodes([nodeA, 'b']);
    if (!a || !b) throw new Error('no nodes');
    let resyncB = 0;
    b.bus.onResync(() => resyncB++);
    const admin = client();
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const pubLine = list.split('\n').find((l) => l.includes(`name=liveblog-bus-pub-${nodeA} `));
    const id = pubLine && /\bid=(\d+)/.exec(pubLine)?.[1];
    if (!id) throw new Error(`publisher connection not found in CLIENT LIST:\n${list}`);
    await admin.call('CLIENT', 'KILL', 'ID', id);
    // Publish until b hears the notice; some of these fall into the reconnect window.
    const deadline = Date.now() + 10_000;
    for (let i = 0; resyncB === 0 && Date.now() < deadline && i < 2000; i++) {
      a.bus.publish(numbered('a', i));
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(resyncB).toBe(1);
    // b's own subscription never dropped: the resync came from a's notice.
    expect(await metricValue(b.metrics.busReconnects)).toBe(0);
  });

  it('createBus picks Redis when REDIS_URL is set', async () => {
    const bus = createBus(loadConfig({ REDIS_URL: REDIS_TEST_URL }), { nodeId: 'n1', log, metrics: createMetrics() });
    registerCleanup(() => bus.close());
    expect(bus.kind).toBe('redis');
    await withDeadline((bus as RedisBus).ready(), 10_000, 'ready');
    const got = record(bus);
    bus.publish(numbered('n1', 1));
    expect(got).toHaveLength(1);
  });
});

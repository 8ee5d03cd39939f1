import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { progress, setStep } from '../lib/progress.js';
import { attempt, emptyResult, row, type WorkloadResult } from '../lib/results.js';
import { BENCH_ADMIN_TOKEN, startOurs } from '../lib/servers.js';
import { type LatencySummary, summarize } from '../lib/stats.js';

/**
 * The outward channels' figures, on loopback (no peer: the competitors' figures are "poll
 * every few seconds to minutes"):
 * 1. commit → webhook received (p50, p99) with N endpoints, posts at a steady pace;
 * 2. commit → Server-Sent Event with M EventSource clients;
 * 3. deliveries per second one node sustains: a backlog written by a node that does not
 *    dispatch (WEBHOOKS_DISPATCH=false), then drained by one that does;
 * 4. commit → WebSub distribution received (the whole JSON feed) with S verified subscribers.
 * "Commit" is the event's `at` (stamped in the committing transaction; for WebSub the newest
 * item's date_modified); receivers take Date.now() on arrival: one machine, one clock.
 */
export interface OutwardSize {
  endpoints: number;
  posts: number;
  sseClients: number;
  ssePosts: number;
  backlogPosts: number;
  websubSubscribers: number;
  websubPosts: number;
}

const PACE_MS = 50;
const DEADLINE_MS = 180_000;

const auth = { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' };
async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : null) as T;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * N receivers on loopback. `commitOf` reads the commit time from a body (null: not counted);
 * a GET is answered with its hub.challenge (WebSub verification of intent).
 */
async function receivers(n: number, commitOf: (body: string) => number | null) {
  const delays: number[] = [];
  let received = 0;
  let lastAt = 0;
  let firstAt = 0;
  let verifications = 0;
  const servers: Server[] = [];
  /** The last body each receiver got. */
  const last: string[] = [];
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    last.push('');
    const s = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET') {
          verifications += 1;
          res.end(new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '');
          return;
        }
        const now = Date.now();
        const body = Buffer.concat(chunks).toString();
        last[i] = body;
        const at = commitOf(body);
        if (at !== null) delays.push(now - at);
        received += 1;
        if (firstAt === 0) firstAt = now;
        lastAt = now;
        res.end('ok');
      });
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`);
  }
  return {
    urls,
    delays,
    count: () => received,
    lastAt: () => lastAt,
    firstAt: () => firstAt,
    verifications: () => verifications,
    last,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

const eventAt = (body: string) => Date.parse((JSON.parse(body) as { at: string }).at);

const env = {
  NODE_ENV: 'development',
  OUTBOUND_ALLOW_PRIVATE: 'true',
  SQLITE_SYNCHRONOUS: 'NORMAL',
  WEBHOOK_CONCURRENCY: '64',
  OUTBOUND_JOB_CONCURRENCY: '64',
  RATE_WEBSUB_PER_MIN: '100000',
};

const post = (url: string, blogId: string, i: number) =>
  call('POST', `${url}/api/v1/blogs/${blogId}/posts`, { blocks: [{ type: 'text', html: `<p>${i}</p>` }] });

export async function webhookLatency(size: OutwardSize) {
  const ours = await startOurs(env);
  const r = await receivers(size.endpoints, eventAt);
  try {
    const blog = await call<{ id: string }>('POST', `${ours.url}/api/v1/blogs`, { title: 'Webhook latency' });
    for (const url of r.urls) await call('POST', `${ours.url}/api/v1/blogs/${blog.id}/webhooks`, { url });
    for (let i = 0; i < size.posts; i++) {
      await post(ours.url, blog.id, i);
      progress(`webhooks: post ${i + 1}/${size.posts}`);
      await sleep(PACE_MS);
    }
    await until(() => r.count() >= size.posts * size.endpoints, 'every webhook delivery');
    return { endpoints: size.endpoints, posts: size.posts, paceMs: PACE_MS, commitToReceivedMs: summarize(r.delays) };
  } finally {
    await r.close();
    await ours.stop();
  }
}

export async function sseLatency(size: OutwardSize) {
  const ours = await startOurs(env);
  const sources: EventSource[] = [];
  try {
    const blog = await call<{ id: string }>('POST', `${ours.url}/api/v1/blogs`, { title: 'SSE latency' });
    const delays: number[] = [];
    let ready = 0;
    for (let i = 0; i < size.sseClients; i++) {
      const es = new EventSource(`${ours.url}/api/v1/blogs/${blog.id}/events?since=0`);
      es.addEventListener('ready', () => {
        ready += 1;
      });
      es.addEventListener('post.created', (m) => {
        delays.push(Date.now() - eventAt(m.data));
      });
      sources.push(es);
    }
    await until(() => ready >= size.sseClients, 'every EventSource ready');
    for (let i = 0; i < size.ssePosts; i++) {
      await post(ours.url, blog.id, i);
      progress(`sse: post ${i + 1}/${size.ssePosts}`);
      await sleep(PACE_MS * 2);
    }
    await until(() => delays.length >= size.sseClients * size.ssePosts, 'every SSE event');
    return { clients: size.sseClients, posts: size.ssePosts, paceMs: PACE_MS * 2, commitToEventMs: summarize(delays) };
  } finally {
    for (const es of sources) es.close();
    await ours.stop();
  }
}

export async function webhookThroughput(size: OutwardSize) {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveblog-bench-outbox-'));
  const r = await receivers(size.endpoints, () => null);
  try {
    const writer = await startOurs({ ...env, DATA_DIR: dataDir, WEBHOOKS_DISPATCH: 'false' }, 'writer');
    const blog = await call<{ id: string }>('POST', `${writer.url}/api/v1/blogs`, { title: 'Backlog' });
    for (const url of r.urls) await call('POST', `${writer.url}/api/v1/blogs/${blog.id}/webhooks`, { url });
    for (let i = 0; i < size.backlogPosts; i++) await post(writer.url, blog.id, i);
    await writer.stop();
    const total = size.backlogPosts * size.endpoints;
    const sender = await startOurs({ ...env, DATA_DIR: dataDir }, 'sender');
    progress(`throughput: draining ${total} deliveries`);
    await until(() => r.count() >= total, 'the backlog to drain');
    // From the first delivery to the last: the sender's start-up is not sending.
    const seconds = Math.max(0.001, (r.lastAt() - r.firstAt()) / 1000);
    await sender.stop();
    return { endpoints: size.endpoints, deliveries: total, seconds, deliveriesPerSecond: Math.round(total / seconds) };
  } finally {
    await r.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Each post is distributed to every subscriber (changes in flight coalesce: counted once). */
export async function webSubLatency(size: OutwardSize) {
  const ours = await startOurs(env);
  const newest = (body: string) => {
    const feed = JSON.parse(body) as { items: { date_modified: string }[] };
    return feed.items[0] ? Date.parse(feed.items[0].date_modified) : null;
  };
  const r = await receivers(size.websubSubscribers, newest);
  try {
    const blog = await call<{ id: string; slug: string }>('POST', `${ours.url}/api/v1/blogs`, { title: 'WebSub' });
    const topic = `${ours.url}/live/${blog.slug}/feed.json`;
    let verified = 0;
    for (const callback of r.urls) {
      const res = await fetch(`${ours.url}/websub`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          'hub.mode': 'subscribe',
          'hub.topic': topic,
          'hub.callback': callback,
          'hub.secret': 'bench',
        }),
      });
      if (res.status !== 202) throw new Error(`subscribe → ${res.status}`);
      verified += 1;
    }
    // Verification is asynchronous: wait for every challenge, then post until every
    // subscription is live (a post committed just before one turned live misses it).
    await until(() => r.verifications() >= verified, 'every verification of intent');
    for (let i = 0; r.last.some((b) => b === ''); i++) {
      if (i > 100) throw new Error('subscriptions never became live');
      await post(ours.url, blog.id, -1 - i);
      await sleep(200);
    }
    const before = r.count();
    r.delays.length = 0;
    const started = Date.now();
    for (let i = 0; i < size.websubPosts; i++) {
      await call('POST', `${ours.url}/api/v1/blogs/${blog.id}/posts`, {
        blocks: [{ type: 'text', html: `<p>websub ${i}</p>` }],
      });
      progress(`websub: post ${i + 1}/${size.websubPosts}`);
      await sleep(PACE_MS * 2);
    }
    // Changes that come while a distribution is in flight coalesce into the next one: done
    // when every subscriber holds the feed with the last post.
    const lastPost = `websub ${size.websubPosts - 1}`;
    await until(() => r.last.every((b) => b.includes(lastPost)), 'the last post at every subscriber');
    const seconds = (r.lastAt() - started) / 1000;
    return {
      subscribers: size.websubSubscribers,
      posts: size.websubPosts,
      paceMs: PACE_MS * 2,
      distributions: r.count() - before,
      distributionsPerSecond: Math.round((r.count() - before) / seconds),
      commitToDistributionMs: summarize(r.delays),
    };
  } finally {
    await r.close();
    await ours.stop();
  }
}

const latencyRows = (w: string, what: string, s: LatencySummary) => [
  row(w, `${what} p50`, 'ms', s.p50, null),
  row(w, `${what} p99`, 'ms', s.p99, null),
];

export async function runOutward(size: OutwardSize): Promise<WorkloadResult> {
  const result = emptyResult('outward', 'none (competitors poll feeds every few seconds to minutes)');
  setStep('outward');
  const hooks = await attempt(result, 'webhooks', () => webhookLatency(size));
  if (hooks) {
    const w = `webhooks, ${hooks.endpoints} endpoints`;
    result.rows.push(...latencyRows(w, 'commit → received', hooks.commitToReceivedMs));
  }
  const sse = await attempt(result, 'sse', () => sseLatency(size));
  if (sse)
    result.rows.push(...latencyRows(`SSE, ${sse.clients} EventSource clients`, 'commit → event', sse.commitToEventMs));
  const tput = await attempt(result, 'throughput', () => webhookThroughput(size));
  if (tput) {
    result.rows.push(
      row(
        `webhooks, backlog of ${tput.deliveries}`,
        'deliveries per second, one node',
        '/s',
        tput.deliveriesPerSecond,
        null,
        'higher',
      ),
    );
  }
  const websub = await attempt(result, 'websub', () => webSubLatency(size));
  if (websub) {
    const w = `WebSub, ${websub.subscribers} subscribers`;
    result.rows.push(
      ...latencyRows(w, 'commit → distribution', websub.commitToDistributionMs),
      row(w, 'distributions per second (paced posts)', '/s', websub.distributionsPerSecond, null, 'higher'),
    );
  }
  const strip = (s: LatencySummary | undefined) => (s ? { ...s, curve: undefined } : undefined);
  result.details = {
    webhooks: hooks && { ...hooks, commitToReceivedMs: strip(hooks.commitToReceivedMs) },
    sse: sse && { ...sse, commitToEventMs: strip(sse.commitToEventMs) },
    throughput: tput,
    websub: websub && { ...websub, commitToDistributionMs: strip(websub.commitToDistributionMs) },
  };
  result.limits.push(
    'One machine: server, receivers and clients share its cores; the clock is one, so commit → arrival is exact.',
    'WebSub distributions carry the whole feed (50 posts): their cost grows with the feed, not the change.',
  );
  return result;
}

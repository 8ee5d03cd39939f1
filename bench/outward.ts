import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { BENCH_ADMIN_TOKEN, startOurs, stopAllServers } from './lib/servers.js';
import { summarize } from './lib/stats.js';

/**
 * `node --import tsx bench/outward.ts [--quick]` — the outward channels' figures, on loopback:
 * 1. commit → webhook received (p50, p99) with 20 endpoints, posts at a steady pace;
 * 2. commit → Server-Sent Event with 1,000 EventSource clients;
 * 3. deliveries per second one node sustains: a backlog written by a node that does not
 *    dispatch (WEBHOOKS_DISPATCH=false), then drained by one that does, into 20 endpoints.
 * "Commit" is the event's `at` (stamped in the committing transaction); receivers and
 * clients take Date.now() on arrival: one machine, one clock. Writes results/outward-latest.json.
 */
const quick = process.argv.includes('--quick');
const ENDPOINTS = 20;
const POSTS = quick ? 30 : 200;
const SSE_CLIENTS = quick ? 200 : 1000;
const SSE_POSTS = quick ? 20 : 100;
const BACKLOG_POSTS = quick ? 100 : 500;
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

/** N webhook receivers on loopback; each arrival's delay from the event's commit time. */
async function receivers(n: number) {
  const delays: number[] = [];
  let received = 0;
  let lastAt = 0;
  const servers: Server[] = [];
  const urls: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = Date.now();
        const e = JSON.parse(Buffer.concat(chunks).toString()) as { at: string };
        delays.push(now - Date.parse(e.at));
        received += 1;
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
    reset: () => {
      delays.length = 0;
      received = 0;
    },
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

const env = {
  NODE_ENV: 'development',
  OUTBOUND_ALLOW_PRIVATE: 'true',
  SQLITE_SYNCHRONOUS: 'NORMAL',
  WEBHOOK_CONCURRENCY: '64',
};

async function webhookLatency() {
  const ours = await startOurs(env);
  const r = await receivers(ENDPOINTS);
  const blog = await call<{ id: string }>('POST', `${ours.url}/api/v1/blogs`, { title: 'Webhook latency' });
  for (const url of r.urls) await call('POST', `${ours.url}/api/v1/blogs/${blog.id}/webhooks`, { url });
  for (let i = 0; i < POSTS; i++) {
    await call('POST', `${ours.url}/api/v1/blogs/${blog.id}/posts`, {
      blocks: [{ type: 'text', html: `<p>${i}</p>` }],
    });
    await sleep(PACE_MS);
  }
  await until(() => r.count() >= POSTS * ENDPOINTS, 'every webhook delivery');
  const result = { endpoints: ENDPOINTS, posts: POSTS, paceMs: PACE_MS, commitToReceivedMs: summarize(r.delays) };
  await r.close();
  await ours.stop();
  return result;
}

async function sseLatency() {
  const ours = await startOurs(env);
  const blog = await call<{ id: string }>('POST', `${ours.url}/api/v1/blogs`, { title: 'SSE latency' });
  const delays: number[] = [];
  let ready = 0;
  const sources: EventSource[] = [];
  for (let i = 0; i < SSE_CLIENTS; i++) {
    const es = new EventSource(`${ours.url}/api/v1/blogs/${blog.id}/events?since=0`);
    es.addEventListener('ready', () => {
      ready += 1;
    });
    es.addEventListener('post.created', (m) => {
      delays.push(Date.now() - Date.parse((JSON.parse(m.data) as { at: string }).at));
    });
    sources.push(es);
  }
  await until(() => ready >= SSE_CLIENTS, 'every EventSource ready');
  for (let i = 0; i < SSE_POSTS; i++) {
    await call('POST', `${ours.url}/api/v1/blogs/${blog.id}/posts`, {
      blocks: [{ type: 'text', html: `<p>${i}</p>` }],
    });
    await sleep(PACE_MS * 2);
  }
  await until(() => delays.length >= SSE_CLIENTS * SSE_POSTS, 'every SSE event');
  for (const es of sources) es.close();
  await ours.stop();
  return { clients: SSE_CLIENTS, posts: SSE_POSTS, paceMs: PACE_MS * 2, commitToEventMs: summarize(delays) };
}

async function throughput() {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveblog-bench-outbox-'));
  const r = await receivers(ENDPOINTS);
  const writer = await startOurs({ ...env, DATA_DIR: dataDir, WEBHOOKS_DISPATCH: 'false' }, 'writer');
  const blog = await call<{ id: string }>('POST', `${writer.url}/api/v1/blogs`, { title: 'Backlog' });
  for (const url of r.urls) await call('POST', `${writer.url}/api/v1/blogs/${blog.id}/webhooks`, { url });
  for (let i = 0; i < BACKLOG_POSTS; i++) {
    await call('POST', `${writer.url}/api/v1/blogs/${blog.id}/posts`, {
      blocks: [{ type: 'text', html: `<p>${i}</p>` }],
    });
  }
  await writer.stop();
  const total = BACKLOG_POSTS * ENDPOINTS;
  const started = Date.now();
  const sender = await startOurs({ ...env, DATA_DIR: dataDir }, 'sender');
  await until(() => r.count() >= total, 'the backlog to drain');
  const seconds = (r.lastAt() - started) / 1000;
  await sender.stop();
  await r.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { endpoints: ENDPOINTS, deliveries: total, seconds, deliveriesPerSecond: Math.round(total / seconds) };
}

try {
  const out = {
    at: new Date().toISOString(),
    quick,
    webhooks: await webhookLatency(),
    sse: await sseLatency(),
    throughput: await throughput(),
  };
  const line = (s: { p50: number; p99: number; max: number; count: number }) =>
    `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (n=${s.count})`;
  process.stdout.write(
    `commit → webhook received, ${out.webhooks.endpoints} endpoints: ${line(out.webhooks.commitToReceivedMs)}\n` +
      `commit → SSE event, ${out.sse.clients} EventSource clients: ${line(out.sse.commitToEventMs)}\n` +
      `deliveries/s one node sustains (backlog of ${out.throughput.deliveries} into ${out.throughput.endpoints} endpoints): ${out.throughput.deliveriesPerSecond} (${out.throughput.seconds} s)\n`,
  );
  for (const k of ['webhooks', 'sse'] as const) {
    const o = out[k] as { commitToReceivedMs?: { curve?: unknown }; commitToEventMs?: { curve?: unknown } };
    delete o.commitToReceivedMs?.curve;
    delete o.commitToEventMs?.curve;
  }
  writeFileSync(join(import.meta.dirname, 'results', 'outward-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
} finally {
  await stopAllServers();
}

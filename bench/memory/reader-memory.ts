/**
 * Reader-side memory on one node (issue 13 items 7 and 10), measured in-process with forced
 * garbage collection so the figures are the live heap, not allocator slack:
 *   1. per followed blog: BLOGS blogs with a full ring (REPLAY_MEMORY events each), followed by
 *      a few sockets; heap after − heap before, divided by BLOGS;
 *   2. per idle reader connection: READERS Socket.IO clients opened from a child process (so
 *      their memory is not counted) subscribed to one blog.
 * Run: node --expose-gc --import tsx bench/memory/reader-memory.ts  (loopback only, bounded).
 * Env: BLOGS, EVENTS, POST_BYTES, READERS, REPLAY_MEMORY_BYTES (to see the global bound at work).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

const BLOGS = Number(process.env.BLOGS ?? 40);
const EVENTS = Number(process.env.EVENTS ?? 500);
const READERS = Number(process.env.READERS ?? 1000);
const POST_BYTES = Number(process.env.POST_BYTES ?? 1000);
const TOKEN = 'bench-admin-token-0123456789abcdef';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const dir = mkdtempSync(join(tmpdir(), 'reader-memory-'));
const app = await createApp(
  loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'silent',
    SQLITE_SYNCHRONOUS: 'NORMAL',
    RATE_WRITES_PER_MIN: '100000000',
    RATE_CONNECTS_PER_MIN: '100000000',
    MAX_CONNECTIONS_PER_IP: String(READERS + 100),
    SHUTDOWN_DELAY_MS: '0',
    HEARTBEAT_MS: '200',
    ...(process.env.REPLAY_MEMORY_BYTES ? { REPLAY_MEMORY_BYTES: process.env.REPLAY_MEMORY_BYTES } : {}),
    ...(process.env.REPLAY_MEMORY ? { REPLAY_MEMORY: process.env.REPLAY_MEMORY } : {}),
  }),
);
const { port } = await app.listen();
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const post = async (path: string, body: unknown) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path} ${res.status}`);
  return (await res.json()) as { id: string };
};

const filler = 'x'.repeat(POST_BYTES);
const ids: string[] = [];
for (let b = 0; b < BLOGS; b++) {
  const blog = await post('/api/v1/blogs', { title: `Memory ${b}` });
  ids.push(blog.id);
  for (let i = 0; i < EVENTS; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, EVENTS - i) }, (_, k) =>
        post(`/api/v1/blogs/${blog.id}/posts`, { blocks: [{ type: 'text', html: `<p>${i + k} ${filler}</p>` }] }),
      ),
    );
  }
}

// 1. Per followed blog.
const sockets = Array.from({ length: Math.ceil(BLOGS / 10) }, () =>
  io(base, { transports: ['websocket'], forceNew: true, reconnection: false }),
);
await Promise.all(sockets.map((s) => new Promise((r) => s.once('connect', () => r(null)))));
const before = await heap();
await Promise.all(
  ids.map(
    (id, i) =>
      new Promise((resolve, reject) =>
        sockets[Math.floor(i / 10)]?.emit('subscribe', { blogId: id }, (ack: { ok: boolean }) =>
          ack.ok ? resolve(null) : reject(new Error('subscribe refused')),
        ),
      ),
  ),
);
const after = await heap();
await new Promise((r) => setTimeout(r, 400)); // one heartbeat tick: the gauges are current
const ringGauge = /liveblog_replay_ring_bytes (\d+)/.exec(await (await fetch(`${base}/metrics`)).text());
const perBlog = (after - before) / BLOGS;
console.log(
  `followed blogs: ${BLOGS} × ${EVENTS} events of ~${POST_BYTES + 300} B → heap +${((after - before) / 1048576).toFixed(1)} MiB, ` +
    `${(perBlog / 1024).toFixed(0)} KiB per followed blog (ring bytes gauge: ${ringGauge?.[1] ?? 'n/a'})`,
);
for (const s of sockets) s.disconnect();

// 2. Per idle reader connection, clients in a child process.
const rssBefore = process.memoryUsage().rss;
const heapBefore = await heap();
const child = fork(join(import.meta.dirname, 'reader-clients.ts'), [base, ids[0] ?? '', String(READERS)], {
  execArgv: ['--import', 'tsx'],
});
await new Promise<void>((resolve, reject) => {
  child.once('message', () => resolve());
  child.once('exit', (code) => reject(new Error(`clients exited ${code}`)));
});
const heapAfter = await heap();
const rssAfter = process.memoryUsage().rss;
console.log(
  `idle readers: ${READERS} websocket connections subscribed to one blog → heap +${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB ` +
    `(${((heapAfter - heapBefore) / READERS / 1024).toFixed(1)} KiB each), rss +${((rssAfter - rssBefore) / 1048576).toFixed(1)} MiB ` +
    `(${((rssAfter - rssBefore) / READERS / 1024).toFixed(1)} KiB each)`,
);
child.kill();
await app.shutdown();
rmSync(dir, { recursive: true, force: true });
process.exit(0);

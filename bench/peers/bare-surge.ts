import { readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Server } from 'socket.io';
import { z } from 'zod';

/**
 * The surge peer: bare Hono on @hono/node-server serving the very bytes ours answered for the
 * public page, embed.js and the first page of posts (BENCH_FIXTURES, written by the surge
 * workload from its probes of ours), precompressed once, with an ETag; and bare Socket.IO on
 * the same port answering `subscribe` with `{ ok, seq, events: [] }` and joining the room.
 * No store, no rendering, no auth: the floor a surge of new readers can cost.
 */
const Fixtures = z.record(
  z.string().regex(/^[a-z0-9-]{1,40}$/),
  z.object({ body: z.string().max(12_000_000), contentType: z.string().max(200), etag: z.string().max(200) }),
);
const Subscribe = z.object({ blogId: z.string().min(1).max(80), sinceSeq: z.number().int().min(0).optional() });

interface Served {
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  contentType: string;
  etag: string;
}

const served = new Map<string, Served>();
const file = process.env.BENCH_FIXTURES;
if (file) {
  for (const [name, f] of Object.entries(Fixtures.parse(JSON.parse(readFileSync(file, 'utf8'))))) {
    const identity = Buffer.from(f.body, 'base64');
    served.set(name, {
      identity,
      gzip: gzipSync(identity),
      br: brotliCompressSync(identity),
      contentType: f.contentType,
      etag: f.etag,
    });
  }
}
const seq = Number(process.env.BENCH_SEQ ?? 0);

const app = new Hono();
app.get('/health', (c) => c.json({ ok: true }));
app.get('/f/:name', (c) => {
  const f = served.get(c.req.param('name'));
  if (!f) return c.json({ error: 'no such fixture' }, 404);
  const common = { etag: f.etag, vary: 'Accept-Encoding', 'cache-control': 'public, max-age=0' };
  if (c.req.header('if-none-match') === f.etag) return c.body(null, 304, common);
  const accept = c.req.header('accept-encoding') ?? '';
  const enc = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null;
  const bytes = enc === 'br' ? f.br : enc === 'gzip' ? f.gzip : f.identity;
  return c.body(new Uint8Array(bytes), 200, {
    ...common,
    'content-type': f.contentType,
    ...(enc ? { 'content-encoding': enc } : {}),
  });
});

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 0),
  hostname: process.env.HOST ?? '127.0.0.1',
}) as HttpServer;

const io = new Server(server, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('subscribe', (raw: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const req = Subscribe.safeParse(raw);
    if (!req.success) {
      ack({ ok: false, error: { code: 'validation', message: 'bad subscribe' } });
      return;
    }
    void socket.join(req.data.blogId);
    ack({ ok: true, blogId: req.data.blogId, seq, events: [] });
  });
});

process.on('SIGTERM', () => {
  void io.close();
  server.close();
  process.exit(0);
});

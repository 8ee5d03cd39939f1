import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import { Server } from 'socket.io';
import { z } from 'zod';
import { fixturesApp } from './fixtures-app.js';

/**
 * The surge peer: bare Hono on @hono/node-server serving the very bytes ours answered for the
 * public page, embed.js and the first page of posts (BENCH_FIXTURES, written by the surge
 * workload from its probes of ours), precompressed once, with an ETag; and bare Socket.IO on
 * the same port answering `subscribe` with `{ ok, seq, events: [] }` and joining the room.
 * No store, no rendering, no auth: the floor a surge of new readers can cost.
 */
const Subscribe = z.object({ blogId: z.string().min(1).max(80), sinceSeq: z.number().int().min(0).optional() });
const seq = Number(process.env.BENCH_SEQ ?? 0);

const app = fixturesApp();

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

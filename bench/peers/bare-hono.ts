import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { etag } from 'hono/etag';

/**
 * The reads peer: a bare Hono app on @hono/node-server returning a fixed JSON body of a
 * given size (the size ours returned), with no store behind it. /etag/:bytes runs Hono's own
 * ETag middleware (hash per request, 304 on a match) so the conditional case has a peer too.
 */
const MAX_BYTES = 8 * 1024 * 1024;
const bodies = new Map<number, string>();

function bodyOf(bytes: number): string {
  let b = bodies.get(bytes);
  if (!b) {
    const wrapper = '{"pad":""}';
    b = `{"pad":"${'x'.repeat(Math.max(0, bytes - wrapper.length))}"}`;
    if (bodies.size < 16) bodies.set(bytes, b);
  }
  return b;
}

const size = (raw: string): number | null => {
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= MAX_BYTES ? n : null;
};

const app = new Hono();
app.get('/health', (c) => c.json({ ok: true }));
app.get('/plain/:bytes', (c) => {
  const n = size(c.req.param('bytes'));
  return n === null
    ? c.json({ error: 'bad size' }, 400)
    : c.body(bodyOf(n), 200, { 'content-type': 'application/json' });
});
app.use('/etag/*', etag());
app.get('/etag/:bytes', (c) => {
  const n = size(c.req.param('bytes'));
  return n === null
    ? c.json({ error: 'bad size' }, 400)
    : c.body(bodyOf(n), 200, { 'content-type': 'application/json' });
});

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 0),
  hostname: process.env.HOST ?? '127.0.0.1',
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});

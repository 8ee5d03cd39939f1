import { serve } from '@hono/node-server';
import { fixturesApp } from './fixtures-app.js';

/**
 * The reads peer: a bare Hono app on @hono/node-server serving, like a static file server,
 * the very bytes ours answered (BENCH_FIXTURES: a JSON file the reads workload writes from
 * its probes of ours). Each body is compressed once at start (gzip, brotli) and answered by
 * `Accept-Encoding`; `If-None-Match` with the body's ETag answers 304. No store, no
 * rendering, no per-request work beyond a Map lookup: the ceiling a read of ours can reach.
 */
const app = fixturesApp();

const server = serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 0),
  hostname: process.env.HOST ?? '127.0.0.1',
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});

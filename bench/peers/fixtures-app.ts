import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { z } from 'zod';

/**
 * What the reads and surge peers serve: like a static file server, the very bytes ours answered
 * (BENCH_FIXTURES, a JSON file the workload writes from its probes of ours), each compressed
 * once at start (gzip, brotli) and answered by `Accept-Encoding`; `If-None-Match` with the
 * body's ETag answers 304. No store, no rendering, no per-request work beyond a Map lookup.
 */
const Fixtures = z.record(
  z.string().regex(/^[a-z0-9-]{1,40}$/),
  z.object({ body: z.string().max(12_000_000), contentType: z.string().max(200), etag: z.string().max(200) }),
);

interface Served {
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  contentType: string;
  etag: string;
}

function loadFixtures(file: string | undefined): Map<string, Served> {
  const served = new Map<string, Served>();
  if (!file) return served;
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
  return served;
}

/** `GET /health` and `GET /f/:name` over the fixtures named by BENCH_FIXTURES. */
export function fixturesApp(): Hono {
  const served = loadFixtures(process.env.BENCH_FIXTURES);
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
  return app;
}

import { Hono } from 'hono';
import type { Deps } from '../../deps.js';
import { notFound } from '../../domain/index.js';
import { serveMedia } from '../../media/serve.js';
import type { HttpEnv } from '../context.js';

/**
 * `GET|HEAD /media/:key`: the encoded variants, by content address. Public (they are what
 * published posts show), cacheable forever, never sniffed (see media/serve.ts). A key that
 * is malformed or absent is a JSON 404 like any other.
 */
export function mediaFileRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.on(['GET', 'HEAD'], '/media/:key', async (c) => {
    const res = await serveMedia(deps.media.storage, c.req.param('key'), {
      method: c.req.method === 'HEAD' ? 'HEAD' : 'GET',
      headers: {
        range: c.req.header('range'),
        ifNoneMatch: c.req.header('if-none-match'),
        ifRange: c.req.header('if-range'),
      },
    });
    if (!res) throw notFound('media object');
    // Readers' pages on partner origins may fetch these (canvas, service workers).
    res.headers.set('Access-Control-Allow-Origin', '*');
    return res;
  });
  return app;
}

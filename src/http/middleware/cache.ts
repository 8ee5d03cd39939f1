import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import type { HttpEnv } from '../context.js';

const inner = etag();

/**
 * Public JSON reads get an ETag (304 on If-None-Match) and a short shared cache lifetime,
 * so a burst of late readers costs one render per second at a CDN. Responses that depend
 * on a token are private and never stored.
 */
export function publicCache(maxAgeSeconds = 1): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    await inner(c, async () => {
      await next();
      if (c.res.status !== 200 || c.res.headers.has('Cache-Control')) return;
      c.header('Vary', 'Authorization', { append: true });
      c.header(
        'Cache-Control',
        c.get('principal')
          ? 'private, no-store'
          : `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds * 5}`,
      );
    });
  };
}

import type { MiddlewareHandler } from 'hono';
import type { HttpEnv } from '../context.js';
import { etagOf, matchesIfNoneMatch } from '../etag.js';

/**
 * Public JSON reads get an ETag (304 on If-None-Match) and a short shared cache lifetime,
 * so a burst of late readers costs one render per second at a CDN. Responses that depend
 * on a token are private and never stored. Routes that know their version (ReadCache) set
 * the ETag themselves; for the rest the body is hashed here.
 */
export function publicCache(maxAgeSeconds = 1): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    await next();
    if (c.res.status !== 200) return;
    let etag = c.res.headers.get('ETag');
    if (!etag) {
      etag = etagOf(await c.res.clone().text());
      c.header('ETag', etag);
    }
    if (!c.res.headers.has('Cache-Control')) {
      c.header('Vary', 'Authorization', { append: true });
      c.header(
        'Cache-Control',
        c.get('principal')
          ? 'private, no-store'
          : `public, max-age=${maxAgeSeconds}, stale-while-revalidate=${maxAgeSeconds * 5}`,
      );
    }
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), etag)) {
      const headers = new Headers(c.res.headers);
      headers.delete('Content-Length');
      headers.delete('Content-Type');
      c.res = new Response(null, { status: 304, headers });
    }
  };
}

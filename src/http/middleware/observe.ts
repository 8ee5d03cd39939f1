import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { newId } from '../../lib/ids.js';
import { type Logger, redactUrl } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { HttpContext, HttpEnv } from '../context.js';

/** Accepts a sane incoming X-Request-Id (word characters, - and =, at most 100) or makes one. */
export const requestIds = (): MiddlewareHandler<HttpEnv> => requestId({ limitLength: 100, generator: () => newId() });

/**
 * The route PATTERN that answered (e.g. /api/v1/blogs/:blogId/posts), never the raw path:
 * metric labels must stay a small fixed set. Middleware-only matches (404s) are "unmatched".
 */
function routeLabel(c: HttpContext): string {
  const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  return handlers.at(-1)?.path ?? 'unmatched';
}

/** Child logger per request, access log at debug, and the request-duration histogram. */
export function observe(baseLog: Logger, metrics: Metrics): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = baseLog.child({ reqId: c.get('requestId') });
    c.set('log', log);
    c.set('principal', null);
    try {
      await next();
    } finally {
      const ms = performance.now() - started;
      const status = c.res.status;
      metrics.httpDurationSeconds.observe(
        { route: routeLabel(c), method: c.req.method, status: String(status) },
        ms / 1000,
      );
      // The URL may carry a token in its query (collab-style links): redacted before logging.
      log.debug({ method: c.req.method, url: redactUrl(c.req.url), status, ms: Math.round(ms) }, 'request');
    }
  };
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../domain/index.js';
import * as routes from '../contract/ops.js';
import { newRouter } from '../openapi.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests in constant time, so the response time says nothing about the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S{1,512})\s*$/i.exec(header ?? '')?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/** Liveness, readiness (for load balancers) and Prometheus metrics. */
export function opsRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(routes.health, (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' }, 200);
  });

  app.openapi(routes.ready, async (c) => {
    c.header('Cache-Control', 'no-store');
    if (deps.lifecycle.draining) return c.json({ status: 'draining' }, 503);
    try {
      await deps.store.ping();
    } catch (err) {
      c.get('log').warn({ err }, 'store ping failed');
      return c.json({ status: 'unavailable', reason: 'store unreachable' }, 503);
    }
    return c.json({ status: 'ready', store: deps.store.kind, bus: deps.bus.kind }, 200);
  });

  app.openapi(routes.metrics, async (c) => {
    const token = deps.config.METRICS_TOKEN;
    if (token !== undefined && !bearerMatches(c.req.header('authorization'), token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new DomainError('unauthorized', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    const text = await deps.metrics.registry.metrics();
    c.header('Cache-Control', 'no-store');
    return c.text(text, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });

  return app;
}

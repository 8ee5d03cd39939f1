import type { Deps } from '../../deps.js';
import * as routes from '../contract/ops.js';
import { newRouter } from '../openapi.js';

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
    const text = await deps.metrics.registry.metrics();
    c.header('Cache-Control', 'no-store');
    return c.text(text, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });

  return app;
}

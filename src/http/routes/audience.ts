import type { Deps } from '../../deps.js';
import { audienceWindow, DomainError, mergeAudience } from '../../domain/index.js';
import { blogFromPath, requireRights } from '../access.js';
import * as routes from '../contract/audience.js';
import { newRouter } from '../openapi.js';

/** Audience figures for the blog's members (every role holds drafts.read; readers do not). */
export function audienceRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(
    { ...routes.getAudience, middleware: [blogFromPath(deps), requireRights(deps, ['drafts.read'])] },
    async (c) => {
      const blog = c.get('blog');
      const window = audienceWindow(c.req.valid('query'), Date.now());
      if (typeof window === 'string') throw new DomainError('validation_failed', window, { field: 'query' });
      const rows = await deps.store.listAudience(blog.id, window.from, window.to);
      return c.json({ ...window, buckets: mergeAudience(rows, deps.config.AUDIENCE_TOP_SITES) }, 200);
    },
  );

  return app;
}

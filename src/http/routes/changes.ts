import type { Deps } from '../../deps.js';
import { blogFromPath } from '../access.js';
import * as routes from '../contract/changes.js';
import { newRouter } from '../openapi.js';
import { type ReadCache, sendCachedJson } from '../read-cache.js';

/** Catch-up for readers that poll or reconnect, and the rendered summary. */
export function changesRoutes(deps: Deps, readCache: ReadCache) {
  const app = newRouter();
  const inBlog = [blogFromPath(deps)];

  app.openapi({ ...routes.listChanges, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const { since } = c.req.valid('query');
    // Anything older than the window is a reset, so at most REPLAY_WINDOW events follow
    // `since`: ask for all of them, since `{ seq, events }` promises every event up to `seq`.
    // Cached by (blog, since, head): polling readers at the same place cost one store read
    // per change, and a takedown drops the blog's entries (see http/index.ts).
    const changes = await readCache.getOrRender(`changes|${blog.id}|${since}`, blog.seq, () =>
      deps.store.listChanges(blog.id, since, {
        limit: deps.config.REPLAY_WINDOW,
        replayWindow: deps.config.REPLAY_WINDOW,
      }),
    );
    return sendCachedJson(c, changes);
  });

  app.openapi({ ...routes.getSummary, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const summary = await readCache.getOrRender(`summary|${blog.id}`, blog.seq, () => deps.store.getSummary(blog.id));
    return sendCachedJson(c, summary);
  });

  app.openapi({ ...routes.summaryHistory, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const { limit } = c.req.valid('query');
    // Every published rendering changes the blog's seq: cached under it, like the summary.
    const history = await readCache.getOrRender(`history|${blog.id}|${limit}`, blog.seq, async () => ({
      history: await deps.store.listSummaryHistory(blog.id, { limit }),
    }));
    return sendCachedJson(c, history);
  });

  return app;
}

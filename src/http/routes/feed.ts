import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import { QueryInt } from '../../domain/index.js';
import { loadBlog } from '../access.js';
import type { HttpEnv } from '../context.js';
import type { ReadCache } from '../read-cache.js';
import { readQuery } from '../validate.js';

export const ChangesQuery = z
  .object({
    since: QueryInt(0, Number.MAX_SAFE_INTEGER).default(0).describe('last seq the client applied (default 0)'),
  })
  .strict();
export const HistoryQuery = z
  .object({ limit: QueryInt(1, 200).default(50).describe('1 to 200 (default 50)') })
  .strict();

/** Catch-up for readers that poll or reconnect, and the rendered summary. */
export function feedRoutes(deps: Deps, readCache: ReadCache): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/blogs/:blogId/changes', async (c) => {
    const blog = await loadBlog(deps, c);
    const { since } = readQuery(c, ChangesQuery);
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
    return c.body(changes.body, 200, { 'Content-Type': 'application/json', ETag: changes.etag });
  });

  app.get('/blogs/:blogId/summary', async (c) => {
    const blog = await loadBlog(deps, c);
    const summary = await readCache.getOrRender(`summary|${blog.id}`, blog.seq, () => deps.store.getSummary(blog.id));
    return c.body(summary.body, 200, { 'Content-Type': 'application/json', ETag: summary.etag });
  });

  app.get('/blogs/:blogId/summary/history', async (c) => {
    const blog = await loadBlog(deps, c);
    const { limit } = readQuery(c, HistoryQuery);
    // Every published rendering changes the blog's seq: cached under it, like the summary.
    const history = await readCache.getOrRender(`history|${blog.id}|${limit}`, blog.seq, async () => ({
      history: await deps.store.listSummaryHistory(blog.id, { limit }),
    }));
    return c.body(history.body, 200, { 'Content-Type': 'application/json', ETag: history.etag });
  });

  return app;
}

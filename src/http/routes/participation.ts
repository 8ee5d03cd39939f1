import type { Deps } from '../../deps.js';
import { authorOf, tallyPostIds } from '../../domain/index.js';
import { MinuteLimit } from '../../lib/rate-limit.js';
import { blogFromPath, requireRights } from '../access.js';
import * as routes from '../contract/participation.js';
import { clientIp, requirePrincipal, spend } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { publishLive } from '../publish.js';
import { TallyDoorbell } from '../tally-doorbell.js';
import { jsonBodyChecks } from '../validate.js';

/**
 * Readers taking part: votes in a post's poll and reactions (public, one budget per address),
 * counts for the widget's first render, and the editor's "close the poll". Counts never take
 * a seq: accepted votes ring the bus (batched) and the realtime hub sends `counts` frames.
 * A poll past its closing time is closed here the first time anyone touches it (the hub
 * also closes the polls it knows of on time), so its final result is always one event.
 */
export function participationRoutes(deps: Deps) {
  const app = newRouter();
  const { store, config, metrics } = deps;
  const perIp = new MinuteLimit('http_participation', config.RATE_PARTICIPATION_PER_MIN, metrics);
  const doorbell = new TallyDoorbell(deps.bus);

  const closeIfDue = async (blogId: string, postId: string) => {
    const { event } = await store.closePoll(blogId, postId, new Date().toISOString(), { onlyIfDue: true });
    publishLive(deps, event);
  };

  app.openapi({ ...routes.castVote, middleware: [blogFromPath(deps), jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const { postId } = c.req.valid('param');
    const { option, voter } = c.req.valid('json');
    await spend(perIp, clientIp(c, config.TRUST_PROXY));
    try {
      const receipt = await store.castVote({ blogId: blog.id, postId, voter, option, at: new Date().toISOString() });
      if (receipt.counted) doorbell.ring(blog.id, postId);
      return c.json(receipt, 202);
    } catch (err) {
      // A vote after closesAt: make sure the closing result exists, then refuse as closed.
      if (err instanceof Error && 'code' in err && err.code === 'conflict') await closeIfDue(blog.id, postId);
      throw err;
    }
  });

  app.openapi({ ...routes.addReaction, middleware: [blogFromPath(deps), jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const { postId } = c.req.valid('param');
    const { reaction, voter } = c.req.valid('json');
    await spend(perIp, clientIp(c, config.TRUST_PROXY));
    const { counted } = await store.addReaction({
      blogId: blog.id,
      postId,
      voter,
      reaction,
      at: new Date().toISOString(),
    });
    if (counted) doorbell.ring(blog.id, postId);
    return c.json({ reaction, counted }, 202);
  });

  app.openapi({ ...routes.getTallies, middleware: [blogFromPath(deps)] }, async (c) => {
    const blog = c.get('blog');
    const ids = tallyPostIds(c.req.valid('query').posts);
    const now = Date.now();
    const { posts, due } = await store.tallies(blog.id, ids, now);
    // Counts change by the second: publicCache gives them max-age=1 and an ETag.
    for (const postId of due) await closeIfDue(blog.id, postId);
    return c.json({ posts }, 200);
  });

  app.openapi(
    { ...routes.closePoll, middleware: [blogFromPath(deps), requireRights(deps, ['post.edit'])] },
    async (c) => {
      const blog = c.get('blog');
      const { postId } = c.req.valid('param');
      const { post, event } = await store.closePoll(blog.id, postId, new Date().toISOString(), {
        by: authorOf(requirePrincipal(c)),
      });
      publishLive(deps, event);
      return c.json(post, 200);
    },
  );

  return app;
}

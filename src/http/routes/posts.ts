import type { Deps } from '../../deps.js';
import { assertWritable, authorOf, can, deleteActions, isHidden, notFound, type Post } from '../../domain/index.js';
import { buildPost, createRights } from '../../domain/post-building.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, blogFromPath, requireRights, roleOn } from '../access.js';
import { auditFor } from '../audit.js';
import * as routes from '../contract/posts.js';
import { mediaLookup } from '../media-base.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { announceHidden, fitsForReaders, guardedWrite, patchPost } from '../post-writes.js';
import { publishDraft, publishLive } from '../publish.js';
import { type ReadCache, sendCachedJson } from '../read-cache.js';
import { jsonBodyChecks } from '../validate.js';

export function postRoutes(deps: Deps, readCache: ReadCache) {
  const app = newRouter();
  const { store } = deps;
  const readPost = async (blogId: string, postId: string): Promise<Post> => {
    const post = await store.getPost(blogId, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    return post;
  };
  const inBlog = [blogFromPath(deps)];
  // Every write needs at least the right to draft; finer rights are judged on the post.
  const writeIn = [...inBlog, requireRights(deps, ['post.draft'])];

  app.openapi({ ...routes.listPosts, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const q = c.req.valid('query');
    const filters = { tag: q.tag, keyEvents: q.keyEvents === 'true', order: q.order };
    if (q.status !== 'published') {
      // Drafts, submissions (the review queue) and scheduled posts: members only.
      await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
      return c.json(
        await store.listPosts(blog.id, { limit: q.limit, before: q.before, status: q.status, ...filters }),
        200,
      );
    }
    // Published pages change only with the blog's seq: cache the rendered body under it.
    const key = `posts|${blog.id}|${q.limit}|${q.before ?? ''}|${q.tag ?? ''}|${filters.keyEvents}|${q.order ?? ''}`;
    const page = await readCache.getOrRender(key, blog.seq, () =>
      store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'published', ...filters }),
    );
    return sendCachedJson(c, page);
  });

  app.openapi({ ...routes.createPost, middleware: [...writeIn, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const input = c.req.valid('json');
    assertWritable(blog);
    const now = new Date().toISOString();
    const id = newId();
    const media = await mediaLookup(deps, c, blog.id, input.blocks);
    const built = buildPost(input, authorOf(p), blog.id, now, id, media);
    // Publishing or scheduling is an editor's right; so are pin and key event.
    await authorizeAll(deps, p, blog.id, createRights(built));
    fitsForReaders(deps, built, 'post.created');
    const { post, event } = await store.createPost(built, {
      audit: auditFor(c, deps.config.TRUST_PROXY, 'post.create', { blogId: blog.id, postId: id }),
    });
    publishLive(deps, event);
    announceHidden(deps, post, null, blog.id, now);
    return c.json(post, 201);
  });

  app.openapi({ ...routes.getPost, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const { postId } = c.req.valid('param');
    const p = c.get('principal');
    const post = await store.getPost(blog.id, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    // A hidden post (draft, submitted, scheduled) is invisible (404, not 403) to anyone who may not read drafts.
    if (isHidden(post.status) && !(p && can(p, await roleOn(deps, p, blog.id), 'drafts.read'))) {
      throw notFound('post');
    }
    return c.json(post, 200);
  });

  app.openapi({ ...routes.patchPost, middleware: [...writeIn, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    const patch = c.req.valid('json');
    const media = await mediaLookup(deps, c, blog.id, patch.blocks);
    const audit = auditFor(c, deps.config.TRUST_PROXY, 'post.update', { blogId: blog.id, postId });
    return c.json(await patchPost(deps, blog, p, postId, patch, media, audit), 200);
  });

  app.openapi({ ...routes.deletePost, middleware: writeIn }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    assertWritable(blog);
    const first = await readPost(blog.id, postId);
    // A contributor's delete of their draft must not land on the post an editor has just
    // published (that needs post.delete, judged again on the fresh read).
    await guardedWrite(
      first,
      () => readPost(blog.id, postId),
      async (current) => {
        await authorizeAll(deps, p, blog.id, deleteActions(p, current));
        const now = new Date().toISOString();
        const { previous, event } = await store.deletePost(blog.id, postId, now, {
          expectedUpdatedAt: current.updatedAt,
          audit: auditFor(c, deps.config.TRUST_PROXY, 'post.delete', { blogId: blog.id, postId }),
        });
        publishLive(deps, event);
        if (isHidden(previous.status)) publishDraft(deps, 'draft.deleted', { id: previous.id }, blog.id, now);
      },
    );
    return c.body(null, 204);
  });

  return app;
}

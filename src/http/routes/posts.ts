import type { Deps } from '../../deps.js';
import {
  assertEventFits,
  authorOf,
  can,
  createActions,
  DomainError,
  deleteActions,
  maxEventBytes,
  notFound,
  type Post,
  patchActions,
} from '../../domain/index.js';
import { applyPostPatch, buildPost } from '../../domain/posts.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, blogFromPath, requireRights, roleOn } from '../access.js';
import * as routes from '../contract/posts.js';
import { mediaLookup } from '../media-base.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { publishDraft, publishLive } from '../publish.js';
import { type ReadCache, sendCachedJson } from '../read-cache.js';
import { jsonBodyChecks } from '../validate.js';

/** A guarded read-modify-write is tried this often before answering 409. */
const WRITE_ATTEMPTS = 3;

/**
 * Read, judge, write — guarded: `write` judges rights on `current` and passes its updatedAt
 * to the store, which refuses with 'conflict' if someone changed the post in between (an
 * editor published it while this edit was in flight). Then the post is read again and
 * judged and written anew, so fields a patch does not name are never reverted.
 */
async function guardedWrite<T>(
  first: Post,
  reread: () => Promise<Post>,
  write: (current: Post) => Promise<T>,
): Promise<T> {
  let current = first;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(current);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'conflict') || attempt >= WRITE_ATTEMPTS) throw err;
      current = await reread();
    }
  }
}

export function postRoutes(deps: Deps, readCache: ReadCache) {
  const app = newRouter();
  const { store } = deps;
  /** 413 before the write when readers could not be sent the event (counted per type). */
  const fitsForReaders = (post: Omit<Post, 'seq'>, type: 'post.created' | 'post.updated') => {
    try {
      assertEventFits('post', post, maxEventBytes(deps.config));
    } catch (err) {
      deps.metrics.eventsTooLarge.inc({ type });
      throw err;
    }
  };
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
    if (q.status === 'draft') {
      await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
      return c.json(await store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'draft' }), 200);
    }
    // Published pages change only with the blog's seq: cache the rendered body under it.
    const key = `posts|${blog.id}|${q.limit}|${q.before ?? ''}`;
    const page = await readCache.getOrRender(key, blog.seq, () =>
      store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'published' }),
    );
    return sendCachedJson(c, page);
  });

  app.openapi({ ...routes.createPost, middleware: [...writeIn, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const input = c.req.valid('json');
    await authorizeAll(deps, p, blog.id, createActions(input));
    const now = new Date().toISOString();
    const media = await mediaLookup(deps, c, blog.id, input.blocks);
    const draft = buildPost(input, authorOf(p), blog.id, now, newId(), media);
    fitsForReaders(draft, 'post.created');
    const { post, event } = await store.createPost(draft);
    publishLive(deps, event);
    if (post.status === 'draft') publishDraft(deps, 'draft.saved', post, blog.id, now);
    return c.json(post, 201);
  });

  app.openapi({ ...routes.getPost, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const { postId } = c.req.valid('param');
    const p = c.get('principal');
    const post = await store.getPost(blog.id, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    // A draft is invisible (404, not 403) to anyone who may not read drafts.
    if (post.status === 'draft' && !(p && can(p, await roleOn(deps, p, blog.id), 'drafts.read'))) {
      throw notFound('post');
    }
    return c.json(post, 200);
  });

  app.openapi({ ...routes.patchPost, middleware: [...writeIn, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    const patch = c.req.valid('json');
    const first = await readPost(blog.id, postId);
    const media = await mediaLookup(deps, c, blog.id, patch.blocks);
    const post = await guardedWrite(
      first,
      () => readPost(blog.id, postId),
      async (current) => {
        await authorizeAll(deps, p, blog.id, patchActions(p, current, patch));
        const now = new Date().toISOString();
        const next = applyPostPatch(current, patch, now, media);
        fitsForReaders({ ...current, ...next }, 'post.updated');
        const { post, event } = await store.updatePost(blog.id, postId, next, {
          expectedUpdatedAt: current.updatedAt,
        });
        publishLive(deps, event);
        if (post.status === 'draft') publishDraft(deps, 'draft.saved', post, blog.id, now);
        return post;
      },
    );
    return c.json(post, 200);
  });

  app.openapi({ ...routes.deletePost, middleware: writeIn }, async (c) => {
    const blog = c.get('blog');
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
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
        });
        publishLive(deps, event);
        if (previous.status === 'draft') publishDraft(deps, 'draft.deleted', { id: previous.id }, blog.id, now);
      },
    );
    return c.body(null, 204);
  });

  return app;
}

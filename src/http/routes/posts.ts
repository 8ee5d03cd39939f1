import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  type Action,
  type Author,
  can,
  DomainError,
  Id,
  notFound,
  type Post,
  PostCreateInput,
  PostPatchInput,
  type Principal,
  QueryInt,
} from '../../domain/index.js';
import { applyPostPatch, buildPost } from '../../domain/posts.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, loadBlog, roleOn } from '../access.js';
import { auditFor } from '../audit.js';
import type { HttpEnv } from '../context.js';
import { requirePrincipal } from '../middleware/auth.js';
import { publishDraft, publishLive } from '../publish.js';
import type { ReadCache } from '../read-cache.js';
import { readJson, readParam, readQuery } from '../validate.js';

export const PostListQuery = z
  .object({
    limit: QueryInt(1, 100).default(20).describe('page size, 1 to 100 (default 20)'),
    before: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
    status: z.enum(['published', 'draft']).default('published'),
  })
  .strict();

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

function authorOf(p: Principal): Author {
  // An admin account writes as the person it is; only the bare admin token writes as "Admin".
  return p.user ? { id: p.user.id, name: p.user.name } : { id: 'admin', name: 'Admin' };
}

function isAuthor(p: Principal, post: Post): boolean {
  return p.kind === 'admin' || post.author.id === p.user.id;
}

/**
 * Contributors may only touch their own drafts; someone else's draft needs the right to
 * edit (or delete) posts in general.
 */
function draftRights(p: Principal, post: Post, general: Action): Action[] {
  return isAuthor(p, post) ? ['post.draft'] : [general];
}

/** Which rights a patch needs, judged from the current post and the patch. */
function patchActions(p: Principal, current: Post, patch: PostPatchInput): Action[] {
  const actions: Action[] = [];
  if (current.status === 'published') actions.push('post.edit');
  else actions.push(...draftRights(p, current, 'post.edit'));
  if (patch.status === 'published' && current.status === 'draft') actions.push('post.publish');
  if (
    (patch.pinned !== undefined && patch.pinned !== current.pinned) ||
    (patch.keyEvent !== undefined && patch.keyEvent !== current.keyEvent)
  ) {
    actions.push('post.edit');
  }
  return actions;
}

export function postRoutes(deps: Deps, readCache: ReadCache): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const { store } = deps;
  const readPost = async (blogId: string, postId: string): Promise<Post> => {
    const post = await store.getPost(blogId, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    return post;
  };

  app.get('/blogs/:blogId/posts', async (c) => {
    const blog = await loadBlog(deps, c);
    const q = readQuery(c, PostListQuery);
    if (q.status === 'draft') {
      await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
      return c.json(await store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'draft' }));
    }
    // Published pages change only with the blog's seq: cache the rendered body under it.
    const key = `posts|${blog.id}|${q.limit}|${q.before ?? ''}`;
    const page = await readCache.getOrRender(key, blog.seq, () =>
      store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'published' }),
    );
    return c.body(page.body, 200, { 'Content-Type': 'application/json', ETag: page.etag });
  });

  app.post('/blogs/:blogId/posts', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    // Rights first (a 403 must not depend on the body), then the body's own demands.
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    const input = await readJson(c, PostCreateInput);
    const actions: Action[] = [input.status === 'published' ? 'post.publish' : 'post.draft'];
    if (input.pinned || input.keyEvent) actions.push('post.edit');
    await authorizeAll(deps, p, blog.id, actions);
    const now = new Date().toISOString();
    const id = newId();
    const { post, event } = await store.createPost(buildPost(input, authorOf(p), blog.id, now, id), {
      audit: auditFor(c, deps.config.TRUST_PROXY, 'post.create', { blogId: blog.id, postId: id }),
    });
    publishLive(deps, event);
    if (post.status === 'draft') publishDraft(deps, 'draft.saved', post, blog.id, now);
    return c.json(post, 201);
  });

  app.get('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const postId = readParam(c, 'postId', Id);
    const p = c.get('principal');
    const post = await store.getPost(blog.id, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    // A draft is invisible (404, not 403) to anyone who may not read drafts.
    if (post.status === 'draft' && !(p && can(p, await roleOn(deps, p, blog.id), 'drafts.read'))) {
      throw notFound('post');
    }
    return c.json(post);
  });

  app.patch('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const postId = readParam(c, 'postId', Id);
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    const first = await readPost(blog.id, postId);
    const patch = await readJson(c, PostPatchInput);
    const post = await guardedWrite(
      first,
      () => readPost(blog.id, postId),
      async (current) => {
        await authorizeAll(deps, p, blog.id, patchActions(p, current, patch));
        const now = new Date().toISOString();
        const { post, event } = await store.updatePost(blog.id, postId, applyPostPatch(current, patch, now), {
          expectedUpdatedAt: current.updatedAt,
          audit: auditFor(c, deps.config.TRUST_PROXY, 'post.update', { blogId: blog.id, postId }),
        });
        publishLive(deps, event);
        if (post.status === 'draft') publishDraft(deps, 'draft.saved', post, blog.id, now);
        return post;
      },
    );
    return c.json(post);
  });

  app.delete('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const postId = readParam(c, 'postId', Id);
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    const first = await readPost(blog.id, postId);
    // A contributor's delete of their draft must not land on the post an editor has just
    // published (that needs post.delete, judged again on the fresh read).
    await guardedWrite(
      first,
      () => readPost(blog.id, postId),
      async (current) => {
        const actions =
          current.status === 'published' ? (['post.delete'] as Action[]) : draftRights(p, current, 'post.delete');
        await authorizeAll(deps, p, blog.id, actions);
        const now = new Date().toISOString();
        const { previous, event } = await store.deletePost(blog.id, postId, now, {
          expectedUpdatedAt: current.updatedAt,
          audit: auditFor(c, deps.config.TRUST_PROXY, 'post.delete', { blogId: blog.id, postId }),
        });
        publishLive(deps, event);
        if (previous.status === 'draft') publishDraft(deps, 'draft.deleted', { id: previous.id }, blog.id, now);
      },
    );
    return c.body(null, 204);
  });

  return app;
}

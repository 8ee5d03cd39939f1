import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  type Action,
  assertWritable,
  can,
  Id,
  isHidden,
  notFound,
  type Post,
  PostCreateInput,
  PostPatchInput,
  PostStatus,
  type Principal,
  QueryInt,
  Tag,
} from '../../domain/index.js';
import { buildPost, createRights } from '../../domain/posts.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, loadBlog, roleOn } from '../access.js';
import type { HttpEnv } from '../context.js';
import { requirePrincipal } from '../middleware/auth.js';
import { announceHidden, authorOf, guardedWrite, patchPost } from '../post-writes.js';
import { publishDraft, publishLive } from '../publish.js';
import type { ReadCache } from '../read-cache.js';
import { readJson, readParam, readQuery } from '../validate.js';

export const PostListQuery = z
  .object({
    limit: QueryInt(1, 100).default(20).describe('page size, 1 to 100 (default 20)'),
    before: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
    status: PostStatus.default('published').describe('published (public), or draft / submitted / scheduled (members)'),
    tag: Tag.optional().describe('only posts with this tag (normalised like the tags themselves)'),
    keyEvents: z.enum(['true', 'false']).optional().describe('true: only key events'),
    order: z.enum(['newest', 'oldest']).optional().describe('newest first (default) or oldest first'),
  })
  .strict();

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
    const filters = { tag: q.tag, keyEvents: q.keyEvents === 'true', order: q.order };
    if (q.status !== 'published') {
      await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
      return c.json(await store.listPosts(blog.id, { limit: q.limit, before: q.before, status: q.status, ...filters }));
    }
    // Published pages change only with the blog's seq: cache the rendered body under it.
    const key = `posts|${blog.id}|${q.limit}|${q.before ?? ''}|${q.tag ?? ''}|${filters.keyEvents}|${q.order ?? ''}`;
    const page = await readCache.getOrRender(key, blog.seq, () =>
      store.listPosts(blog.id, { limit: q.limit, before: q.before, status: 'published', ...filters }),
    );
    return c.body(page.body, 200, { 'Content-Type': 'application/json', ETag: page.etag });
  });

  app.post('/blogs/:blogId/posts', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    // Rights first (a 403 must not depend on the body), then the body's own demands.
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    const input = await readJson(c, PostCreateInput);
    assertWritable(blog);
    const now = new Date().toISOString();
    const built = buildPost(input, authorOf(p), blog.id, now, newId());
    await authorizeAll(deps, p, blog.id, createRights(built));
    const { post, event } = await store.createPost(built);
    publishLive(deps, event);
    announceHidden(deps, post, null, blog.id, now);
    return c.json(post, 201);
  });

  app.get('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const postId = readParam(c, 'postId', Id);
    const p = c.get('principal');
    const post = await store.getPost(blog.id, postId, { includeDrafts: true });
    if (!post) throw notFound('post');
    // A draft is invisible (404, not 403) to anyone who may not read drafts.
    if (isHidden(post.status) && !(p && can(p, await roleOn(deps, p, blog.id), 'drafts.read'))) {
      throw notFound('post');
    }
    return c.json(post);
  });

  app.patch('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const postId = readParam(c, 'postId', Id);
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    const patch = await readJson(c, PostPatchInput);
    const post = await patchPost(deps, blog, p, postId, patch);
    return c.json(post);
  });

  app.delete('/blogs/:blogId/posts/:postId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const postId = readParam(c, 'postId', Id);
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    assertWritable(blog);
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
        });
        publishLive(deps, event);
        if (isHidden(previous.status)) publishDraft(deps, 'draft.deleted', { id: previous.id }, blog.id, now);
      },
    );
    return c.body(null, 204);
  });

  return app;
}

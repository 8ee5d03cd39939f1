import type { Deps } from '../../deps.js';
import { conflict, notFound } from '../../domain/index.js';
import { authorizeAll, blogFromPath, requireRights } from '../access.js';
import { routes } from '../contract/workflow.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { patchPost } from '../post-writes.js';
import { jsonBodyChecks } from '../validate.js';

/**
 * Submit, publish, return: each is the PATCH it names (status submitted / published /
 * draft with a note), so the domain judges it once, the same way. The right each step needs
 * is asked first, so a contributor's 403 does not depend on the post's state.
 */
export function workflowRoutes(deps: Deps) {
  const app = newRouter();
  const inBlog = [blogFromPath(deps)];

  app.openapi(
    { ...routes.submitPost, middleware: [...inBlog, requireRights(deps, ['post.draft']), jsonBodyChecks()] },
    async (c) => {
      const { postId } = c.req.valid('param');
      return c.json(await patchPost(deps, c.get('blog'), requirePrincipal(c), postId, { status: 'submitted' }), 200);
    },
  );

  app.openapi(
    { ...routes.publishPost, middleware: [...inBlog, requireRights(deps, ['post.publish']), jsonBodyChecks()] },
    async (c) => {
      const blog = c.get('blog');
      const { postId } = c.req.valid('param');
      // Publishing what readers already have would be an empty edit with a new seq: refuse it.
      const current = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
      if (current?.status === 'published') throw conflict('the post is already published');
      return c.json(await patchPost(deps, blog, requirePrincipal(c), postId, { status: 'published' }), 200);
    },
  );

  app.openapi(
    { ...routes.returnPost, middleware: [...inBlog, requireRights(deps, ['post.publish']), jsonBodyChecks()] },
    async (c) => {
      const blog = c.get('blog');
      const { postId } = c.req.valid('param');
      const { note } = c.req.valid('json');
      const current = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
      if (current && current.status !== 'submitted') {
        throw conflict(`only a submitted post can be returned (this one is ${current.status})`);
      }
      return c.json(await patchPost(deps, blog, requirePrincipal(c), postId, { status: 'draft', note }), 200);
    },
  );

  app.openapi({ ...routes.listRevisions, middleware: inBlog }, async (c) => {
    const blog = c.get('blog');
    const { postId } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    // Revisions show what an edit removed: members only, like drafts.
    await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
    const post = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
    // A deleted post keeps its history (readers saw it); an unknown one is a 404.
    const revisions = await deps.store.listRevisions(blog.id, postId, { limit });
    if (!post && revisions.length === 0) throw notFound('post');
    return c.json({ revisions }, 200);
  });

  return app;
}

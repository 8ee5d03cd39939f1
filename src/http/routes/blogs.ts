import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.js';
import {
  assertWritable,
  type Blog,
  blogVisible,
  can,
  conflict,
  DomainError,
  type Principal,
} from '../../domain/index.js';
import { slugify, withSuffix } from '../../domain/slug.js';
import { newId } from '../../lib/ids.js';
import { blogFromPath, requireRights } from '../access.js';
import { auditFor } from '../audit.js';
import type { HttpEnv } from '../context.js';
import * as routes from '../contract/blogs.js';
import { requirePrincipal } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { publishLive } from '../publish.js';
import { jsonBodyChecks } from '../validate.js';

/** Picks a free slug: the requested one (409 when taken) or one made from the title. */
async function chooseSlug(deps: Deps, requested: string | undefined, title: string): Promise<string> {
  if (requested) {
    if (await deps.store.getBlog(requested))
      throw conflict(`slug '${requested}' is taken`, [{ path: 'slug', message: 'is taken' }]);
    return requested;
  }
  const base = slugify(title);
  if (!(await deps.store.getBlog(base))) return base;
  for (let i = 0; i < 5; i++) {
    const candidate = withSuffix(base);
    if (!(await deps.store.getBlog(candidate))) return candidate;
  }
  throw conflict('could not find a free slug; pass one explicitly');
}

/** Blogs a caller may see in the list (blogVisible; the admin is a member of every blog). */
async function visibleTo(deps: Deps, p: Principal | null, blogs: Blog[]): Promise<Blog[]> {
  const out: Blog[] = [];
  for (const b of blogs) {
    const member = b.status === 'draft' && p !== null && (await deps.auth.roleFor(p, b.id)) !== null;
    if (blogVisible(b, member)) out.push(b);
  }
  return out;
}

export function blogRoutes(deps: Deps) {
  const app = newRouter();

  app.openapi(routes.listBlogs, async (c) => {
    const q = c.req.valid('query');
    const blogs = await deps.store.listBlogs({ limit: q.limit, offset: q.offset });
    return c.json({ blogs: await visibleTo(deps, c.get('principal'), blogs) }, 200);
  });

  // Blog creation is a right of its own (admins, and users the admin granted it to): a live
  // blog speaks with the newsroom's name. A user who creates one becomes its owner. The right
  // is judged before the body is read, so a 403 never depends on the body.
  const mayCreateBlogs: MiddlewareHandler<HttpEnv> = async (c, next) => {
    if (!can(requirePrincipal(c), null, 'blog.create')) {
      throw new DomainError('forbidden', 'creating blogs is a right the admin grants (canCreateBlogs)');
    }
    await next();
  };
  app.openapi({ ...routes.createBlog, middleware: [mayCreateBlogs, jsonBodyChecks()] }, async (c) => {
    const p = requirePrincipal(c);
    const input = c.req.valid('json');
    const slug = await chooseSlug(deps, input.slug, input.title);
    const now = new Date().toISOString();
    const blogId = newId();
    const blog = await deps.store.createBlog(
      {
        id: blogId,
        slug,
        title: input.title,
        description: input.description,
        status: input.status,
        allowedOrigins: input.allowedOrigins,
        order: input.order,
        language: input.language,
      },
      now,
      { audit: auditFor(c, deps.config.TRUST_PROXY, 'blog.create', { blogId }) },
    );
    if (p.kind === 'user') await deps.store.setMember(blog.id, p.user.id, 'owner');
    return c.json(blog, 201);
  });

  app.openapi({ ...routes.getBlog, middleware: [blogFromPath(deps)] }, (c) => c.json(c.get('blog'), 200));

  app.openapi(
    {
      ...routes.patchBlog,
      middleware: [blogFromPath(deps), requireRights(deps, ['blog.update']), jsonBodyChecks()],
    },
    async (c) => {
      const blog = c.get('blog');
      const patch = c.req.valid('json');
      // An archived blog takes one change: its status, to reopen it.
      assertWritable(
        blog,
        Object.keys(patch).length === 1 && patch.status !== undefined && patch.status !== 'archived',
      );
      if (patch.slug && patch.slug !== blog.slug) {
        const other = await deps.store.getBlog(patch.slug);
        if (other && other.id !== blog.id) {
          throw conflict(`slug '${patch.slug}' is taken`, [{ path: 'slug', message: 'is taken' }]);
        }
      }
      const { blog: updated, event } = await deps.store.updateBlog(blog.id, patch, new Date().toISOString(), {
        audit: auditFor(c, deps.config.TRUST_PROXY, 'blog.update', { blogId: blog.id }),
      });
      publishLive(deps, event);
      // Archived is read-only for editors too: open collab connections lose edit rights now,
      // on every node, without waiting for a reconnect.
      if (updated.status === 'archived' && blog.status !== 'archived') {
        deps.bus.publish({ kind: 'blog.access', blogId: blog.id });
      }
      return c.json(updated, 200);
    },
  );

  return app;
}

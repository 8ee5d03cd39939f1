import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  type Blog,
  BlogCreateInput,
  BlogPatchInput,
  conflict,
  DomainError,
  type Principal,
  QueryInt,
} from '../../domain/index.js';
import { slugify, withSuffix } from '../../domain/slug.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, loadBlog } from '../access.js';
import { auditFor } from '../audit.js';
import type { HttpEnv } from '../context.js';
import { requirePrincipal } from '../middleware/auth.js';
import { publishLive } from '../publish.js';
import { readJson, readQuery } from '../validate.js';

export const BlogListQuery = z
  .object({
    limit: QueryInt(1, 100).default(20).describe('page size, 1 to 100 (default 20)'),
    offset: QueryInt(0, 1_000_000).default(0).describe('blogs to skip (default 0)'),
  })
  .strict();

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

/** Blogs a caller may see in the list: all for the admin, live/ended ones plus the caller's own drafts. */
async function visibleTo(deps: Deps, p: Principal | null, blogs: Blog[]): Promise<Blog[]> {
  if (p?.kind === 'admin') return blogs;
  const out: Blog[] = [];
  for (const b of blogs) {
    if (b.status !== 'draft') out.push(b);
    else if (p && (await deps.store.getRole(b.id, p.user.id)) !== null) out.push(b);
  }
  return out;
}

export function blogRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/blogs', async (c) => {
    const q = readQuery(c, BlogListQuery);
    const blogs = await deps.store.listBlogs({ limit: q.limit, offset: q.offset });
    return c.json({ blogs: await visibleTo(deps, c.get('principal'), blogs) });
  });

  // Any authenticated user may start a blog and becomes its owner.
  app.post('/blogs', async (c) => {
    const p = requirePrincipal(c);
    const input = await readJson(c, BlogCreateInput);
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
      },
      now,
      { audit: auditFor(c, deps.config.TRUST_PROXY, 'blog.create', { blogId }) },
    );
    if (p.kind === 'user') await deps.store.setMember(blog.id, p.user.id, 'owner');
    return c.json(blog, 201);
  });

  app.get('/blogs/:blogId', async (c) => c.json(await loadBlog(deps, c)));

  app.patch('/blogs/:blogId', async (c) => {
    const blog = await loadBlog(deps, c);
    await authorizeAll(deps, c.get('principal'), blog.id, ['blog.update']);
    const patch = await readJson(c, BlogPatchInput);
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
    return c.json(updated);
  });

  return app;
}

/** Guards against a blog losing its last owner (nobody could manage it but the admin). */
export async function assertKeepsAnOwner(deps: Deps, blogId: string, userId: string): Promise<void> {
  const members = await deps.store.listMembers(blogId);
  const owners = members.filter((m) => m.role === 'owner');
  if (owners.length === 1 && owners[0]?.userId === userId) {
    throw new DomainError('conflict', 'a blog must keep at least one owner');
  }
}

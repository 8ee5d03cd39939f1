import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import type { Action, Blog, Principal, Role } from '../domain/index.js';
import { BlogRef, blogVisible, DomainError, notFound } from '../domain/index.js';
import type { HttpContext, HttpEnv } from './context.js';
import { requirePrincipal } from './middleware/auth.js';
import { preloadedBlog } from './read-model/preload.js';
import { readParam } from './validate.js';

/** The caller's role on the blog (owner for the admin), or null. */
export async function roleOn(deps: Deps, p: Principal | null, blogId: string): Promise<Role | null> {
  return p ? deps.auth.roleFor(p, blogId) : null;
}

/**
 * Loads the blog named in the path. A draft blog exists only for its members (and the
 * admin): anyone else gets the same 404 as for a missing blog.
 */
export async function loadBlog(deps: Deps, c: HttpContext): Promise<Blog> {
  const ref = readParam(c, 'blogId', BlogRef);
  // A read model render starts from the blog it has just read (one store read per burst).
  const blog = preloadedBlog(c.req.raw, ref) ?? (await deps.store.getBlog(ref));
  if (!blog) throw notFound('blog');
  if (!blogVisible(blog, blog.status === 'draft' && (await roleOn(deps, c.get('principal'), blog.id)) !== null)) {
    throw notFound('blog');
  }
  return blog;
}

/**
 * Route middleware: the path's blog as `c.var.blog`. It runs before the declared
 * validators, so a missing or hidden blog is a 404 whatever the query or body holds.
 */
export function blogFromPath(deps: Deps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    c.set('blog', await loadBlog(deps, c));
    await next();
  };
}

/** Throws 401/403 unless the caller may do every action on the blog; resolves with the role. */
export async function authorizeAll(
  deps: Deps,
  p: Principal | null,
  blogId: string,
  actions: Action[],
): Promise<Role | null> {
  if (!p) throw new DomainError('unauthorized', 'a valid bearer token is required');
  let role: Role | null = null;
  for (const a of new Set(actions)) role = await deps.auth.authorize(p, blogId, a);
  return role;
}

/**
 * Route middleware: 401/403 unless the caller may do these actions on `c.var.blog`. Runs
 * before the body is validated: whether a write is allowed must not depend on its body.
 */
export function requireRights(deps: Deps, actions: Action[]): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    await authorizeAll(deps, requirePrincipal(c), c.get('blog').id, actions);
    await next();
  };
}

/** Route middleware: 401 without a valid bearer token. */
export const signedIn = (): MiddlewareHandler<HttpEnv> => async (c, next) => {
  requirePrincipal(c);
  await next();
};

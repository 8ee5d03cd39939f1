import { z } from 'zod';
import type { Deps } from '../deps.js';
import type { Action, Blog, Principal, Role } from '../domain/index.js';
import { DomainError, notFound } from '../domain/index.js';
import type { HttpContext } from './context.js';
import { readParam } from './validate.js';

/** `:blogId` is the blog's id or its slug. */
export const BlogRef = z.string().min(1).max(80);

/**
 * Loads the blog named in the path. A blog whose status is `draft` exists only for its
 * members (and the admin): anyone else gets the same 404 as for a missing blog.
 */
export async function loadBlog(deps: Deps, c: HttpContext): Promise<Blog> {
  const ref = readParam(c, 'blogId', BlogRef);
  const blog = await deps.store.getBlog(ref);
  if (!blog) throw notFound('blog');
  if (blog.status === 'draft') {
    const p = c.get('principal');
    const role = p ? await deps.auth.roleFor(p, blog.id) : null;
    if (!p || (p.kind === 'user' && role === null)) throw notFound('blog');
  }
  return blog;
}

/** The caller's role on the blog (owner for the admin), or null. */
export async function roleOn(deps: Deps, p: Principal | null, blogId: string): Promise<Role | null> {
  return p ? deps.auth.roleFor(p, blogId) : null;
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

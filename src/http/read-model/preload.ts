import type { Blog } from '../../domain/index.js';

/**
 * The blog a read model render already holds, handed to the route it renders through so a
 * cold burst costs one blog read, not two. Keyed by the render's own Request object, which
 * only the read model creates: no client can put a blog here.
 */
const preloaded = new WeakMap<Request, Blog>();

export function preloadBlog(req: Request, blog: Blog): void {
  preloaded.set(req, blog);
}

/** The preloaded blog when it is the one `ref` (id or slug) names; else undefined. */
export function preloadedBlog(req: Request, ref: string): Blog | undefined {
  const blog = preloaded.get(req);
  return blog && (blog.id === ref || blog.slug === ref) ? blog : undefined;
}

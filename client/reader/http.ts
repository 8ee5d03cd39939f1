import type { Blog, Changes, PostsPage, Summary } from '../../src/domain/index.js';
import { createApiClient, ok } from '../api/index.js';

export { ApiError } from '../api/index.js';

/** The few read routes the reader client needs, over the typed client (browser or Node). */
export interface ReaderHttp {
  getBlog(idOrSlug: string): Promise<Blog>;
  listPosts(blogId: string, query: { limit: number; before?: string | null }): Promise<PostsPage>;
  getSummary(blogId: string): Promise<Summary>;
  changes(blogId: string, since: number): Promise<Changes>;
}

export function createReaderHttp(
  baseUrl: string,
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
): ReaderHttp {
  const blogs = createApiClient(baseUrl, { fetch: fetchFn, headers: { accept: 'application/json' } }).api.v1.blogs;
  return {
    getBlog: (blogId) => ok(blogs[':blogId'].$get({ param: { blogId } })),
    listPosts: (blogId, q) =>
      ok(
        blogs[':blogId'].posts.$get({
          param: { blogId },
          query: { limit: String(q.limit), ...(q.before ? { before: q.before } : {}) },
        }),
      ),
    getSummary: (blogId) => ok(blogs[':blogId'].summary.$get({ param: { blogId } })),
    // A gap fill must see the newest events: the public answer is cacheable for a second.
    // (`cache` is standard RequestInit; Node's type for it omits the field, hence the cast.)
    changes: (blogId, since) =>
      ok(
        blogs[':blogId'].changes.$get(
          { param: { blogId }, query: { since: String(since) } },
          {
            init: { cache: 'no-cache' } as RequestInit,
          },
        ),
      ),
  };
}

import type { Blog, Changes, PostsPage, Summary } from '../../src/domain/index.js';
import type { ReaderView } from './state.js';

/** The few read routes the reader client needs, over plain fetch (browser or Node). */
export interface ReaderHttp {
  getBlog(idOrSlug: string): Promise<Blog>;
  listPosts(
    blogId: string,
    query: { limit: number; before?: string | null; view?: ReaderView | undefined },
  ): Promise<PostsPage>;
  getSummary(blogId: string): Promise<Summary>;
  changes(blogId: string, since: number): Promise<Changes>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function createReaderHttp(
  baseUrl: string,
  fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
): ReaderHttp {
  const root = `${baseUrl.replace(/\/+$/, '')}/api/v1/blogs`;
  const enc = encodeURIComponent;

  async function getJson<T>(url: string, cache: 'default' | 'no-cache' = 'default'): Promise<T> {
    // (`cache` is standard RequestInit; Node's type for it omits the field, hence the cast.)
    const res = await fetchFn(url, { headers: { accept: 'application/json' }, cache } as RequestInit);
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { message?: string } };
        if (body.error?.message) message = `${message}: ${body.error.message}`;
      } catch {
        // not JSON: keep the status line
      }
      throw new HttpError(res.status, message);
    }
    return (await res.json()) as T;
  }

  return {
    getBlog: (idOrSlug) => getJson(`${root}/${enc(idOrSlug)}`),
    listPosts: (blogId, q) => {
      const params = new URLSearchParams({ limit: String(q.limit) });
      if (q.before) params.set('before', q.before);
      // Only what differs from the server's defaults, so plain readers share cached pages.
      if (q.view?.order === 'oldest') params.set('order', 'oldest');
      if (q.view?.tag) params.set('tag', q.view.tag);
      if (q.view?.keyEvents) params.set('keyEvents', 'true');
      return getJson(`${root}/${enc(blogId)}/posts?${params}`);
    },
    getSummary: (blogId) => getJson(`${root}/${enc(blogId)}/summary`),
    // A gap fill must see the newest events: the public answer is cacheable for a second.
    changes: (blogId, since) => getJson(`${root}/${enc(blogId)}/changes?since=${since}`, 'no-cache'),
  };
}

import type { BlockInput, Blog, ErrorBody, Post, PostsPage } from '../../src/domain/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Me = { kind: 'admin' } | { kind: 'user'; user: { id: string; name: string; color: string } };

export interface PostDraft {
  blocks: BlockInput[];
  status?: 'draft' | 'submitted' | 'published';
  pinned?: boolean;
  keyEvent?: boolean;
  /** ISO instant: schedules the post; null (on a patch) cancels the schedule. */
  publishAt?: string | null;
  tags?: string[];
  /** A public correction note for this edit of a published post. */
  correction?: { note: string } | null;
}

export type ListStatus = 'published' | 'draft' | 'submitted' | 'scheduled';

export function createEditorApi(token: string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (res.status === 204) return undefined as T;
    const data = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      const err = (data as ErrorBody | null)?.error;
      const details = Array.isArray(err?.details)
        ? ` (${(err.details as { path?: string; message?: string }[]).map((d) => `${d.path}: ${d.message}`).join('; ')})`
        : '';
      throw new ApiError(res.status, `${err?.message ?? `HTTP ${res.status}`}${details}`);
    }
    return data as T;
  }
  const blog = (id: string) => `/blogs/${encodeURIComponent(id)}`;
  return {
    me: () => call<Me>('GET', '/me'),
    listBlogs: () => call<{ blogs: Blog[] }>('GET', '/blogs?limit=100'),
    createBlog: (input: { title: string; description?: string; slug?: string }) => call<Blog>('POST', '/blogs', input),
    getBlog: (id: string) => call<Blog>('GET', blog(id)),
    listPosts: (id: string, status: ListStatus) =>
      call<PostsPage>('GET', `${blog(id)}/posts?limit=100&status=${status}`),
    submitPost: (id: string, postId: string) =>
      call<Post>('POST', `${blog(id)}/posts/${encodeURIComponent(postId)}/submit`, {}),
    publishPost: (id: string, postId: string) =>
      call<Post>('POST', `${blog(id)}/posts/${encodeURIComponent(postId)}/publish`, {}),
    returnPost: (id: string, postId: string, note: string) =>
      call<Post>('POST', `${blog(id)}/posts/${encodeURIComponent(postId)}/return`, { note }),
    createPost: (id: string, draft: PostDraft) => call<Post>('POST', `${blog(id)}/posts`, draft),
    patchPost: (id: string, postId: string, patch: Partial<PostDraft>) =>
      call<Post>('PATCH', `${blog(id)}/posts/${encodeURIComponent(postId)}`, patch),
    deletePost: (id: string, postId: string) => call<void>('DELETE', `${blog(id)}/posts/${encodeURIComponent(postId)}`),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

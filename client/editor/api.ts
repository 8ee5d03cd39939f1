import type { BlockInput, Blog, ErrorBody, Media, MediaList, Post, PostsPage } from '../../src/domain/index.js';

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
  status: 'draft' | 'published';
  pinned?: boolean;
  keyEvent?: boolean;
}

function errorMessage(status: number, data: unknown): string {
  const err = (data as ErrorBody | null)?.error;
  const details = Array.isArray(err?.details)
    ? ` (${(err.details as { path?: string; message?: string }[]).map((d) => `${d.path}: ${d.message}`).join('; ')})`
    : '';
  return `${err?.message ?? `HTTP ${status}`}${details}`;
}

/**
 * Uploads one photo (multipart, field `file`). XMLHttpRequest rather than fetch: only it
 * reports upload progress. `onProgress` gets 0..1 while the bytes go out; the server then
 * encodes the variants before answering.
 */
function upload(token: string, path: string, file: Blob, onProgress: (fraction: number) => void): Promise<Media> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as Media);
      else reject(new ApiError(xhr.status, errorMessage(xhr.status, xhr.response)));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed (network error)'));
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

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
    if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, data));
    return data as T;
  }
  const blog = (id: string) => `/blogs/${encodeURIComponent(id)}`;
  return {
    me: () => call<Me>('GET', '/me'),
    listBlogs: () => call<{ blogs: Blog[] }>('GET', '/blogs?limit=100'),
    createBlog: (input: { title: string; description?: string; slug?: string }) => call<Blog>('POST', '/blogs', input),
    getBlog: (id: string) => call<Blog>('GET', blog(id)),
    listPosts: (id: string, status: 'published' | 'draft') =>
      call<PostsPage>('GET', `${blog(id)}/posts?limit=100&status=${status}`),
    createPost: (id: string, draft: PostDraft) => call<Post>('POST', `${blog(id)}/posts`, draft),
    patchPost: (id: string, postId: string, patch: Partial<PostDraft>) =>
      call<Post>('PATCH', `${blog(id)}/posts/${encodeURIComponent(postId)}`, patch),
    deletePost: (id: string, postId: string) => call<void>('DELETE', `${blog(id)}/posts/${encodeURIComponent(postId)}`),
    uploadMedia: (id: string, file: Blob, onProgress: (fraction: number) => void) =>
      upload(token, `${blog(id)}/media`, file, onProgress),
    listMedia: (id: string) => call<MediaList>('GET', `${blog(id)}/media`),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

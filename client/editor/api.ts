import type { Me, Media } from '../../src/domain/index.js';
import { ApiError, createApiClient, ok, type PostCreate, type PostPatch } from '../api/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export type { Me };
export { ApiError };

/**
 * Uploads one photo (multipart, field `file`). XMLHttpRequest rather than fetch: only it
 * reports upload progress. `onProgress` gets 0..1 while the bytes go out; the server then
 * encodes the variants before answering.
 */
function upload(token: string, blogId: string, file: Blob, onProgress: (fraction: number) => void): Promise<Media> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/blogs/${encodeURIComponent(blogId)}/media`);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    const headers = () => new Headers({ 'content-type': xhr.getResponseHeader('content-type') ?? '' });
    xhr.onload = () => {
      if (xhr.status === 201) resolve(xhr.response as Media);
      else reject(new ApiError(xhr.status, xhr.response, headers()));
    };
    xhr.onerror = () => reject(new ApiError(0, { error: { message: 'the upload failed (network error)' } }, headers()));
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

export function createEditorApi(token: string) {
  // Same origin as the editor page; never from the HTTP cache (editors need the latest).
  const v1 = createApiClient(location.origin, { token, init: { cache: 'no-store' } }).api.v1;
  const blog = v1.blogs[':blogId'];
  return {
    me: () => ok(v1.me.$get()),
    listBlogs: () => ok(v1.blogs.$get({ query: { limit: '100' } })),
    createBlog: (input: { title: string; description?: string; slug?: string }) => ok(v1.blogs.$post({ json: input })),
    getBlog: (blogId: string) => ok(blog.$get({ param: { blogId } })),
    listPosts: (blogId: string, status: 'published' | 'draft') =>
      ok(blog.posts.$get({ param: { blogId }, query: { limit: '100', status } })),
    createPost: (blogId: string, draft: PostCreate) => ok(blog.posts.$post({ param: { blogId }, json: draft })),
    patchPost: (blogId: string, postId: string, patch: PostPatch) =>
      ok(blog.posts[':postId'].$patch({ param: { blogId, postId }, json: patch })),
    deletePost: (blogId: string, postId: string) => ok(blog.posts[':postId'].$delete({ param: { blogId, postId } })),
    uploadMedia: (blogId: string, file: Blob, onProgress: (fraction: number) => void) =>
      upload(token, blogId, file, onProgress),
    listMedia: (blogId: string) => ok(blog.media.$get({ param: { blogId }, query: {} })),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

import type { Me } from '../../src/domain/index.js';
import { type ApiError, createApiClient, ok, type PostCreate, type PostPatch } from '../api/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export type { ApiError, Me };

/** A post body as the composer sends it (create or patch). */
export type PostDraft = PostCreate & PostPatch;
export type ListStatus = 'published' | 'draft' | 'submitted' | 'scheduled';

export function createEditorApi(token: string) {
  // Same origin as the editor page; never from the HTTP cache (editors need the latest).
  const v1 = createApiClient(location.origin, { token, init: { cache: 'no-store' } }).api.v1;
  const blog = v1.blogs[':blogId'];
  const post = blog.posts[':postId'];
  return {
    me: () => ok(v1.me.$get()),
    listBlogs: () => ok(v1.blogs.$get({ query: { limit: '100' } })),
    createBlog: (input: { title: string; description?: string; slug?: string }) => ok(v1.blogs.$post({ json: input })),
    getBlog: (blogId: string) => ok(blog.$get({ param: { blogId } })),
    listPosts: (blogId: string, status: ListStatus) =>
      ok(blog.posts.$get({ param: { blogId }, query: { limit: '100', status } })),
    createPost: (blogId: string, draft: PostCreate) => ok(blog.posts.$post({ param: { blogId }, json: draft })),
    patchPost: (blogId: string, postId: string, patch: PostPatch) =>
      ok(post.$patch({ param: { blogId, postId }, json: patch })),
    deletePost: (blogId: string, postId: string) => ok(post.$delete({ param: { blogId, postId } })),
    submitPost: (blogId: string, postId: string) => ok(post.submit.$post({ param: { blogId, postId }, json: {} })),
    publishPost: (blogId: string, postId: string) => ok(post.publish.$post({ param: { blogId, postId }, json: {} })),
    returnPost: (blogId: string, postId: string, note: string) =>
      ok(post.return.$post({ param: { blogId, postId }, json: { note } })),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

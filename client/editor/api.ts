import type { Account, AuditEntry, Me, Media, Member, Role } from '../../src/domain/index.js';
import { ApiError, createApiClient, ok, type PostCreate, type PostPatch } from '../api/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export type { Me };
export { ApiError };
export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };
export type NewPerson = Account & { invitation?: { url: string; expiresAt: string } };

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

/** A post body as the composer sends it (create or patch). */
export type PostDraft = PostCreate & PostPatch;
export type ListStatus = 'published' | 'draft' | 'submitted' | 'scheduled';

/** `token` is asked on every call: the page renews its access token while it stays open. */
export function createEditorApi(token: () => string) {
  const withToken: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token()}`);
    return fetch(input, { ...init, headers });
  };
  // Same origin as the editor page; never from the HTTP cache (editors need the latest).
  const v1 = createApiClient(location.origin, { fetch: withToken, init: { cache: 'no-store' } }).api.v1;
  const blog = v1.blogs[':blogId'];
  const post = blog.posts[':postId'];
  const user = v1.users[':userId'];
  const member = blog.members[':userId'];
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
    uploadMedia: (blogId: string, file: Blob, onProgress: (fraction: number) => void) =>
      upload(token(), blogId, file, onProgress),
    listMedia: (blogId: string) => ok(blog.media.$get({ param: { blogId }, query: {} })),
    submitPost: (blogId: string, postId: string) => ok(post.submit.$post({ param: { blogId, postId }, json: {} })),
    publishPost: (blogId: string, postId: string) => ok(post.publish.$post({ param: { blogId, postId }, json: {} })),
    returnPost: (blogId: string, postId: string, note: string) =>
      ok(post.return.$post({ param: { blogId, postId }, json: { note } })),
    listUsers: () => ok(v1.users.$get()),
    createPerson: (json: { name: string; email: string; admin?: boolean }) =>
      ok(v1.users.$post({ json })) as Promise<NewPerson>,
    setActive: (userId: string, active: boolean) => ok(user.$patch({ param: { userId }, json: { active } })),
    listMembers: (blogId: string): Promise<{ members: Member[] }> => ok(blog.members.$get({ param: { blogId } })),
    setMember: (blogId: string, userId: string, role: Role) =>
      ok(member.$put({ param: { blogId, userId }, json: { role } })),
    removeMember: (blogId: string, userId: string) => ok(member.$delete({ param: { blogId, userId } })),
    /** Owners: a person by email with a role on this blog (an invitation link when they are new). */
    inviteToBlog: (blogId: string, input: { name: string; email: string; role: Role }) =>
      ok(blog.invitations.$post({ param: { blogId }, json: input })),
    blogAudit: (blogId: string): Promise<AuditPage> =>
      ok(blog.audit.$get({ param: { blogId }, query: { limit: '50' } })),
    audit: (): Promise<AuditPage> => ok(v1.audit.$get({ query: { limit: '100' } })),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

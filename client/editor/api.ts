import type { Account, AuditEntry, Me, Member, Role } from '../../src/domain/index.js';
import { type ApiError, createApiClient, ok, type PostCreate, type PostPatch } from '../api/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export type { ApiError, Me };
export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };
export type NewPerson = Account & { invitation?: { url: string; expiresAt: string } };

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
  const user = v1.users[':userId'];
  const member = blog.members[':userId'];
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
    listUsers: () => ok(v1.users.$get()),
    createPerson: (json: { name: string; email: string; admin?: boolean }) =>
      ok(v1.users.$post({ json })) as Promise<NewPerson>,
    setActive: (userId: string, active: boolean) => ok(user.$patch({ param: { userId }, json: { active } })),
    listMembers: (blogId: string): Promise<{ members: Member[] }> => ok(blog.members.$get({ param: { blogId } })),
    setMember: (blogId: string, userId: string, role: Role) =>
      ok(member.$put({ param: { blogId, userId }, json: { role } })),
    removeMember: (blogId: string, userId: string) => ok(member.$delete({ param: { blogId, userId } })),
    blogAudit: (blogId: string): Promise<AuditPage> =>
      ok(blog.audit.$get({ param: { blogId }, query: { limit: '50' } })),
    audit: (): Promise<AuditPage> => ok(v1.audit.$get({ query: { limit: '100' } })),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

import type {
  Account,
  AuditEntry,
  BlockInput,
  Blog,
  ErrorBody,
  Member,
  Post,
  PostsPage,
  Role,
} from '../../src/domain/index.js';

/** The editor's view of the JSON API: bearer token on every call, contract errors as messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type MeUser = { id: string; name: string; color: string; email?: string | null };
export type Me = { kind: 'admin'; user?: MeUser } | { kind: 'user'; user: MeUser };
export type AuditPage = { entries: AuditEntry[]; nextCursor: string | null };
export type NewPerson = Account & { invitation?: { url: string; expiresAt: string } };

export interface PostDraft {
  blocks: BlockInput[];
  status: 'draft' | 'published';
  pinned?: boolean;
  keyEvent?: boolean;
}

export function createEditorApi(token: () => string) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token()}` };
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
    listPosts: (id: string, status: 'published' | 'draft') =>
      call<PostsPage>('GET', `${blog(id)}/posts?limit=100&status=${status}`),
    createPost: (id: string, draft: PostDraft) => call<Post>('POST', `${blog(id)}/posts`, draft),
    patchPost: (id: string, postId: string, patch: Partial<PostDraft>) =>
      call<Post>('PATCH', `${blog(id)}/posts/${encodeURIComponent(postId)}`, patch),
    deletePost: (id: string, postId: string) => call<void>('DELETE', `${blog(id)}/posts/${encodeURIComponent(postId)}`),
    listUsers: () => call<{ users: Account[] }>('GET', '/users'),
    createPerson: (input: { name: string; email: string; admin?: boolean }) => call<NewPerson>('POST', '/users', input),
    setActive: (userId: string, active: boolean) =>
      call<Account>('PATCH', `/users/${encodeURIComponent(userId)}`, { active }),
    listMembers: (id: string) => call<{ members: Member[] }>('GET', `${blog(id)}/members`),
    setMember: (id: string, userId: string, role: Role) =>
      call<Member>('PUT', `${blog(id)}/members/${encodeURIComponent(userId)}`, { role }),
    removeMember: (id: string, userId: string) =>
      call<void>('DELETE', `${blog(id)}/members/${encodeURIComponent(userId)}`),
    blogAudit: (id: string) => call<AuditPage>('GET', `${blog(id)}/audit?limit=50`),
    audit: () => call<AuditPage>('GET', '/audit?limit=100'),
  };
}
export type EditorApi = ReturnType<typeof createEditorApi>;

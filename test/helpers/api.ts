import type { z } from 'zod';
import type {
  BlockInput,
  Blog,
  BlogCreateInput,
  BlogPatchInput,
  Changes,
  ErrorBody,
  Member,
  Post,
  PostsPage,
  Role,
  Summary,
  SummaryHistoryEntry,
  User,
  UserCreateInput,
  UserPatchInput,
} from '../../src/domain/index.js';

/**
 * A tiny typed fetch client for tests: one method per contract route. Successful calls
 * resolve with the parsed body; any other status throws an ApiError carrying status and
 * body, so a test can assert on failures with `expect(...).rejects`. Use `raw()` to look
 * at headers or send malformed bodies.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | unknown,
    readonly headers: Headers,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'ApiError';
  }
  /** The error code from the contract's error shape, if any. */
  get code(): string | undefined {
    return (this.body as ErrorBody | undefined)?.error?.code;
  }
}

export type PostInput = {
  blocks: BlockInput[];
  status?: 'draft' | 'published';
  pinned?: boolean;
  keyEvent?: boolean;
};
export type PostPatch = Partial<PostInput>;
export type UserWithToken = User & { token: string };

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export interface Api {
  readonly url: string;
  readonly token: string | undefined;
  /** The same client with another bearer token (undefined: anonymous). */
  as(token: string | undefined): Api;
  raw(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<RawResponse>;

  createUser(input: z.input<typeof UserCreateInput>): Promise<UserWithToken>;
  listUsers(): Promise<{ users: User[] }>;
  patchUser(userId: string, patch: z.input<typeof UserPatchInput>): Promise<User>;
  me(): Promise<unknown>;

  createBlog(input: z.input<typeof BlogCreateInput>): Promise<Blog>;
  listBlogs(query?: { limit?: number; offset?: number }): Promise<{ blogs: Blog[] }>;
  getBlog(blogId: string): Promise<Blog>;
  patchBlog(blogId: string, patch: BlogPatchInput): Promise<Blog>;

  listMembers(blogId: string): Promise<{ members: Member[] }>;
  addMember(blogId: string, userId: string, role: Role): Promise<Member>;
  removeMember(blogId: string, userId: string): Promise<void>;

  createPost(blogId: string, input: PostInput): Promise<Post>;
  getPost(blogId: string, postId: string): Promise<Post>;
  patchPost(blogId: string, postId: string, patch: PostPatch): Promise<Post>;
  deletePost(blogId: string, postId: string): Promise<void>;
  listPosts(
    blogId: string,
    query?: { limit?: number; before?: string | null; status?: 'published' | 'draft' },
  ): Promise<PostsPage>;
  changes(blogId: string, since: number): Promise<Changes>;

  getSummary(blogId: string): Promise<Summary>;
  summaryHistory(blogId: string): Promise<{ history: SummaryHistoryEntry[] }>;
}

/** A text block, for brevity in tests. */
export const text = (html: string): BlockInput => ({ type: 'text', html });

function queryString(q: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createApi(baseUrl: string, token?: string): Api {
  const url = baseUrl.replace(/\/+$/, '');
  const enc = encodeURIComponent;

  const raw: Api['raw'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const textBody = await res.text();
    let parsed: unknown = null;
    if (textBody && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(textBody);
      } catch {
        parsed = null;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed, text: textBody };
  };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await raw(method, path, { body });
    if (res.status < 200 || res.status > 299) throw new ApiError(res.status, res.body, res.headers);
    return res.body as T;
  }

  const blog = (id: string) => `/api/v1/blogs/${enc(id)}`;

  return {
    url,
    token,
    as: (t) => createApi(url, t),
    raw,
    createUser: (input) => call('POST', '/api/v1/users', input),
    listUsers: () => call('GET', '/api/v1/users'),
    patchUser: (userId, patch) => call('PATCH', `/api/v1/users/${enc(userId)}`, patch),
    me: () => call('GET', '/api/v1/me'),
    createBlog: (input) => call('POST', '/api/v1/blogs', input),
    listBlogs: (q = {}) => call('GET', `/api/v1/blogs${queryString(q)}`),
    getBlog: (id) => call('GET', blog(id)),
    patchBlog: (id, patch) => call('PATCH', blog(id), patch),
    listMembers: (id) => call('GET', `${blog(id)}/members`),
    addMember: (id, userId, role) => call('PUT', `${blog(id)}/members/${enc(userId)}`, { role }),
    removeMember: async (id, userId) => {
      await call('DELETE', `${blog(id)}/members/${enc(userId)}`);
    },
    createPost: (id, input) => call('POST', `${blog(id)}/posts`, input),
    getPost: (id, postId) => call('GET', `${blog(id)}/posts/${enc(postId)}`),
    patchPost: (id, postId, patch) => call('PATCH', `${blog(id)}/posts/${enc(postId)}`, patch),
    deletePost: async (id, postId) => {
      await call('DELETE', `${blog(id)}/posts/${enc(postId)}`);
    },
    listPosts: (id, q = {}) => call('GET', `${blog(id)}/posts${queryString(q)}`),
    changes: (id, since) => call('GET', `${blog(id)}/changes${queryString({ since })}`),
    getSummary: (id) => call('GET', `${blog(id)}/summary`),
    summaryHistory: (id) => call('GET', `${blog(id)}/summary/history`),
  };
}

/**
 * Sets up the usual cast on a running server: a blog created by the admin and one user
 * per role on it. Returns a client per principal.
 */
export async function setupBlog(baseUrl: string, adminToken: string, title = 'Test blog') {
  const admin = createApi(baseUrl, adminToken);
  const blog = await admin.createBlog({ title });
  const users = {} as Record<Role, UserWithToken>;
  for (const role of ['owner', 'editor', 'contributor'] as const) {
    const u = await admin.createUser({ name: `${role} user` });
    await admin.addMember(blog.id, u.id, role);
    users[role] = u;
  }
  const outsider = await admin.createUser({ name: 'outsider' });
  return {
    blog,
    admin,
    anon: createApi(baseUrl),
    owner: createApi(baseUrl, users.owner.token),
    editor: createApi(baseUrl, users.editor.token),
    contributor: createApi(baseUrl, users.contributor.token),
    outsider: createApi(baseUrl, outsider.token),
    users: { ...users, outsider },
  };
}

/** Every published post of a blog, in the server's page order, following the cursor (bounded). */
export async function allPosts(api: Api, blogId: string): Promise<Post[]> {
  const out: Post[] = [];
  let before: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page = await api.listPosts(blogId, { limit: 100, before });
    out.push(...page.posts);
    before = page.nextCursor;
    if (!before) break;
  }
  return out;
}

/** The integers from..to inclusive (the seqs a reader should have seen). */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

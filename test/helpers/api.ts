import {
  ApiError,
  type BlogCreate,
  type BlogPatch,
  createApiClient,
  ok,
  type PostCreate,
  type PostPatch,
  type UserCreate,
} from '../../client/api/index.js';
import type {
  BlockInput,
  Blog,
  Changes,
  Member,
  Post,
  PostsPage,
  Role,
  Summary,
  SummaryHistoryEntry,
  User,
  UserPatchInput,
} from '../../src/domain/index.js';

/**
 * The test suites' view of the API: one method per contract route over the typed client
 * (client/api), so paths, bodies and answers are the declared ones. Successful calls
 * resolve with the parsed body; any other status throws an ApiError carrying status, body
 * and headers, so a test can assert on failures with `expect(...).rejects`. Use `raw()` to
 * look at headers or send malformed bodies.
 */
export { ApiError };

export type PostInput = PostCreate;
export type { PostPatch };
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

  createUser(input: UserCreate): Promise<UserWithToken>;
  listUsers(): Promise<{ users: User[] }>;
  patchUser(userId: string, patch: UserPatchInput): Promise<User>;
  me(): Promise<unknown>;

  createBlog(input: BlogCreate): Promise<Blog>;
  listBlogs(query?: { limit?: number; offset?: number }): Promise<{ blogs: Blog[] }>;
  getBlog(blogId: string): Promise<Blog>;
  patchBlog(blogId: string, patch: BlogPatch): Promise<Blog>;

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

/** Query values as the query string carries them (numbers as strings), absent ones left out. */
type QueryOf<T> = { [K in keyof T]?: Exclude<T[K], null | undefined> extends number ? string : Exclude<T[K], null> };
function query<T extends Record<string, string | number | null | undefined>>(q: T): QueryOf<T> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null) out[k] = String(v);
  return out as QueryOf<T>;
}

/** `fetch` may be given to talk to an in-process app (test/helpers/in-process.ts). */
export function createApi(baseUrl: string, token?: string, opts: { fetch?: typeof fetch } = {}): Api {
  const url = baseUrl.replace(/\/+$/, '');
  const send = opts.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init));
  const v1 = createApiClient(url, { token, fetch: send }).api.v1;
  const blog = v1.blogs[':blogId'];

  const raw: Api['raw'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await send(`${url}${path}`, { method, headers, body });
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

  return {
    url,
    token,
    as: (t) => createApi(url, t, opts),
    raw,
    createUser: (json) => ok(v1.users.$post({ json })),
    listUsers: () => ok(v1.users.$get()),
    patchUser: (userId, json) => ok(v1.users[':userId'].$patch({ param: { userId }, json })),
    me: () => ok(v1.me.$get()),
    createBlog: (json) => ok(v1.blogs.$post({ json })),
    listBlogs: (q = {}) => ok(v1.blogs.$get({ query: query(q) })),
    getBlog: (blogId) => ok(blog.$get({ param: { blogId } })),
    patchBlog: (blogId, json) => ok(blog.$patch({ param: { blogId }, json })),
    listMembers: (blogId) => ok(blog.members.$get({ param: { blogId } })),
    addMember: (blogId, userId, role) =>
      ok(blog.members[':userId'].$put({ param: { blogId, userId }, json: { role } })),
    removeMember: (blogId, userId) => ok(blog.members[':userId'].$delete({ param: { blogId, userId } })),
    createPost: (blogId, json) => ok(blog.posts.$post({ param: { blogId }, json })),
    getPost: (blogId, postId) => ok(blog.posts[':postId'].$get({ param: { blogId, postId } })),
    patchPost: (blogId, postId, json) => ok(blog.posts[':postId'].$patch({ param: { blogId, postId }, json })),
    deletePost: (blogId, postId) => ok(blog.posts[':postId'].$delete({ param: { blogId, postId } })),
    listPosts: (blogId, q = {}) => ok(blog.posts.$get({ param: { blogId }, query: query(q) })),
    changes: (blogId, since) => ok(blog.changes.$get({ param: { blogId }, query: query({ since }) })),
    getSummary: (blogId) => ok(blog.summary.$get({ param: { blogId } })),
    summaryHistory: (blogId) => ok(blog.summary.history.$get({ param: { blogId }, query: {} })),
  };
}

/**
 * Sets up the usual cast on a running server: a blog created by the admin and one user
 * per role on it. Returns a client per principal.
 */
export async function setupBlog(
  baseUrl: string,
  adminToken: string,
  title = 'Test blog',
  opts: { fetch?: typeof fetch } = {},
) {
  const as = (token?: string) => createApi(baseUrl, token, opts);
  const admin = as(adminToken);
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
    anon: as(),
    owner: as(users.owner.token),
    editor: as(users.editor.token),
    contributor: as(users.contributor.token),
    outsider: as(outsider.token),
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

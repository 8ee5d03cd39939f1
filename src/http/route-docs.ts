import { z } from 'zod';
import {
  Blog,
  BlogCreateInput,
  BlogPatchInput,
  Changes,
  Id,
  Member,
  Post,
  PostCreateInput,
  PostPatchInput,
  PostsPage,
  Summary,
  SummaryHistoryEntry,
  User,
  UserCreateInput,
  UserPatchInput,
  UserWithToken,
} from '../domain/index.js';
import { BlogRef } from './access.js';
import { BlogListQuery } from './routes/blogs.js';
import { ChangesQuery, HistoryQuery } from './routes/feed.js';
import { MemberRoleInput } from './routes/members.js';
import { PostListQuery } from './routes/posts.js';

/**
 * The route table the OpenAPI document and /docs are generated from. Every schema here is
 * the one the route validates with, so the document cannot drift from the code; a test
 * checks that every registered route appears.
 */
type Auth = 'none' | 'optional' | 'user' | 'admin';
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  method: Method;
  /** Hono pattern, e.g. /api/v1/blogs/:blogId */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  /** Served by src/pages (createPagesApp), mounted by the composition root; documented here. */
  pages?: true;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status and schema (none: empty body); `text` for non-JSON answers. */
  ok: { status: number; schema?: z.ZodType; text?: string; description: string };
}

const Me = z.union([z.object({ kind: z.literal('admin') }), z.object({ kind: z.literal('user'), user: User })]);
const Status = z.object({ status: z.string() }).catchall(z.string());
const blogParam = { blogId: BlogRef.describe('the blog id or slug') };
const postParams = { ...blogParam, postId: Id };
const memberParams = { ...blogParam, userId: Id };

export const ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'ops',
    summary: 'Liveness: 200 while the process runs',
    auth: 'none',
    ok: { status: 200, schema: Status, description: 'alive' },
  },
  {
    method: 'get',
    path: '/ready',
    tag: 'ops',
    summary: 'Readiness: 503 while draining or when the store is unreachable',
    auth: 'none',
    ok: { status: 200, schema: Status, description: 'ready for traffic' },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'ops',
    summary: 'Prometheus metrics',
    auth: 'none',
    ok: { status: 200, text: 'text/plain', description: 'Prometheus text format' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'ops',
    summary: 'This document',
    auth: 'none',
    ok: { status: 200, description: 'OpenAPI 3.1 document' },
  },
  {
    method: 'get',
    path: '/docs',
    tag: 'ops',
    summary: 'This document as a readable page',
    auth: 'none',
    ok: { status: 200, text: 'text/html', description: 'HTML page' },
  },

  {
    method: 'post',
    path: '/api/v1/users',
    tag: 'users',
    summary: 'Create a user; the answer carries its token, shown once',
    auth: 'admin',
    body: UserCreateInput,
    ok: { status: 201, schema: UserWithToken, description: 'the user and its token' },
  },
  {
    method: 'get',
    path: '/api/v1/users',
    tag: 'users',
    summary: 'List users',
    auth: 'admin',
    ok: { status: 200, schema: z.object({ users: z.array(User) }), description: 'every user' },
  },
  {
    method: 'patch',
    path: '/api/v1/users/:userId',
    tag: 'users',
    summary: "Change a user's rights: canCreateBlogs (declared in routes/user-patch.ts)",
    auth: 'admin',
    params: { userId: Id },
    body: UserPatchInput,
    ok: { status: 200, schema: User, description: 'the user as now stored' },
  },
  {
    method: 'get',
    path: '/api/v1/me',
    tag: 'users',
    summary: 'Who the bearer token belongs to',
    auth: 'user',
    ok: { status: 200, schema: Me, description: 'the principal' },
  },

  {
    method: 'get',
    path: '/api/v1/blogs',
    tag: 'blogs',
    summary: 'List blogs, newest first (draft blogs only for their members)',
    auth: 'optional',
    query: BlogListQuery,
    ok: { status: 200, schema: z.object({ blogs: z.array(Blog) }), description: 'a page of blogs' },
  },
  {
    method: 'post',
    path: '/api/v1/blogs',
    tag: 'blogs',
    summary: 'Create a blog (admins, and users granted canCreateBlogs, who become its owner)',
    auth: 'user',
    body: BlogCreateInput,
    ok: { status: 201, schema: Blog, description: 'the new blog' },
  },
  {
    method: 'get',
    path: '/api/v1/blogs/:blogId',
    tag: 'blogs',
    summary: 'One blog with its rendered summary',
    auth: 'optional',
    params: blogParam,
    ok: { status: 200, schema: Blog, description: 'the blog' },
  },
  {
    method: 'patch',
    path: '/api/v1/blogs/:blogId',
    tag: 'blogs',
    summary: 'Change blog settings (owner); emits blog.updated',
    auth: 'user',
    params: blogParam,
    body: BlogPatchInput,
    ok: { status: 200, schema: Blog, description: 'the updated blog' },
  },

  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/members',
    tag: 'members',
    summary: 'Members of a blog and their roles (members only)',
    auth: 'user',
    params: blogParam,
    ok: { status: 200, schema: z.object({ members: z.array(Member) }), description: 'the members' },
  },
  {
    method: 'put',
    path: '/api/v1/blogs/:blogId/members/:userId',
    tag: 'members',
    summary: 'Give a user a role on the blog (owner)',
    auth: 'user',
    params: memberParams,
    body: MemberRoleInput,
    ok: { status: 200, schema: Member, description: 'the membership' },
  },
  {
    method: 'delete',
    path: '/api/v1/blogs/:blogId/members/:userId',
    tag: 'members',
    summary: 'Remove a member (owner); the last owner stays',
    auth: 'user',
    params: memberParams,
    ok: { status: 204, description: 'removed' },
  },

  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/posts',
    tag: 'posts',
    summary: 'Posts newest first; pinned posts first on page one; status=draft needs drafts.read',
    auth: 'optional',
    params: blogParam,
    query: PostListQuery,
    ok: { status: 200, schema: PostsPage, description: 'a page of posts' },
  },
  {
    method: 'post',
    path: '/api/v1/blogs/:blogId/posts',
    tag: 'posts',
    summary: 'Create a post (contributors: drafts only); emits post.created when published',
    auth: 'user',
    params: blogParam,
    body: PostCreateInput,
    ok: { status: 201, schema: Post, description: 'the new post' },
  },
  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/posts/:postId',
    tag: 'posts',
    summary: 'One post (drafts only for members)',
    auth: 'optional',
    params: postParams,
    ok: { status: 200, schema: Post, description: 'the post' },
  },
  {
    method: 'patch',
    path: '/api/v1/blogs/:blogId/posts/:postId',
    tag: 'posts',
    summary: 'Edit, publish, unpublish, pin or mark a post as key event',
    auth: 'user',
    params: postParams,
    body: PostPatchInput,
    ok: { status: 200, schema: Post, description: 'the updated post' },
  },
  {
    method: 'delete',
    path: '/api/v1/blogs/:blogId/posts/:postId',
    tag: 'posts',
    summary: 'Delete a post (editors; contributors their own drafts); emits post.deleted',
    auth: 'user',
    params: postParams,
    ok: { status: 204, description: 'deleted' },
  },

  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/changes',
    tag: 'feed',
    summary: 'Events after `since`, in seq order, or reset when too old to replay',
    auth: 'optional',
    params: blogParam,
    query: ChangesQuery,
    ok: { status: 200, schema: Changes, description: 'events or reset' },
  },
  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/summary',
    tag: 'feed',
    summary: 'The rendered summary bullets',
    auth: 'optional',
    params: blogParam,
    ok: { status: 200, schema: Summary, description: 'the summary' },
  },
  {
    method: 'get',
    path: '/api/v1/blogs/:blogId/summary/history',
    tag: 'feed',
    summary: 'Every published rendering of the summary, newest first',
    auth: 'optional',
    params: blogParam,
    query: HistoryQuery,
    ok: { status: 200, schema: z.object({ history: z.array(SummaryHistoryEntry) }), description: 'the history' },
  },

  // Pages and assets (src/pages): documented here so the document covers the whole surface.
  {
    method: 'get',
    path: '/live/:slug',
    tag: 'pages',
    pages: true,
    summary: 'Public server-rendered page of a blog (JSON-LD LiveBlogPosting)',
    auth: 'none',
    params: { slug: BlogRef },
    ok: { status: 200, text: 'text/html', description: 'HTML page' },
  },
  {
    method: 'get',
    path: '/live/:slug/feed.atom',
    tag: 'pages',
    pages: true,
    summary: 'Atom feed of the published posts',
    auth: 'none',
    params: { slug: BlogRef },
    ok: { status: 200, text: 'application/atom+xml', description: 'Atom feed' },
  },
  {
    method: 'get',
    path: '/embed/:slug',
    tag: 'pages',
    pages: true,
    summary: 'The iframe variant of the widget (frame-ancestors from allowedOrigins)',
    auth: 'none',
    params: { slug: BlogRef },
    ok: { status: 200, text: 'text/html', description: 'HTML page' },
  },
  {
    method: 'get',
    path: '/embed.js',
    tag: 'pages',
    pages: true,
    summary: 'The widget script partners paste',
    auth: 'none',
    ok: { status: 200, text: 'application/javascript', description: 'script' },
  },
  {
    method: 'get',
    path: '/assets/:name',
    tag: 'pages',
    pages: true,
    summary: 'Client bundles',
    auth: 'none',
    params: { name: z.string().min(1).max(100) },
    ok: { status: 200, text: 'application/octet-stream', description: 'asset' },
  },
  {
    method: 'get',
    path: '/oembed',
    tag: 'pages',
    pages: true,
    summary: 'oEmbed for a /live/:slug URL (format=json)',
    auth: 'none',
    query: z.object({
      url: z.string().url(),
      format: z.literal('json').optional(),
      maxwidth: z.string().optional(),
      maxheight: z.string().optional(),
    }),
    ok: { status: 200, description: 'oEmbed rich response' },
  },
  {
    method: 'get',
    path: '/editor',
    tag: 'pages',
    pages: true,
    summary: 'The editor page',
    auth: 'none',
    ok: { status: 200, text: 'text/html', description: 'HTML page' },
  },
];

import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  conflict,
  ErrorBody,
  Id,
  notFound,
  Post,
  QueryInt,
  ReviewNoteText,
  RevisionsPage,
} from '../../domain/index.js';
import { authorizeAll, BlogRef, loadBlog } from '../access.js';
import type { HttpEnv } from '../context.js';
import { validationError } from '../errors.js';
import { requirePrincipal } from '../middleware/auth.js';
import { patchPost } from '../post-writes.js';

/**
 * The newsroom's workflow actions on one post, each a named step of the same patch PATCH
 * makes (so the rules and rights are the domain's, judged once): submit for review,
 * publish (a draft, a submission — approving it — or a scheduled post now), return a
 * submission with a note; and the post's revision history.
 */
const PostParams = z.object({ blogId: BlogRef, postId: Id });

const errors = (...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 429)[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_TEXT[s], content: { 'application/json': { schema: ErrorBody } } }]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }>;
const ERROR_TEXT = {
  400: 'validation_failed or bad_request (names the field)',
  401: 'missing or invalid bearer token',
  403: 'your role may not do this (contributors cannot publish, approve or return)',
  404: 'no such blog or post',
  409: 'conflict: the move makes no sense for the post (e.g. submitting a published post), or the blog is archived',
  413: 'body larger than MAX_BODY_BYTES',
  429: 'rate limited; see Retry-After',
} as const;

const postAnswer = { description: 'the post after the step', content: { 'application/json': { schema: Post } } };
const EmptyBody = z.object({}).strict();

const submitRoute = createRoute({
  method: 'post',
  path: '/blogs/{blogId}/posts/{postId}/submit',
  summary: 'Submit a draft for review (status submitted)',
  request: {
    params: PostParams,
    body: { required: false, content: { 'application/json': { schema: EmptyBody } } },
  },
  responses: { 200: postAnswer, ...errors(400, 401, 403, 404, 409, 413, 429) },
});

const publishRoute = createRoute({
  method: 'post',
  path: '/blogs/{blogId}/posts/{postId}/publish',
  summary: 'Publish a draft, a submission (approving it) or a scheduled post now',
  request: {
    params: PostParams,
    body: { required: false, content: { 'application/json': { schema: EmptyBody } } },
  },
  responses: { 200: postAnswer, ...errors(400, 401, 403, 404, 409, 413, 429) },
});

const ReturnBody = z.object({ note: ReviewNoteText }).strict();
const returnRoute = createRoute({
  method: 'post',
  path: '/blogs/{blogId}/posts/{postId}/return',
  summary: 'Return a submission to its author with a note (status draft)',
  request: { params: PostParams, body: { required: true, content: { 'application/json': { schema: ReturnBody } } } },
  responses: { 200: postAnswer, ...errors(400, 401, 403, 404, 409, 413, 429) },
});

const RevisionsQuery = z
  .object({ limit: QueryInt(1, 200).default(50).describe('at most this many, newest first (default 50)') })
  .strict();
const revisionsRoute = createRoute({
  method: 'get',
  path: '/blogs/{blogId}/posts/{postId}/revisions',
  summary: 'Every change to the published post: who, when, what changed, the blocks before and after',
  request: { params: PostParams, query: RevisionsQuery },
  responses: {
    200: { description: 'newest first', content: { 'application/json': { schema: RevisionsPage } } },
    ...errors(400, 401, 403, 404, 429),
  },
});

export function workflowRoutes(deps: Deps): OpenAPIHono<HttpEnv> {
  // Bad input answers in the project's error body, like every other route.
  const app = new OpenAPIHono<HttpEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as z.ZodError);
    },
  });

  app.openapi(submitRoute, async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    await authorizeAll(deps, p, blog.id, ['post.draft']);
    return c.json(Post.parse(await patchPost(deps, blog, p, postId, { status: 'submitted' })), 200);
  });

  app.openapi(publishRoute, async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    // The right comes first: a contributor gets 403 whatever the post's state.
    await authorizeAll(deps, p, blog.id, ['post.publish']);
    return c.json(Post.parse(await patchPost(deps, blog, p, postId, { status: 'published' })), 200);
  });

  app.openapi(returnRoute, async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    const { postId } = c.req.valid('param');
    await authorizeAll(deps, p, blog.id, ['post.publish']);
    const { note } = c.req.valid('json');
    const current = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
    if (current && current.status !== 'submitted') {
      throw conflict(`only a submitted post can be returned (this one is ${current.status})`);
    }
    return c.json(Post.parse(await patchPost(deps, blog, p, postId, { status: 'draft', note })), 200);
  });

  app.openapi(revisionsRoute, async (c) => {
    const blog = await loadBlog(deps, c);
    const { postId } = c.req.valid('param');
    const { limit } = c.req.valid('query');
    // Revisions show what an edit removed: editors only, like drafts.
    await authorizeAll(deps, c.get('principal'), blog.id, ['drafts.read']);
    const post = await deps.store.getPost(blog.id, postId, { includeDrafts: true });
    // A deleted post keeps its history (it was published, readers saw it); an unknown one is a 404.
    const revisions = await deps.store.listRevisions(blog.id, postId, { limit });
    if (!post && revisions.length === 0) throw notFound('post');
    return c.json({ revisions }, 200);
  });
  return app;
}

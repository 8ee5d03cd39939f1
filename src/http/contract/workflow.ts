import { createRoute, z } from '@hono/zod-openapi';
import { Post, QueryInt, ReviewNoteText, RevisionsPage } from '../../domain/index.js';
import { apiErrors, BEARER, errors, json, jsonBody, PostParams } from './common.js';

/**
 * The newsroom's workflow steps on one post (each a named form of the PATCH it equals, so
 * its rules and rights are the domain's) and the post's revision history.
 */
const EmptyBody = z.object({}).strict();
const optionalEmpty = { required: false, content: { 'application/json': { schema: EmptyBody } } };

export const submitPost = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/submit',
  operationId: 'submitPost',
  tags: ['posts'],
  summary: 'Submit a draft for review (status submitted); editors see it in their review queue',
  security: BEARER,
  request: { params: PostParams, body: optionalEmpty },
  responses: { 200: json(Post, 'the submitted post'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const publishPost = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/publish',
  operationId: 'publishPost',
  tags: ['posts'],
  summary: 'Publish a draft, a submission (approving it: approvedBy) or a scheduled post now (editors)',
  security: BEARER,
  request: { params: PostParams, body: optionalEmpty },
  responses: { 200: json(Post, 'the published post'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const ReturnInput = z.object({ note: ReviewNoteText.describe('what the author should change') }).strict();

export const returnPost = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/return',
  operationId: 'returnPost',
  tags: ['posts'],
  summary: 'Return a submission to its author with a note (status draft; editors)',
  security: BEARER,
  request: { params: PostParams, body: jsonBody(ReturnInput) },
  responses: { 200: json(Post, 'the returned post'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const RevisionsQuery = z
  .object({ limit: QueryInt(1, 200).default(50).describe('at most this many, newest first (default 50)') })
  .strict();

export const listRevisions = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/posts/{postId}/revisions',
  operationId: 'listRevisions',
  tags: ['posts'],
  summary: 'Every change to the published post: who, when, what changed, blocks before and after (members)',
  security: BEARER,
  request: { params: PostParams, query: RevisionsQuery },
  responses: { 200: json(RevisionsPage, 'newest first'), ...errors(400, 403, 404), ...apiErrors() },
});

/** The routes of this module (its other exports are schemas). */
export const routes = { submitPost, publishPost, returnPost, listRevisions };

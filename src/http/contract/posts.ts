import { createRoute } from '@hono/zod-openapi';
import { Post, PostCreateInput, PostListQuery, PostPatchInput, PostsPage } from '../../domain/index.js';
import {
  apiErrors,
  BEARER,
  BlogParams,
  errors,
  json,
  jsonBody,
  notModified,
  OPTIONAL_BEARER,
  PostParams,
  publicRead,
  readNotModified,
} from './common.js';

export const listPosts = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/posts',
  operationId: 'listPosts',
  tags: ['posts'],
  summary: 'Posts newest first; pinned posts first on page one; status=draft needs drafts.read',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams, query: PostListQuery },
  responses: {
    200: publicRead(json(PostsPage, 'a page of posts')),
    ...readNotModified,
    ...errors(400, 403, 404),
    ...apiErrors(),
  },
});

export const createPost = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/posts',
  operationId: 'createPost',
  tags: ['posts'],
  summary:
    'Create a post (contributors: drafts and submissions only; publishAt schedules it); emits post.created when published',
  security: BEARER,
  request: { params: BlogParams, body: jsonBody(PostCreateInput) },
  responses: { 201: json(Post, 'the new post'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const getPost = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/posts/{postId}',
  operationId: 'getPost',
  tags: ['posts'],
  summary: 'One post (drafts only for members)',
  security: OPTIONAL_BEARER,
  request: { params: PostParams },
  responses: { 200: json(Post, 'the post'), ...notModified, ...errors(400, 404), ...apiErrors() },
});

export const patchPost = createRoute({
  method: 'patch',
  path: '/api/v1/blogs/{blogId}/posts/{postId}',
  operationId: 'patchPost',
  tags: ['posts'],
  summary: 'Edit, publish, unpublish, pin or mark a post as key event',
  security: BEARER,
  request: { params: PostParams, body: jsonBody(PostPatchInput) },
  responses: { 200: json(Post, 'the updated post'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

export const deletePost = createRoute({
  method: 'delete',
  path: '/api/v1/blogs/{blogId}/posts/{postId}',
  operationId: 'deletePost',
  tags: ['posts'],
  summary: 'Delete a post (editors; contributors their own drafts); emits post.deleted',
  security: BEARER,
  request: { params: PostParams },
  responses: { 204: { description: 'deleted' }, ...errors(400, 403, 404, 409), ...apiErrors() },
});

import { createRoute } from '@hono/zod-openapi';
import { Blog, BlogCreateInput, BlogList, BlogListQuery, BlogPatchInput } from '../../domain/index.js';
import {
  apiErrors,
  BEARER,
  BlogParams,
  errors,
  json,
  jsonBody,
  notModified,
  OPTIONAL_BEARER,
  publicRead,
  readNotModified,
} from './common.js';

export const listBlogs = createRoute({
  method: 'get',
  path: '/api/v1/blogs',
  operationId: 'listBlogs',
  tags: ['blogs'],
  summary: 'List blogs, newest first (draft blogs only for their members)',
  security: OPTIONAL_BEARER,
  request: { query: BlogListQuery },
  responses: { 200: json(BlogList, 'a page of blogs'), ...notModified, ...errors(400), ...apiErrors() },
});

export const createBlog = createRoute({
  method: 'post',
  path: '/api/v1/blogs',
  operationId: 'createBlog',
  tags: ['blogs'],
  summary: 'Create a blog; a user creating it becomes its owner',
  security: BEARER,
  request: { body: jsonBody(BlogCreateInput) },
  responses: { 201: json(Blog, 'the new blog'), ...errors(400, 403, 409, 413), ...apiErrors() },
});

export const getBlog = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}',
  operationId: 'getBlog',
  tags: ['blogs'],
  summary: 'One blog with its rendered summary (a draft blog only for its members)',
  security: OPTIONAL_BEARER,
  request: { params: BlogParams },
  responses: { 200: publicRead(json(Blog, 'the blog')), ...readNotModified, ...errors(400, 404), ...apiErrors() },
});

export const patchBlog = createRoute({
  method: 'patch',
  path: '/api/v1/blogs/{blogId}',
  operationId: 'patchBlog',
  tags: ['blogs'],
  summary: 'Change blog settings (owner); emits blog.updated',
  security: BEARER,
  request: { params: BlogParams, body: jsonBody(BlogPatchInput) },
  responses: { 200: json(Blog, 'the updated blog'), ...errors(400, 403, 404, 409, 413), ...apiErrors() },
});

import { createRoute, z } from '@hono/zod-openapi';
import { Media, MediaList, MediaListQuery, MediaPatchInput } from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, jsonBody, MediaParams, notModified, PUBLIC } from './common.js';

/**
 * The multipart body, described for the document only: a plain OpenAPI schema (not zod), so
 * no validator buffers the upload; http/multipart.ts streams it with its own limits.
 */
const uploadBody = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        required: ['file'],
        properties: {
          file: { type: 'string' as const, format: 'binary', description: 'the image (JPEG, PNG, WebP, AVIF or GIF)' },
          alt: {
            type: 'string' as const,
            maxLength: 500,
            description: 'alt text (required before publishing a post with it)',
          },
          caption: { type: 'string' as const, maxLength: 1000 },
          credit: { type: 'string' as const, maxLength: 300 },
        },
      },
    },
  },
};

export const uploadMedia = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/media',
  operationId: 'uploadMedia',
  tags: ['media'],
  summary: 'Upload a photo (multipart, field file): re-encoded into AVIF/WebP/JPEG variants, metadata stripped',
  security: BEARER,
  request: { params: BlogParams, body: uploadBody },
  responses: { 201: json(Media, 'the library item'), ...errors(400, 403, 404, 413, 415), ...apiErrors() },
});

export const listMedia = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/media',
  operationId: 'listMedia',
  tags: ['media'],
  summary: "The blog's photo library, newest first, with its usage and quota (members)",
  security: BEARER,
  request: { params: BlogParams, query: MediaListQuery },
  responses: { 200: json(MediaList, 'a page of the library'), ...errors(400, 403, 404), ...apiErrors() },
});

export const getMedia = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/media/{mediaId}',
  operationId: 'getMedia',
  tags: ['media'],
  summary: 'One library item (members)',
  security: BEARER,
  request: { params: MediaParams },
  responses: { 200: json(Media, 'the item'), ...errors(400, 403, 404), ...apiErrors() },
});

export const patchMedia = createRoute({
  method: 'patch',
  path: '/api/v1/blogs/{blogId}/media/{mediaId}',
  operationId: 'patchMedia',
  tags: ['media'],
  summary: 'Change alt text, caption or credit (contributors: their own uploads)',
  security: BEARER,
  request: { params: MediaParams, body: jsonBody(MediaPatchInput) },
  responses: { 200: json(Media, 'the updated item'), ...errors(400, 403, 404, 413), ...apiErrors() },
});

export const deleteMedia = createRoute({
  method: 'delete',
  path: '/api/v1/blogs/{blogId}/media/{mediaId}',
  operationId: 'deleteMedia',
  tags: ['media'],
  summary: 'Delete an item and its variants; 409 naming the published posts that show it',
  security: BEARER,
  request: { params: MediaParams },
  responses: { 204: { description: 'deleted' }, ...errors(400, 403, 404, 409), ...apiErrors() },
});

const MediaFileParams = z.object({
  key: z.string().max(200).describe('content address: sha-256 of the bytes in hex, a dot, avif|webp|jpeg'),
});
const IMAGE_TYPES = ['image/avif', 'image/webp', 'image/jpeg'] as const;
const imageContent = Object.fromEntries(
  IMAGE_TYPES.map((t) => [t, { schema: { type: 'string' as const, format: 'binary' } }]),
);
const fileResponses = {
  200: {
    description: 'the variant (Cache-Control: public, max-age=31536000, immutable; ETag; nosniff)',
    content: imageContent,
  },
  206: { description: 'the byte range asked for (Content-Range)', content: imageContent },
  ...notModified,
  416: { description: 'the range starts past the end (Content-Range: bytes */size)' },
  ...errors(404, 500, 503),
};

export const getMediaFile = createRoute({
  method: 'get',
  path: '/media/{key}',
  operationId: 'getMediaFile',
  tags: ['media'],
  summary: 'An encoded variant, by content address (immutable; byte ranges)',
  security: PUBLIC,
  request: { params: MediaFileParams },
  responses: fileResponses,
});

export const headMediaFile = createRoute({
  method: 'head',
  path: '/media/{key}',
  operationId: 'headMediaFile',
  tags: ['media'],
  summary: "A variant's headers only",
  security: PUBLIC,
  request: { params: MediaFileParams },
  responses: fileResponses,
});

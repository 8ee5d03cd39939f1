import { createRoute } from '@hono/zod-openapi';
import { AudienceQuery, AudienceSeries } from '../../domain/index.js';
import { apiErrors, BEARER, BlogParams, errors, json, notModified } from './common.js';

export const getAudience = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/audience',
  operationId: 'getAudience',
  tags: ['audience'],
  summary: 'Readers per minute (peak, average, by embedding site and transport, first loads); members only',
  security: BEARER,
  request: { params: BlogParams, query: AudienceQuery },
  responses: {
    200: json(AudienceSeries, 'minute buckets, oldest first'),
    ...notModified,
    ...errors(400, 403, 404),
    ...apiErrors(),
  },
});

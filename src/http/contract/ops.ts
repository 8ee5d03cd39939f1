import { createRoute, z } from '@hono/zod-openapi';
import { ServiceStatus } from '../../domain/index.js';
import { errors, json, OPTIONAL_BEARER, PUBLIC } from './common.js';

export const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'health',
  tags: ['ops'],
  summary: 'Liveness: 200 while the process runs',
  security: PUBLIC,
  responses: { 200: json(ServiceStatus, 'alive'), ...errors(500) },
});

export const ready = createRoute({
  method: 'get',
  path: '/ready',
  operationId: 'ready',
  tags: ['ops'],
  summary: 'Readiness: 503 while draining or when the store is unreachable',
  security: PUBLIC,
  responses: {
    200: json(ServiceStatus, 'ready for traffic'),
    503: json(ServiceStatus, 'draining, or the store is unreachable'),
    ...errors(500),
  },
});

export const metrics = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  tags: ['ops'],
  summary: 'Prometheus metrics',
  description: 'Public unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` is required.',
  security: OPTIONAL_BEARER,
  responses: {
    200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
    ...errors(401, 500),
  },
});

export const openapiDocument = createRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'openapiDocument',
  tags: ['ops'],
  summary: 'This document',
  security: PUBLIC,
  responses: {
    200: json(z.object({ openapi: z.string() }).catchall(z.unknown()), 'OpenAPI 3.1 document'),
    ...errors(500),
  },
});

export const docsPage = createRoute({
  method: 'get',
  path: '/docs',
  operationId: 'docsPage',
  tags: ['ops'],
  summary: 'This document as a readable page',
  security: PUBLIC,
  responses: {
    200: { description: 'HTML page', content: { 'text/html': { schema: z.string() } } },
    ...errors(500),
  },
});

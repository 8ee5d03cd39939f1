import { createRoute, z } from '@hono/zod-openapi';
import {
  EventsQuery,
  Id,
  QueryInt,
  Webhook,
  WebhookCreated,
  WebhookCreateInput,
  WebhookDelivery,
  WebhookPatchInput,
} from '../../domain/index.js';
import {
  apiErrors,
  BEARER,
  BlogParams,
  errors,
  json,
  jsonBody,
  OPTIONAL_BEARER,
  PUBLIC,
  readNotModified,
  topicRead,
} from './common.js';

/** Outward channels: the event stream, JSON Feed, webhooks (docs/outward.md). */

export const streamEvents = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/events',
  operationId: 'streamEvents',
  tags: ['changes'],
  summary: 'Server-Sent Events: every reader-visible change, resumable',
  description:
    'Frames are `id: <seq>`, `event: <type>`, `data: <the event JSON>`. Resumes after `Last-Event-ID` (an ' +
    'EventSource sends it on reconnect) or `?since=`; `event: reset` when too far behind (reload the posts), ' +
    '`event: ready` (id = the head) once caught up; comment heartbeats; `retry:`.',
  security: OPTIONAL_BEARER,
  request: {
    params: BlogParams,
    query: EventsQuery,
    headers: z.object({ 'last-event-id': z.string().optional() }),
  },
  responses: {
    200: { description: 'the event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errors(400, 404),
    ...apiErrors(),
  },
});

export const jsonFeed = createRoute({
  method: 'get',
  path: '/live/{slug}/feed.json',
  operationId: 'jsonFeed',
  tags: ['feeds'],
  summary: 'JSON Feed 1.1 of the published posts (same posts, authors and images as the Atom feed)',
  security: PUBLIC,
  request: { params: z.object({ slug: z.string().min(1).max(200) }) },
  responses: {
    200: topicRead({
      description: 'JSON Feed 1.1',
      content: { 'application/feed+json': { schema: z.looseObject({}) } },
    }),
    ...readNotModified,
    ...errors(404, 500, 503),
  },
});

const HookParams = BlogParams.extend({ webhookId: Id.describe('the webhook id') });
const manage = { tags: ['webhooks'], security: BEARER };
const hookErrors = () => ({ ...errors(400, 403, 404), ...apiErrors() });

export const createWebhook = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/webhooks',
  operationId: 'createWebhook',
  ...manage,
  summary: 'Register a webhook endpoint (owners); the answer holds its whsec_ secret, shown this once',
  request: { params: BlogParams, body: jsonBody(WebhookCreateInput) },
  responses: { 201: json(WebhookCreated, 'the endpoint and its secret'), ...hookErrors(), ...errors(413) },
});

export const listWebhooks = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/webhooks',
  operationId: 'listWebhooks',
  ...manage,
  summary: 'The blog’s webhook endpoints (a disabled one says why)',
  request: { params: BlogParams },
  responses: { 200: json(z.object({ webhooks: z.array(Webhook) }), 'endpoints'), ...hookErrors() },
});

export const getWebhook = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/webhooks/{webhookId}',
  operationId: 'getWebhook',
  ...manage,
  summary: 'One webhook endpoint',
  request: { params: HookParams },
  responses: { 200: json(Webhook, 'the endpoint'), ...hookErrors() },
});

export const patchWebhook = createRoute({
  method: 'patch',
  path: '/api/v1/blogs/{blogId}/webhooks/{webhookId}',
  operationId: 'patchWebhook',
  ...manage,
  summary: 'Change an endpoint; `enabled: true` re-enables one disabled after failing',
  request: { params: HookParams, body: jsonBody(WebhookPatchInput) },
  responses: { 200: json(Webhook, 'the endpoint'), ...hookErrors(), ...errors(413) },
});

export const deleteWebhook = createRoute({
  method: 'delete',
  path: '/api/v1/blogs/{blogId}/webhooks/{webhookId}',
  operationId: 'deleteWebhook',
  ...manage,
  summary: 'Remove an endpoint and its delivery log',
  request: { params: HookParams },
  responses: { 204: { description: 'removed' }, ...hookErrors() },
});

export const listWebhookDeliveries = createRoute({
  method: 'get',
  path: '/api/v1/blogs/{blogId}/webhooks/{webhookId}/deliveries',
  operationId: 'listWebhookDeliveries',
  ...manage,
  summary: 'Recent deliveries, newest first: status, attempts, last answer, latency',
  request: { params: HookParams, query: z.object({ limit: QueryInt(1, 200).optional() }).strict() },
  responses: { 200: json(z.object({ deliveries: z.array(WebhookDelivery) }), 'deliveries'), ...hookErrors() },
});

export const testWebhook = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/webhooks/{webhookId}/test',
  operationId: 'testWebhook',
  ...manage,
  summary: 'Send a signed test event (type webhook.test) to the endpoint now',
  request: { params: HookParams },
  responses: { 202: json(z.object({ deliveryId: z.string() }), 'queued'), ...hookErrors() },
});

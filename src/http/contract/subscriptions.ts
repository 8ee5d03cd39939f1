import { createRoute, z } from '@hono/zod-openapi';
import { PushSubscriptionInput, PushSubscriptionReceipt, WebSubRequest } from '../../domain/index.js';
import { apiErrors, BlogParams, errors, json, jsonBody, PUBLIC } from './common.js';

/** Subscriptions from outside: the WebSub hub and Web Push for key events (docs/outward.md). */

export const webSubHub = createRoute({
  method: 'post',
  path: '/websub',
  operationId: 'webSubHub',
  tags: ['feeds'],
  summary: 'WebSub hub: subscribe or unsubscribe a callback to a blog page or feed (verified asynchronously)',
  description:
    'Form fields `hub.mode` (subscribe | unsubscribe), `hub.topic` (`/live/{slug}`, `/live/{slug}/feed.atom` ' +
    'or `/live/{slug}/feed.json` of this server), `hub.callback`, `hub.secret` (< 200 bytes, for `X-Hub-Signature: sha256=`), `hub.lease_seconds`. ' +
    'Answers 202, then verifies intent with a GET to the callback (`hub.challenge` must be echoed exactly); an ' +
    'unknown or non-public blog is denied to the callback (`hub.mode=denied`). Unknown fields are ignored.',
  security: PUBLIC,
  request: {
    body: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: WebSubRequest } },
    },
  },
  responses: {
    202: { description: 'accepted: verification of intent follows' },
    ...errors(400, 413, 421, 429, 500, 503),
  },
});

export const vapidPublicKey = createRoute({
  method: 'get',
  path: '/push/vapid-public-key',
  operationId: 'vapidPublicKey',
  tags: ['push'],
  summary: 'The server’s VAPID public key (base64url): the applicationServerKey for pushManager.subscribe',
  security: PUBLIC,
  responses: {
    200: json(z.object({ publicKey: z.string() }), 'the key'),
    ...errors(500, 503),
  },
});

export const subscribePush = createRoute({
  method: 'post',
  path: '/api/v1/blogs/{blogId}/push-subscriptions',
  operationId: 'subscribePush',
  tags: ['push'],
  summary: 'A reader asks for key-event notifications: the body is the browser’s PushSubscription JSON (public)',
  description:
    'Rate limited per address; at most PUSH_MAX_SUBSCRIPTIONS_PER_BLOG per blog (409 beyond). The endpoint must be ' +
    'https on a public address. Sending the same endpoint again updates its keys (200).',
  security: PUBLIC,
  request: { params: BlogParams, body: jsonBody(PushSubscriptionInput) },
  responses: {
    201: json(PushSubscriptionReceipt, 'subscribed'),
    200: json(PushSubscriptionReceipt, 'already subscribed; keys updated'),
    ...errors(400, 404, 409),
    ...apiErrors(),
  },
});

export const unsubscribePush = createRoute({
  method: 'delete',
  path: '/api/v1/blogs/{blogId}/push-subscriptions',
  operationId: 'unsubscribePush',
  tags: ['push'],
  summary: 'Stop key-event notifications for one push endpoint (public: knowing the endpoint is the proof)',
  security: PUBLIC,
  request: {
    params: BlogParams,
    query: z.object({ endpoint: z.string().min(1).max(2048).url().describe('the subscription’s endpoint') }),
  },
  responses: { 204: { description: 'unsubscribed' }, ...errors(400, 404), ...apiErrors() },
});

export const pushScript = createRoute({
  method: 'get',
  path: '/push.js',
  operationId: 'pushScript',
  tags: ['assets'],
  summary: 'The page’s “Notify me of key events” button script',
  security: PUBLIC,
  responses: {
    200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } },
    304: { description: 'not modified' },
  },
});

export const pushServiceWorker = createRoute({
  method: 'get',
  path: '/push-sw.js',
  operationId: 'pushServiceWorker',
  tags: ['assets'],
  summary: 'The service worker that shows key-event notifications (registered with scope /live/)',
  security: PUBLIC,
  responses: {
    200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } },
    304: { description: 'not modified' },
  },
});

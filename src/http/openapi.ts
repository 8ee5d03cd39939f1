import { OpenAPIHono } from '@hono/zod-openapi';
import type { HttpEnv } from './context.js';
import { validationHook } from './validate.js';

/**
 * A router for one resource's routes. Each route is declared once in src/http/contract and
 * implemented with `app.openapi(route, handler)`; its params, query and body are validated
 * by the declaration, and failures become the contract's 400 naming the field.
 */
export function newRouter(): OpenAPIHono<HttpEnv> {
  return new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });
}

const TAGS = [
  { name: 'ops', description: 'Liveness, readiness, metrics and this document' },
  { name: 'users', description: 'Users and their tokens (created by the admin)' },
  { name: 'identity', description: 'Sign-in, sessions, personal tokens, single sign-on and the audit trail' },
  { name: 'blogs', description: 'Liveblogs: settings, status and rendered summary' },
  { name: 'members', description: 'Who may do what on a blog (owner, editor, contributor)' },
  { name: 'posts', description: 'Timestamped updates of a blog' },
  { name: 'media', description: 'Photo library of a blog (uploads) and the encoded variants' },
  { name: 'changes', description: 'Catch-up for readers (events since a seq) and the summary' },
  { name: 'pages', description: 'Server-rendered HTML: the public page, the iframe embed, the editor' },
  { name: 'feeds', description: 'Syndication: Atom feed and oEmbed' },
  { name: 'assets', description: 'The widget script and client bundles' },
  { name: 'webhooks', description: 'Signed event deliveries to endpoints of the owners’ choosing' },
  { name: 'push', description: 'Web Push notifications of key events for readers' },
];

/** The OpenAPI 3.1 document of every route mounted on `app` (JSON Schema 2020-12 bodies). */
export function buildOpenApi(app: OpenAPIHono<HttpEnv>, info: { publicUrl: string; version?: string }) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Liveblog API',
      version: info.version ?? '1',
      description:
        'Real-time liveblog backend. Writes need `Authorization: Bearer <token>`. Errors are ' +
        '`{ "error": { "code", "message", "details"?, "requestId"? } }`. Reader push is Socket.IO at ' +
        '/socket.io; the collaborative summary is y-websocket at /collab/{blogId}.',
    },
    servers: [{ url: info.publicUrl }],
    tags: TAGS,
  });
  return doc;
}
export type OpenApiDocument = ReturnType<typeof buildOpenApi>;

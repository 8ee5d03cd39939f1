import type { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps, EventStreams } from '../deps.js';
import { DomainError } from '../domain/index.js';
import { MinuteLimit } from '../lib/rate-limit.js';
import type { HttpEnv } from './context.js';
import { errorResponse, onHttpError, onNotFound } from './errors.js';
import { authenticate, limitWrites } from './middleware/auth.js';
import { publicCache } from './middleware/cache.js';
import { observe, requestIds } from './middleware/observe.js';
import { buildOpenApi, newRouter, type OpenApiDocument } from './openapi.js';
import { createPagesApp } from './pages/index.js';
import { ReadCache } from './read-cache.js';
import { ReadModel } from './read-model/index.js';
import { audienceRoutes } from './routes/audience.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { blogRoutes } from './routes/blogs.js';
import { changesRoutes } from './routes/changes.js';
import { docsRoutes } from './routes/docs.js';
import { eventRoutes } from './routes/events.js';
import { meTokenRoutes } from './routes/me-tokens.js';
import { mediaRoutes } from './routes/media.js';
import { mediaFileRoutes } from './routes/media-files.js';
import { memberRoutes } from './routes/members.js';
import { oidcRoutes } from './routes/oidc.js';
import { opsRoutes } from './routes/ops.js';
import { participationRoutes } from './routes/participation.js';
import { postRoutes } from './routes/posts.js';
import { questionRoutes } from './routes/questions.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflow.js';

/**
 * The whole HTTP surface. Order matters: request id and metrics wrap everything; CORS
 * answers preflights before auth; the body limit runs before any route reads a body.
 * Every route is declared in src/http/contract; /openapi.json is generated from them.
 */
/** Parts served by other areas, handed over by app.ts (http never imports them). */
export interface HttpParts {
  /** Server-Sent Events from the reader hub. */
  streams?: EventStreams;
  /** Wakes the webhook dispatcher (a test event was queued). */
  wakeDispatcher?: () => void;
  /** Wakes the outbound job queue (a WebSub verification was queued). */
  wakeOutward?: () => void;
}

export function createHttpApp(deps: Deps, parts: HttpParts = {}): OpenAPIHono<HttpEnv> {
  const { config, metrics, log } = deps;
  const app = newRouter();

  app.use('*', requestIds());
  app.use('*', observe(log, metrics));
  app.use(
    '*',
    secureHeaders({
      // Partner sites frame /embed/:slug and load /embed.js: framing and cross-origin loads
      // are governed per route (frame-ancestors from the blog's allowedOrigins), not here.
      xFrameOptions: false,
      crossOriginResourcePolicy: 'cross-origin',
      crossOriginOpenerPolicy: false,
    }),
  );
  const openCors = cors({
    origin: '*',
    credentials: false,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'If-None-Match'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'ETag'],
    maxAge: 600,
  });
  app.use('/api/*', openCors);
  app.use('/openapi.json', openCors);
  // Photo uploads are bounded by MEDIA_MAX_FILE_BYTES while they stream in (http/multipart.ts),
  // not by the JSON body limit.
  const isUpload = (c: { req: { method: string; path: string } }) =>
    c.req.method === 'POST' && /^\/api\/v1\/blogs\/[^/]+\/media\/?$/.test(c.req.path);
  const jsonBodyLimit = bodyLimit({
    maxSize: config.MAX_BODY_BYTES,
    onError: (c) => {
      // The rest of the body is never read and the server drops the connection after a
      // short drain: say so, or a keep-alive client reuses the socket and its next request fails.
      c.header('Connection', 'close');
      return errorResponse(
        c as Parameters<typeof errorResponse>[0],
        new DomainError('payload_too_large', `the body exceeds ${config.MAX_BODY_BYTES} bytes`),
      );
    },
  });
  app.use('/api/*', (c, next) => (isUpload(c) ? next() : jsonBodyLimit(c, next)));
  const authFailures = new MinuteLimit('http_auth_failures', config.RATE_AUTH_FAILURES_PER_MIN, metrics);
  const writes = new MinuteLimit('http_writes', config.RATE_WRITES_PER_MIN, metrics);
  app.use('/api/*', authenticate(deps.auth, authFailures, config));
  app.use('/api/*', limitWrites(writes));
  app.use('/api/*', publicCache());

  let doc: OpenApiDocument | null = null;
  const getDoc = () => {
    doc ??= buildOpenApi(app, { publicUrl: config.publicUrl });
    return doc;
  };
  app.route('/', opsRoutes(deps));
  app.route('/', docsRoutes(getDoc));
  // Routes carry their full paths (/api/v1/…), as declared.
  app.route('/', userRoutes(deps));
  app.route('/', authRoutes(deps));
  app.route('/', meTokenRoutes(deps));
  app.route('/', auditRoutes(deps));
  // Single sign-on's browser round trip (outside /api).
  app.route('/', oidcRoutes(deps));
  app.route('/', blogRoutes(deps));
  app.route('/', memberRoutes(deps));
  const readCache = new ReadCache();
  // A takedown (post.deleted, from this node or another) drops the blog's cached bodies.
  deps.bus.subscribe(({ msg }) => {
    if (msg.kind === 'event' && msg.event.type === 'post.deleted') readCache.dropBlog(msg.event.blogId);
  });
  app.route('/', postRoutes(deps, readCache));
  app.route('/', workflowRoutes(deps));
  app.route('/', changesRoutes(deps, readCache));
  app.route('/', audienceRoutes(deps));
  app.route('/', questionRoutes(deps));
  app.route('/', participationRoutes(deps));
  app.route('/', mediaRoutes(deps));
  app.route('/', mediaFileRoutes(deps));
  app.route('/', eventRoutes(deps, parts.streams));
  app.route('/', webhookRoutes(deps, { wake: () => parts.wakeDispatcher?.() }));
  app.route('/', subscriptionRoutes(deps, { wake: () => parts.wakeOutward?.() }));
  // Outside /api: feeds and oEmbed, the widget and bundles, the HTML pages.
  app.route('/', createPagesApp(deps));

  app.notFound(onNotFound);
  app.onError(onHttpError(log));

  // Public reads answered from memory before the router: no request id, logger, auth,
  // limiter or middleware (src/http/read-model). A miss is rendered by the app itself.
  const readModel = new ReadModel((ref) => deps.store.getBlog(ref), metrics, {
    maxBytes: config.READ_MODEL_MAX_BYTES,
    sMaxAge: config.READ_S_MAXAGE,
    staleWhileRevalidate: config.READ_STALE_WHILE_REVALIDATE,
    fixedBase: Boolean(config.PUBLIC_URL),
  });
  readModel.attach(deps.bus);
  const dispatch = app.fetch;
  app.fetch = (req, env, ctx) =>
    readModel.serve(req, env, (r, e) => dispatch(r, e as typeof env, ctx)) ?? dispatch(req, env, ctx);
  return app;
}

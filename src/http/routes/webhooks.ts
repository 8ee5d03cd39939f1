import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../deps.js';
import {
  DomainError,
  ErrorBody,
  Id,
  notFound,
  QueryInt,
  Webhook,
  WebhookCreated,
  WebhookCreateInput,
  WebhookDelivery,
  WebhookPatchInput,
} from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { checkTarget, newWebhookSecret, OutboundError, outboundPolicy } from '../../outbound/index.js';
import { BlogRef, loadBlog } from '../access.js';
import type { HttpContext, HttpEnv } from '../context.js';
import { validationError } from '../errors.js';
import { readJson } from '../validate.js';

const errors = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
const commonErrors = {
  400: errors('invalid input, or a target URL that is refused (private address, not https in production)'),
  401: errors('no valid bearer token'),
  403: errors('only the blog’s owners manage webhooks'),
  404: errors('no such blog or webhook'),
} as const;
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const Params = z.object({ blogId: BlogRef });
const HookParams = z.object({ blogId: BlogRef, webhookId: Id });
const DeliveriesQuery = z.object({ limit: QueryInt(1, 200).default(50).optional() }).strict();
const body = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } }, required: true });

const routes = {
  create: createRoute({
    method: 'post',
    path: '/blogs/{blogId}/webhooks',
    summary: 'Register a webhook endpoint; the answer holds its signing secret, shown this once',
    request: { params: Params, body: body(WebhookCreateInput) },
    responses: { 201: json(WebhookCreated, 'the endpoint and its whsec_ secret'), ...commonErrors },
  }),
  list: createRoute({
    method: 'get',
    path: '/blogs/{blogId}/webhooks',
    summary: 'The blog’s webhook endpoints (disabled ones say why)',
    request: { params: Params },
    responses: { 200: json(z.object({ webhooks: z.array(Webhook) }), 'endpoints'), ...commonErrors },
  }),
  get: createRoute({
    method: 'get',
    path: '/blogs/{blogId}/webhooks/{webhookId}',
    summary: 'One webhook endpoint',
    request: { params: HookParams },
    responses: { 200: json(Webhook, 'the endpoint'), ...commonErrors },
  }),
  patch: createRoute({
    method: 'patch',
    path: '/blogs/{blogId}/webhooks/{webhookId}',
    summary: 'Change an endpoint; `enabled: true` re-enables one disabled after failing',
    request: { params: HookParams, body: body(WebhookPatchInput) },
    responses: { 200: json(Webhook, 'the endpoint'), ...commonErrors },
  }),
  remove: createRoute({
    method: 'delete',
    path: '/blogs/{blogId}/webhooks/{webhookId}',
    summary: 'Remove an endpoint and its delivery log',
    request: { params: HookParams },
    responses: { 204: { description: 'removed' }, ...commonErrors },
  }),
  deliveries: createRoute({
    method: 'get',
    path: '/blogs/{blogId}/webhooks/{webhookId}/deliveries',
    summary: 'Recent deliveries, newest first: status, attempts, last answer, latency',
    request: { params: HookParams, query: DeliveriesQuery },
    responses: { 200: json(z.object({ deliveries: z.array(WebhookDelivery) }), 'deliveries'), ...commonErrors },
  }),
  test: createRoute({
    method: 'post',
    path: '/blogs/{blogId}/webhooks/{webhookId}/test',
    summary: 'Send a signed test event (type webhook.test) to the endpoint now',
    request: { params: HookParams },
    responses: { 202: json(z.object({ deliveryId: z.string() }), 'queued'), ...commonErrors },
  }),
};

/** Webhook endpoints (owners) over the store's outbox; the dispatcher (src/outbound) sends. */
export function webhookRoutes(deps: Deps, opts: { wake?: () => void } = {}): OpenAPIHono<HttpEnv> {
  const app = new OpenAPIHono<HttpEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, [result.target]);
    },
  });
  const policy = outboundPolicy(deps.config);

  async function ownerBlog(c: HttpContext) {
    const blog = await loadBlog(deps, c);
    await deps.auth.authorize(c.get('principal'), blog.id, 'webhooks.manage');
    return blog;
  }
  /** The SSRF rules at the door: the URL's shape and where its name resolves now. */
  async function checkUrl(url: string): Promise<void> {
    try {
      await checkTarget(url, policy);
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      throw new DomainError('validation_failed', `url: ${err.message}`, [{ path: 'url', message: err.message }]);
    }
  }
  const hookOf = async (c: HttpContext, blogId: string) => {
    const hook = await deps.store.outbox.getWebhook(blogId, c.req.param('webhookId') ?? '');
    if (!hook) throw notFound('webhook');
    return hook;
  };

  app.openapi(routes.create, async (c) => {
    const blog = await ownerBlog(c);
    const input = await readJson(c, WebhookCreateInput);
    await checkUrl(input.url);
    const secret = newWebhookSecret();
    const hook = await deps.store.outbox.createWebhook({
      id: newId(),
      blogId: blog.id,
      url: input.url,
      secret,
      events: input.events ?? ['*'],
      description: input.description ?? '',
      now: new Date().toISOString(),
    });
    return c.json({ ...hook, secret }, 201);
  });

  app.openapi(routes.list, async (c) => {
    const blog = await ownerBlog(c);
    return c.json({ webhooks: await deps.store.outbox.listWebhooks(blog.id) }, 200);
  });

  app.openapi(routes.get, async (c) => {
    const blog = await ownerBlog(c);
    return c.json(await hookOf(c, blog.id), 200);
  });

  app.openapi(routes.patch, async (c) => {
    const blog = await ownerBlog(c);
    await hookOf(c, blog.id);
    const patch = await readJson(c, WebhookPatchInput);
    if (patch.url) await checkUrl(patch.url);
    const updated = await deps.store.outbox.updateWebhook(
      blog.id,
      c.req.param('webhookId'),
      patch,
      new Date().toISOString(),
    );
    if (!updated) throw notFound('webhook');
    return c.json(updated, 200);
  });

  app.openapi(routes.remove, async (c) => {
    const blog = await ownerBlog(c);
    if (!(await deps.store.outbox.deleteWebhook(blog.id, c.req.param('webhookId')))) throw notFound('webhook');
    return c.body(null, 204);
  });

  app.openapi(routes.deliveries, async (c) => {
    const blog = await ownerBlog(c);
    const hook = await hookOf(c, blog.id);
    const limit = c.req.valid('query').limit ?? 50;
    return c.json({ deliveries: await deps.store.outbox.listDeliveries(blog.id, hook.id, limit) }, 200);
  });

  app.openapi(routes.test, async (c) => {
    const blog = await ownerBlog(c);
    const hook = await hookOf(c, blog.id);
    const now = new Date().toISOString();
    const deliveryId = `${hook.id}.test-${newId()}`;
    const event = { blogId: blog.id, seq: blog.seq, type: 'webhook.test', data: { webhookId: hook.id }, at: now };
    await deps.store.outbox.enqueueTest(hook.id, blog.id, deliveryId, JSON.stringify(event), now);
    opts.wake?.();
    return c.json({ deliveryId }, 202);
  });

  return app;
}

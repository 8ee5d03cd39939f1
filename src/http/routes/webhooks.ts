import type { Deps } from '../../deps.js';
import { DomainError, notFound, type WebhookCreateInput, type WebhookPatchInput } from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { checkTarget, newWebhookSecret, OutboundError, outboundPolicy } from '../../outbound/index.js';
import { blogFromPath, requireRights } from '../access.js';
import type { HttpContext } from '../context.js';
import * as routes from '../contract/outward.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

/** Webhook endpoints (owners) over the store's outbox; the dispatcher (src/outbound) sends. */
export function webhookRoutes(deps: Deps, opts: { wake?: () => void } = {}) {
  const app = newRouter();
  const policy = outboundPolicy(deps.config);
  // 404 for a hidden blog, then 401/403, then the body: a refusal never depends on the body.
  const owners = [blogFromPath(deps), requireRights(deps, ['webhooks.manage'])];
  const ownersWithBody = [...owners, jsonBodyChecks()];
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

  app.openapi({ ...routes.createWebhook, middleware: ownersWithBody }, async (c) => {
    const blog = c.get('blog');
    const input: WebhookCreateInput = c.req.valid('json');
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

  app.openapi({ ...routes.listWebhooks, middleware: owners }, async (c) => {
    const blog = c.get('blog');
    return c.json({ webhooks: await deps.store.outbox.listWebhooks(blog.id) }, 200);
  });

  app.openapi({ ...routes.getWebhook, middleware: owners }, async (c) => {
    const blog = c.get('blog');
    return c.json(await hookOf(c, blog.id), 200);
  });

  app.openapi({ ...routes.patchWebhook, middleware: ownersWithBody }, async (c) => {
    const blog = c.get('blog');
    await hookOf(c, blog.id);
    const patch: WebhookPatchInput = c.req.valid('json');
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

  app.openapi({ ...routes.deleteWebhook, middleware: owners }, async (c) => {
    const blog = c.get('blog');
    if (!(await deps.store.outbox.deleteWebhook(blog.id, c.req.param('webhookId')))) throw notFound('webhook');
    return c.body(null, 204);
  });

  app.openapi({ ...routes.listWebhookDeliveries, middleware: owners }, async (c) => {
    const blog = c.get('blog');
    const hook = await hookOf(c, blog.id);
    const limit = c.req.valid('query').limit ?? 50;
    return c.json({ deliveries: await deps.store.outbox.listDeliveries(blog.id, hook.id, limit) }, 200);
  });

  app.openapi({ ...routes.testWebhook, middleware: owners }, async (c) => {
    const blog = c.get('blog');
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

import { bodyLimit } from 'hono/body-limit';
import type { Deps } from '../../deps.js';
import {
  conflict,
  DomainError,
  grantedLease,
  notFound,
  type PushSubscriptionInput,
  topicOf,
  type WebSubRequest,
} from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { MinuteLimit } from '../../lib/rate-limit.js';
import { checkTarget, OutboundError, outboundPolicy } from '../../outbound/index.js';
import { loadVapidKeys } from '../../outbound/push.js';
import type { VerifyPayload } from '../../outbound/websub.js';
import { blogFromPath } from '../access.js';
import * as routes from '../contract/subscriptions.js';
import { errorResponse } from '../errors.js';
import { clientIp, spend } from '../middleware/auth.js';
import { newRouter } from '../openapi.js';
import { baseUrl, sendCached } from '../pages/html.js';
import { publicBlog } from '../pages/live.js';
import { PUSH_SCRIPT, PUSH_SERVICE_WORKER } from '../pages/push.js';
import { jsonBodyChecks } from '../validate.js';

/** A subscription request is a few short fields. */
const WEBSUB_MAX_BODY = 8 * 1024;
const FORM_TYPE = /^application\/x-www-form-urlencoded(;.*)?$/i;

/**
 * The WebSub hub's front door (POST /websub) and the Web Push subscriptions; the sending is
 * the outbound job queue's (src/outbound/websub.ts, push-jobs.ts), woken through `wake`.
 */
export function subscriptionRoutes(deps: Deps, opts: { wake?: () => void } = {}) {
  const app = newRouter();
  const { config, store, metrics } = deps;
  const policy = outboundPolicy(config);
  const hubLimit = new MinuteLimit('http_websub', config.RATE_WEBSUB_PER_MIN, metrics);
  const pushLimit = new MinuteLimit('http_push_subscribe', config.RATE_PUSH_SUBSCRIBE_PER_MIN, metrics);
  let vapid: Promise<{ publicKey: string }> | null = null;

  /** The SSRF rules at the door; `field` names the input in the 400. */
  async function checkUrl(url: string, field: string): Promise<void> {
    try {
      await checkTarget(url, policy);
    } catch (err) {
      if (!(err instanceof OutboundError)) throw err;
      throw new DomainError('validation_failed', `${field}: ${err.message}`, [{ path: field, message: err.message }]);
    }
  }

  const formChecks = [
    bodyLimit({
      maxSize: WEBSUB_MAX_BODY,
      onError: (c) => {
        c.header('Connection', 'close');
        return errorResponse(
          c as Parameters<typeof errorResponse>[0],
          new DomainError('payload_too_large', `the body exceeds ${WEBSUB_MAX_BODY} bytes`),
        );
      },
    }),
    async (c: Parameters<typeof errorResponse>[0], next: () => Promise<void>) => {
      if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
        throw new DomainError('bad_request', 'Content-Type must be application/x-www-form-urlencoded');
      }
      await spend(hubLimit, clientIp(c, config.TRUST_PROXY));
      await next();
    },
  ];

  app.openapi({ ...routes.webSubHub, middleware: formChecks }, async (c) => {
    const req: WebSubRequest = c.req.valid('form');
    const base = baseUrl(c, config.PUBLIC_URL);
    const topic = topicOf(req['hub.topic'], base);
    if (!topic) {
      throw new DomainError(
        'validation_failed',
        `hub.topic: not a topic of this hub (${base}/live/{slug}, or its /feed.atom or /feed.json)`,
        [{ path: 'hub.topic', message: 'not a topic of this hub' }],
      );
    }
    await checkUrl(req['hub.callback'], 'hub.callback');
    const blog = await publicBlog(deps, topic.slug);
    const now = new Date().toISOString();
    const payload: VerifyPayload = blog
      ? {
          mode: req['hub.mode'],
          topic: req['hub.topic'],
          callback: req['hub.callback'],
          ...(req['hub.secret'] ? { secret: req['hub.secret'] } : {}),
          leaseSeconds: grantedLease(req['hub.lease_seconds'], {
            defaultSeconds: config.WEBSUB_LEASE_DEFAULT_SECONDS,
            minSeconds: config.WEBSUB_LEASE_MIN_SECONDS,
            maxSeconds: config.WEBSUB_LEASE_MAX_SECONDS,
          }),
        }
      : // No public blog at that topic: the hub denies the subscription (WebSub §5.2).
        { mode: 'denied', topic: req['hub.topic'], callback: req['hub.callback'], reason: 'no such topic' };
    await store.outward.enqueueJob(
      {
        id: `wsv.${newId()}`,
        kind: 'websub.verify',
        blogId: blog?.id ?? '',
        ref: req['hub.topic'],
        payload: JSON.stringify(payload),
      },
      now,
    );
    opts.wake?.();
    return c.body(null, 202);
  });

  app.openapi(routes.vapidPublicKey, async (c) => {
    vapid ??= loadVapidKeys(store).catch((err: unknown) => {
      vapid = null;
      throw err;
    });
    const { publicKey } = await vapid;
    c.header('cache-control', 'public, max-age=3600');
    c.header('access-control-allow-origin', '*');
    return c.json({ publicKey }, 200);
  });

  app.openapi({ ...routes.subscribePush, middleware: [blogFromPath(deps), jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const input: PushSubscriptionInput = c.req.valid('json');
    // A real push service is https; plain http only where private targets are allowed (tests).
    if (!input.endpoint.startsWith('https:') && !config.OUTBOUND_ALLOW_PRIVATE) {
      throw new DomainError('validation_failed', 'endpoint: must be an https URL', [
        { path: 'endpoint', message: 'must be an https URL' },
      ]);
    }
    await checkUrl(input.endpoint, 'endpoint');
    await spend(pushLimit, clientIp(c, config.TRUST_PROXY));
    const result = await store.outward.addPushSubscription(
      { id: newId(), blogId: blog.id, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth },
      config.PUSH_MAX_SUBSCRIPTIONS_PER_BLOG,
      new Date().toISOString(),
    );
    if (result === 'full') throw conflict('this blog has reached its limit of push subscriptions; try again later');
    return c.json({ blogId: blog.id, endpoint: input.endpoint }, result === 'created' ? 201 : 200);
  });

  app.openapi({ ...routes.unsubscribePush, middleware: [blogFromPath(deps)] }, async (c) => {
    const blog = c.get('blog');
    if (!(await store.outward.deletePushSubscription(blog.id, c.req.valid('query').endpoint))) {
      throw notFound('push subscription');
    }
    return c.body(null, 204);
  });

  app.openapi(routes.pushScript, (c) =>
    sendCached(c, PUSH_SCRIPT, { type: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=300' }),
  );

  app.openapi(routes.pushServiceWorker, (c) =>
    sendCached(c, PUSH_SERVICE_WORKER, {
      type: 'text/javascript; charset=utf-8',
      cacheControl: 'no-cache',
      headers: { 'service-worker-allowed': '/live/' },
    }),
  );

  return app;
}

import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { distributionLink } from '../domain/index.js';
import { newId } from '../lib/ids.js';
import type { OutboundJob } from '../store/outward.js';
import type { Store } from '../store/types.js';
import type { JobHandler, JobResult } from './jobs.js';
import { type OutboundPolicy, type OutboundRequest, sendOutbound } from './request.js';
import { hubSignature } from './signing.js';

/**
 * The WebSub hub's outbound half (W3C WebSub §5.3 verification of intent, §5.2 denial, §7
 * content distribution), and the ping of an external hub when WEBSUB_HUB_URL is set. Every
 * request goes through sendOutbound: the callback is a URL a stranger gave us.
 */

/** What a verification job carries (queued by POST /websub). */
export interface VerifyPayload {
  mode: 'subscribe' | 'unsubscribe' | 'denied';
  topic: string;
  callback: string;
  secret?: string;
  leaseSeconds?: number;
  reason?: string;
}

/** The topic's current body, as a feed reader would fetch it (the pages app, in process). */
export type FetchTopic = (topic: string) => Promise<{ status: number; body: Uint8Array; contentType: string }>;

export interface WebSubDeps {
  store: Store;
  config: Config;
  policy: OutboundPolicy;
  limits: Pick<OutboundRequest, 'connectTimeoutMs' | 'timeoutMs' | 'maxResponseBytes'>;
  fetchTopic: FetchTopic;
}

/** Our hub's URL for a topic of ours (what the feeds announce). */
export function hubUrlFor(config: Config, topic: string): string {
  return config.PUBLIC_URL ? `${config.publicUrl}/websub` : `${new URL(topic).origin}/websub`;
}

/** The callback with hub.* query parameters added (keeping the subscriber's own). */
export function withQuery(callback: string, params: Record<string, string>): string {
  const url = new URL(callback);
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return url.toString();
}

const failed = (err: unknown): JobResult => ({ outcome: 'retry', error: (err as Error).message.slice(0, 300) });

export function webSubHandlers(deps: WebSubDeps): Record<'websub.verify' | 'websub.distribute', JobHandler> {
  const { store, config, policy, limits } = deps;

  async function verify(job: OutboundJob): Promise<JobResult> {
    const p = JSON.parse(job.payload) as VerifyPayload;
    if (p.mode === 'denied') {
      try {
        await sendOutbound(
          withQuery(p.callback, { 'hub.mode': 'denied', 'hub.topic': p.topic, 'hub.reason': p.reason ?? 'denied' }),
          { method: 'GET', ...limits },
          policy,
        );
      } catch {
        // A denial is a courtesy: nothing to retry for.
      }
      return { outcome: 'done' };
    }
    const challenge = randomBytes(24).toString('base64url');
    const query: Record<string, string> = { 'hub.mode': p.mode, 'hub.topic': p.topic, 'hub.challenge': challenge };
    if (p.mode === 'subscribe') query['hub.lease_seconds'] = String(p.leaseSeconds);
    let res: Awaited<ReturnType<typeof sendOutbound>>;
    try {
      res = await sendOutbound(withQuery(p.callback, query), { method: 'GET', ...limits }, policy);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'address_not_allowed' || code === 'scheme_not_allowed' || code === 'invalid_url') {
        return { outcome: 'drop', error: (err as Error).message };
      }
      return failed(err);
    }
    // The subscriber confirms with a 2xx whose body is the challenge, exactly (§5.3.1).
    const confirmed =
      res.status >= 200 && res.status < 300 && !res.truncated && res.body.toString('utf8') === challenge;
    if (!confirmed) return { outcome: 'drop', error: `intent not verified (HTTP ${res.status})` };
    const now = new Date();
    if (p.mode === 'unsubscribe') {
      await store.outward.deleteWebSub(p.topic, p.callback);
      return { outcome: 'done' };
    }
    const lease = p.leaseSeconds ?? config.WEBSUB_LEASE_DEFAULT_SECONDS;
    await store.outward.upsertWebSub(
      {
        id: newId(),
        blogId: job.blogId,
        topic: p.topic,
        callback: p.callback,
        secret: p.secret ?? null,
        leaseSeconds: lease,
        expiresAt: new Date(now.getTime() + lease * 1000).toISOString(),
      },
      now.toISOString(),
    );
    return { outcome: 'done' };
  }

  async function distribute(job: OutboundJob): Promise<JobResult> {
    const sub = await store.outward.getWebSub(job.ref);
    // Unsubscribed or lease over: nothing to send.
    if (!sub || sub.expiresAt <= new Date().toISOString()) return { outcome: 'done' };
    let topic: Awaited<ReturnType<FetchTopic>>;
    try {
      topic = await deps.fetchTopic(sub.topic);
    } catch (err) {
      return failed(err);
    }
    // The blog is gone or no longer public: readers of the topic get nothing either.
    if (topic.status === 404) return { outcome: 'done' };
    if (topic.status !== 200) return { outcome: 'retry', error: `topic answered ${topic.status}` };
    const headers: Record<string, string> = {
      'content-type': topic.contentType,
      link: distributionLink(hubUrlFor(config, sub.topic), sub.topic),
    };
    if (sub.secret) headers['x-hub-signature'] = hubSignature(sub.secret, topic.body);
    try {
      const res = await sendOutbound(sub.callback, { method: 'POST', headers, body: topic.body, ...limits }, policy);
      if (res.status >= 200 && res.status < 300) return { outcome: 'done' };
      // 410 Gone: the subscriber says it is no more.
      if (res.status === 410) {
        await store.outward.deleteWebSub(sub.topic, sub.callback);
        return { outcome: 'done' };
      }
      return { outcome: 'retry', error: `HTTP ${res.status}` };
    } catch (err) {
      return failed(err);
    }
  }

  return { 'websub.verify': verify, 'websub.distribute': distribute };
}

/**
 * The external hub's ping (the de-facto publish request: `hub.mode=publish`, `hub.url=<topic>`),
 * one per topic of the blog (the page and both feeds). job.ref is the hub's URL (recorded from WEBSUB_HUB_URL).
 */
export function hubPingHandler(deps: WebSubDeps): JobHandler {
  return async (job) => {
    const blog = await deps.store.getBlog(job.blogId);
    if (!blog) return { outcome: 'done' };
    const page = `${deps.config.publicUrl}/live/${encodeURIComponent(blog.slug)}`;
    for (const topic of [page, `${page}/feed.atom`, `${page}/feed.json`]) {
      const body = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString();
      try {
        const res = await sendOutbound(
          job.ref,
          { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, ...deps.limits },
          deps.policy,
        );
        if (res.status < 200 || res.status >= 300) return { outcome: 'retry', error: `hub answered ${res.status}` };
      } catch (err) {
        return failed(err);
      }
    }
    return { outcome: 'done' };
  };
}

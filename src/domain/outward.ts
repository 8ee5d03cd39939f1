import { z } from 'zod';
import { Id, QueryInt, Seq, Timestamp } from './common.js';
import { EventType, type LiveEvent } from './events.js';

/**
 * Inputs of the outward channels (Server-Sent Events, webhooks, WebSub, Web Push). Rules
 * that decide who gets what live here once; transports only parse with these.
 */

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** `GET /api/v1/blogs/:blogId/events?since=` */
export const EventsQuery = z
  .object({
    since: QueryInt(0, MAX_SEQ)
      .optional()
      .describe('last seq the client applied; Last-Event-ID wins when both are sent'),
  })
  .strict();
export type EventsQuery = z.infer<typeof EventsQuery>;

/** An EventSource resends the last `id:` it saw as Last-Event-ID: our ids are seqs. */
export const LastEventId = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a seq (a non-negative integer)')
  .transform(Number)
  .pipe(z.number().int().min(0).max(MAX_SEQ));

/** Where a stream resumes: Last-Event-ID (a reconnect) wins over ?since= (the first connect). */
export function resumeSeq(lastEventId: number | undefined, since: number | undefined): number | undefined {
  return lastEventId ?? since;
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/** What a webhook may subscribe to: the reader event types, or `*` for all of them. */
export const WebhookEventFilter = z
  .array(z.union([EventType, z.literal('*')]))
  .min(1)
  .max(10);

const TargetUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const WebhookCreateInput = z
  .object({
    url: TargetUrl,
    /** Default: every event type. */
    events: WebhookEventFilter.optional(),
    description: z.string().trim().max(200).optional(),
  })
  .strict();
export type WebhookCreateInput = z.infer<typeof WebhookCreateInput>;

export const WebhookPatchInput = z
  .object({
    url: TargetUrl.optional(),
    events: WebhookEventFilter.optional(),
    description: z.string().trim().max(200).optional(),
    /** Re-enables an endpoint that was disabled after failing, or pauses one. */
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type WebhookPatchInput = z.infer<typeof WebhookPatchInput>;

export const Webhook = z.object({
  id: Id,
  blogId: Id,
  url: z.string(),
  events: z.array(z.string()),
  description: z.string(),
  enabled: z.boolean(),
  /** Why it is disabled (e.g. failing for a day), null when enabled or paused by hand. */
  disabledReason: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;

/** Answer to a create: the secret is shown this once and never again. */
export const WebhookCreated = Webhook.extend({ secret: z.string() });

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const WebhookDelivery = z.object({
  /** `<webhookId>.<seq>` (or `.test-…`): stable across retries. */
  id: z.string().min(1).max(200),
  webhookId: Id,
  seq: Seq,
  type: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int().min(0),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** Of the last attempt. */
  latencyMs: z.number().nullable(),
  createdAt: Timestamp,
  nextAttemptAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

/** Does an endpoint with this filter want an event of this type? */
export function webhookWants(filter: readonly string[], type: EventType): boolean {
  return filter.includes('*') || filter.includes(type);
}

/**
 * Retry schedule: exponential from 5 s, doubling to a ceiling of one hour, with full jitter
 * (a random point in the second half of the step) so endpoints that failed together do not
 * come back together. About a day of attempts before an endpoint is disabled.
 */
export const RETRY_BASE_MS = 5_000;
export const RETRY_MAX_MS = 3_600_000;
export const RETRY_MAX_ATTEMPTS = 30;

export function retryDelayMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs: number = RETRY_BASE_MS,
  maxMs: number = RETRY_MAX_MS,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(40, Math.max(0, attempt - 1)));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** A delivery id that stays the same across retries (receivers de-duplicate on webhook-id). */
export function webhookMessageId(blogId: string, seq: number, webhookId: string): string {
  return `msg_${blogId}_${seq}_${webhookId}`;
}

// ---------------------------------------------------------------------------------------------
// Web Push

/** base64url of exactly `bytes` bytes (unpadded length ⌈4n/3⌉; padding tolerated). */
const B64Url = (bytes: number) => {
  const chars = Math.ceil((bytes * 4) / 3);
  return z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${chars}}={0,2}$`), `must be base64url of ${bytes} bytes`);
};

/** The JSON of a browser's PushSubscription (what `subscription.toJSON()` gives). */
export const PushSubscriptionInput = z
  .object({
    endpoint: TargetUrl,
    expirationTime: z.number().nullable().optional(),
    keys: z.object({ p256dh: B64Url(65), auth: B64Url(16) }).strict(),
  })
  .strict();
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>;

/** The answer to a push subscription. */
export const PushSubscriptionReceipt = z.object({ blogId: Id, endpoint: z.string() });

/** Key events are what readers asked to be notified of: a post published or turned into one. */
export function isKeyEventPush(event: LiveEvent, alreadyNotified: boolean): boolean {
  if (event.type !== 'post.created' && event.type !== 'post.updated') return false;
  return event.data.keyEvent && !alreadyNotified;
}

// ---------------------------------------------------------------------------------------------
// WebSub (W3C Recommendation): subscriber requests to the hub, form-encoded

export const WEBSUB_DEFAULT_LEASE_SECONDS = 86_400;
export const WEBSUB_MAX_LEASE_SECONDS = 864_000;

/**
 * A subscriber's request to the hub (form fields). Parameters the hub does not understand are
 * ignored, as the spec requires (so this object strips rather than refuses them).
 */
export const WebSubRequest = z.object({
  'hub.mode': z.enum(['subscribe', 'unsubscribe']),
  'hub.topic': z.string().min(1).max(2048).url(),
  'hub.callback': TargetUrl,
  /** HMAC key for X-Hub-Signature; the spec caps it at 200 bytes. */
  'hub.secret': z
    .string()
    .min(1)
    .refine((s) => new TextEncoder().encode(s).length < 200, 'must be shorter than 200 bytes')
    .optional(),
  'hub.lease_seconds': z
    .string()
    .regex(/^\d{1,9}$/, 'must be a number of seconds')
    .transform(Number)
    .optional(),
});
export type WebSubRequest = z.infer<typeof WebSubRequest>;

export interface LeaseBounds {
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
}

/** The lease the hub grants: what was asked, within bounds, or the default. */
export function grantedLease(
  asked: number | undefined,
  bounds: LeaseBounds = {
    defaultSeconds: WEBSUB_DEFAULT_LEASE_SECONDS,
    minSeconds: 60,
    maxSeconds: WEBSUB_MAX_LEASE_SECONDS,
  },
): number {
  if (asked === undefined || asked <= 0) return bounds.defaultSeconds;
  return Math.min(Math.max(asked, bounds.minSeconds), bounds.maxSeconds);
}

/**
 * The three topics a blog offers: its Atom and JSON feeds, and its public page (which
 * announces the hub too, so a subscriber discovering from the page gets a topic it can use).
 */
export type WebSubFormat = 'atom' | 'json' | 'html';
export const TOPIC_CONTENT_TYPES: Record<WebSubFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/**
 * Which of our topics a URL names: `<base>/live/<slug>` or its `/feed.atom` or `/feed.json`,
 * or null when it is not one of ours (another origin, another path, a query).
 */
export function topicOf(topic: string, base: string): { slug: string; format: WebSubFormat } | null {
  let url: URL;
  let root: URL;
  try {
    url = new URL(topic);
    root = new URL(base);
  } catch {
    return null;
  }
  if (url.origin !== root.origin || url.search || url.hash) return null;
  const prefix = root.pathname.replace(/\/+$/, '');
  const m = /^\/live\/([A-Za-z0-9_-]{1,80})(?:\/feed\.(atom|json))?$/.exec(url.pathname.slice(prefix.length));
  if (!url.pathname.startsWith(prefix) || !m) return null;
  return { slug: m[1] as string, format: (m[2] as WebSubFormat | undefined) ?? 'html' };
}

/**
 * The `Link` header naming the hub and the topic's self URL: on every distribution (WebSub §7)
 * and on the topic's own answer, where discovery (§4) looks first.
 */
export function distributionLink(hub: string, topic: string): string {
  return `<${hub}>; rel="hub", <${topic}>; rel="self"`;
}

/** What a key-event notification says: the blog's title, the post's first words, a link to it. */
export function keyEventNotice(
  blog: { title: string },
  post: { id: string; text: string },
  pageUrl: string,
): { title: string; body: string; url: string; tag: string } {
  const text = post.text.replace(/\s+/g, ' ').trim();
  const body = text.length > 180 ? `${text.slice(0, 179).trimEnd()}…` : text || 'New key event';
  return { title: blog.title, body, url: `${pageUrl}#post-${post.id}`, tag: `post-${post.id}` };
}

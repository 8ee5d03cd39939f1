import type { Config } from '../config.js';
import { type Block, keyEventNotice } from '../domain/index.js';
import { htmlToText } from '../domain/sanitize.js';
import type { Store } from '../store/types.js';
import type { JobHandler } from './jobs.js';
import { type PushMessage, sendPush, type VapidKeys } from './push.js';
import type { OutboundPolicy, OutboundRequest } from './request.js';

/**
 * Sends one key event to one push subscription (a `push` job, queued in the event's
 * transaction for every subscription of the blog). The notification is built at send time
 * from the post as it is then: a post deleted or un-keyed meanwhile is not announced.
 * Expired subscriptions (404, 410) are pruned.
 */
export interface PushJobDeps {
  store: Store;
  config: Config;
  vapid: VapidKeys & { subject: string };
  policy: OutboundPolicy;
  limits: Pick<OutboundRequest, 'connectTimeoutMs' | 'timeoutMs' | 'maxResponseBytes'>;
}

function blockText(b: Block): string {
  switch (b.type) {
    case 'text':
      return htmlToText(b.html);
    case 'quote':
      return `“${b.text}”`;
    case 'image':
      return b.caption ?? b.alt;
    case 'embed':
      return b.title ?? b.text ?? '';
    default:
      return '';
  }
}

/** The default VAPID subject: a mailto: at the public host. */
export function pushSubject(config: Config): string {
  return config.PUSH_SUBJECT ?? `mailto:webpush@${new URL(config.publicUrl).hostname}`;
}

/** A notice is shared by every subscription of a key event: built once per post for a while. */
const NOTICE_TTL_MS = 30_000;

export function pushHandler(deps: PushJobDeps): JobHandler {
  const { store, config } = deps;
  const notices = new Map<string, { at: number; payload: string | null }>();

  async function noticeFor(blogId: string, postId: string, seq: number): Promise<string | null> {
    const key = `${blogId}/${postId}`;
    const hit = notices.get(key);
    if (hit && Date.now() - hit.at < NOTICE_TTL_MS) return hit.payload;
    const [blog, post] = await Promise.all([store.getBlog(blogId), store.getPost(blogId, postId).catch(() => null)]);
    let payload: string | null = null;
    if (blog && post && post.status === 'published' && post.keyEvent) {
      const text = post.blocks.map(blockText).filter(Boolean).join(' ');
      const notice = keyEventNotice(
        blog,
        { id: post.id, text },
        `${config.publicUrl}/live/${encodeURIComponent(blog.slug)}`,
      );
      payload = JSON.stringify({ ...notice, blogId, postId, seq });
    }
    if (notices.size > 1000) notices.clear();
    notices.set(key, { at: Date.now(), payload });
    return payload;
  }

  return async (job) => {
    const sub = await store.outward.getPushSubscription(job.ref);
    if (!sub) return { outcome: 'done' };
    const { postId, seq } = JSON.parse(job.payload) as { postId: string; seq: number };
    const payload = await noticeFor(job.blogId, postId, seq);
    if (payload === null) return { outcome: 'done' };
    const msg: PushMessage = { payload, ttlSeconds: config.PUSH_TTL_SECONDS, urgency: 'high' };
    const outcome = await sendPush(
      { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      msg,
      deps.vapid,
      deps.policy,
      deps.limits,
    );
    switch (outcome.kind) {
      case 'delivered':
        return { outcome: 'done' };
      case 'gone':
        await store.outward.deletePushSubscriptionById(sub.id);
        return { outcome: 'done' };
      case 'retry':
        return { outcome: 'retry', error: outcome.reason };
      case 'rejected':
        return { outcome: 'drop', error: outcome.reason };
    }
  };
}

import { describe, expect, it } from 'vitest';
import {
  distributionLink,
  grantedLease,
  keyEventNotice,
  PushSubscriptionInput,
  RETRY_MAX_MS,
  retryDelayMs,
  topicOf,
  WebhookCreateInput,
  WebhookPatchInput,
  WebSubRequest,
  webhookWants,
} from '../../src/domain/index.js';

describe('outward rules', () => {
  it('retries with exponential backoff and jitter, capped at an hour', () => {
    const low = (n: number) => retryDelayMs(n, () => 0);
    const high = (n: number) => retryDelayMs(n, () => 1);
    expect([low(1), high(1)]).toEqual([2_500, 5_000]);
    expect([low(2), high(2)]).toEqual([5_000, 10_000]);
    expect(high(5)).toBe(80_000);
    expect(high(30)).toBe(RETRY_MAX_MS);
    expect(low(30)).toBe(RETRY_MAX_MS / 2);
    let total = 0;
    for (let i = 1; i <= 30; i++) total += low(i);
    expect(total / 3_600_000).toBeGreaterThan(10); // hours of retries even at the low end
  });

  it('filters events per webhook', () => {
    expect(webhookWants(['*'], 'post.deleted')).toBe(true);
    expect(webhookWants(['post.created'], 'post.created')).toBe(true);
    expect(webhookWants(['post.created'], 'summary.updated')).toBe(false);
  });

  it('validates webhook inputs', () => {
    expect(WebhookCreateInput.safeParse({ url: 'https://hooks.example.com/x' }).success).toBe(true);
    expect(WebhookCreateInput.safeParse({ url: 'ftp://x.example/' }).success).toBe(false);
    expect(WebhookCreateInput.safeParse({ url: 'https://x.example/', events: ['nope'] }).success).toBe(false);
    expect(WebhookCreateInput.safeParse({ url: 'https://x.example/', secret: 'mine' }).success).toBe(false);
    expect(WebhookPatchInput.safeParse({}).success).toBe(false);
  });

  it('validates push subscriptions as browsers send them', () => {
    const ok = {
      endpoint: 'https://push.example.net/abc',
      expirationTime: null,
      keys: { p256dh: 'B'.repeat(87), auth: 'a'.repeat(22) },
    };
    expect(PushSubscriptionInput.safeParse(ok).success).toBe(true);
    expect(PushSubscriptionInput.safeParse({ ...ok, keys: { ...ok.keys, auth: 'short' } }).success).toBe(false);
    expect(PushSubscriptionInput.safeParse({ ...ok, keys: { ...ok.keys, p256dh: '+/'.repeat(44) } }).success).toBe(
      false,
    );
    expect(PushSubscriptionInput.safeParse({ endpoint: 'https://x/' }).success).toBe(false);
  });

  it('validates WebSub requests and bounds leases', () => {
    const base = {
      'hub.mode': 'subscribe',
      'hub.topic': 'https://a.example/live/x/feed.json',
      'hub.callback': 'https://b.example/cb',
    };
    expect(WebSubRequest.safeParse(base).success).toBe(true);
    expect(WebSubRequest.safeParse({ ...base, 'hub.mode': 'publish' }).success).toBe(false);
    expect(WebSubRequest.safeParse({ ...base, 'hub.lease_seconds': '-5' }).success).toBe(false);
    expect(WebSubRequest.safeParse({ ...base, 'hub.secret': 'x'.repeat(200) }).success).toBe(false);
    expect(grantedLease(undefined)).toBe(86_400);
    expect(grantedLease(10)).toBe(60);
    expect(grantedLease(10 ** 9)).toBe(864_000);
  });

  it('ignores WebSub parameters it does not know, and bounds leases by the configured limits', () => {
    const base = {
      'hub.mode': 'subscribe',
      'hub.topic': 'https://a.example/live/x/feed.json',
      'hub.callback': 'https://b.example/cb',
    };
    expect(WebSubRequest.parse({ ...base, 'hub.verify': 'sync' })).toEqual(base);
    expect(WebSubRequest.safeParse({ ...base, 'hub.secret': 'é'.repeat(100) }).success).toBe(false); // 200 bytes
    expect(WebSubRequest.safeParse({ ...base, 'hub.secret': 'x'.repeat(199) }).success).toBe(true);
    const bounds = { defaultSeconds: 600, minSeconds: 1, maxSeconds: 3600 };
    expect([undefined, 0, 1, 100, 10 ** 6].map((n) => grantedLease(n, bounds))).toEqual([600, 600, 1, 100, 3600]);
  });

  it('knows its own topics: the two feeds of a slug under the public base, nothing else', () => {
    const base = 'https://news.example.org';
    expect(topicOf(`${base}/live/flood-2026/feed.atom`, base)).toEqual({ slug: 'flood-2026', format: 'atom' });
    expect(topicOf(`${base}/live/flood/feed.json`, base)).toEqual({ slug: 'flood', format: 'json' });
    for (const t of [
      'https://elsewhere.example.org/live/flood/feed.atom',
      'http://news.example.org/live/flood/feed.atom',
      `${base}/live/flood/feed.rss`,
      `${base}/live/flood/feed.atom?x=1`,
      `${base}/live/flood/feed.atom#top`,
      `${base}/live/../admin/feed.atom`,
      `${base}/live/a%2Fb/feed.atom`,
      `${base}/embed/flood`,
      'not a url',
    ]) {
      expect(topicOf(t, base), t).toBeNull();
    }
    expect(topicOf('https://x.example/news/live/a/feed.atom', 'https://x.example/news')).toEqual({
      slug: 'a',
      format: 'atom',
    });
    expect(topicOf('https://x.example/live/a/feed.atom', 'https://x.example/news')).toBeNull();
  });

  it('builds the distribution Link header and the key-event notice', () => {
    expect(distributionLink('https://h.example/websub', 'https://h.example/live/a/feed.atom')).toBe(
      '<https://h.example/websub>; rel="hub", <https://h.example/live/a/feed.atom>; rel="self"',
    );
    const page = 'https://news.example.org/live/flood';
    expect(keyEventNotice({ title: 'Flood' }, { id: 'p1', text: '  The  dam\nbroke. ' }, page)).toEqual({
      title: 'Flood',
      body: 'The dam broke.',
      url: `${page}#post-p1`,
      tag: 'post-p1',
    });
    expect(keyEventNotice({ title: 'Flood' }, { id: 'p2', text: '' }, page).body).toBe('New key event');
    const long = keyEventNotice({ title: 'F' }, { id: 'p3', text: 'word '.repeat(100) }, page).body;
    expect(long.length).toBeLessThanOrEqual(180);
    expect(long.endsWith('…')).toBe(true);
  });
});

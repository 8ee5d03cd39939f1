import { describe, expect, it } from 'vitest';
import {
  grantedLease,
  PushSubscriptionInput,
  RETRY_MAX_MS,
  retryDelayMs,
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
});

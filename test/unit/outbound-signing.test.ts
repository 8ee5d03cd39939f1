import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { hubSignature, isWebhookSecret, newWebhookSecret, webhookHeaders } from '../../src/outbound/signing.js';

describe('webhook signing (Standard Webhooks)', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(isWebhookSecret(a)).toBe(true);
    expect(isWebhookSecret('whsec_')).toBe(false);
    expect(isWebhookSecret('secret')).toBe(false);
  });

  it('signs so that the reference library verifies, and refuses tampering', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ blogId: 'b1', seq: 7, type: 'post.created', data: { id: 'p' } });
    const headers = webhookHeaders(secret, 'msg_b1_7', body);
    expect(headers['webhook-id']).toBe('msg_b1_7');
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    const receiver = new Webhook(secret);
    expect(receiver.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => receiver.verify(body.replace('7', '8'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('keeps a stale timestamp stale (receivers refuse replays)', () => {
    const secret = newWebhookSecret();
    const old = new Date(Date.now() - 3600_000);
    const headers = webhookHeaders(secret, 'msg_1', '{}', old);
    expect(() => new Webhook(secret).verify('{}', headers)).toThrow(/timestamp/i);
  });

  it('signs WebSub distributions with X-Hub-Signature sha256', () => {
    const body = '{"version":"https://jsonfeed.org/version/1.1"}';
    const expected = createHmac('sha256', 'topsecret').update(body).digest('hex');
    expect(hubSignature('topsecret', body)).toBe(`sha256=${expected}`);
  });
});

import { describe, expect, it } from 'vitest';
import { loadVapidKeys, sendPush } from '../../src/outbound/push.js';
import type { OutboundPolicy } from '../../src/outbound/request.js';
import { newPushDevice, startPushService } from '../helpers/push-service.js';

const open: OutboundPolicy = { allowPrivate: true, requireHttps: false };
const strict: OutboundPolicy = { allowPrivate: false, requireHttps: false };

function memorySettings() {
  const m = new Map<string, string>();
  return {
    m,
    getSetting: async (k: string) => m.get(k) ?? null,
    setSettingIfAbsent: async (k: string, v: string) => {
      if (!m.has(k)) m.set(k, v);
      return m.get(k) as string;
    },
  };
}

describe('Web Push primitives', () => {
  it('generates VAPID keys once and keeps them (first writer wins when nodes race)', async () => {
    const settings = memorySettings();
    const [a, b] = await Promise.all([loadVapidKeys(settings), loadVapidKeys(settings)]);
    expect(a.publicKey).toBe(b.publicKey);
    expect([a.generated, b.generated].filter(Boolean)).toHaveLength(1);
    expect(Buffer.from(a.publicKey, 'base64url')).toHaveLength(65);
    const again = await loadVapidKeys(settings);
    expect(again).toEqual({ publicKey: a.publicKey, privateKey: a.privateKey, generated: false });
  });

  it('sends an RFC 8291 payload the device decrypts, with TTL, urgency, topic and a VAPID signature', async () => {
    const service = await startPushService();
    const device = newPushDevice(`${service.url}/push/device-1`);
    const vapid = { ...(await loadVapidKeys(memorySettings())), subject: 'mailto:news@example.org' };
    const payload = JSON.stringify({ title: 'Key event', body: 'The river burst its banks', seq: 7 });
    const outcome = await sendPush(
      device.subscription,
      { payload, ttlSeconds: 600, urgency: 'high', topic: 'blog1' },
      vapid,
      open,
    );
    expect(outcome).toMatchObject({ kind: 'delivered', status: 201 });
    const req = service.received[0]!;
    expect(req.path).toBe('/push/device-1');
    expect(req.headers.ttl).toBe('600');
    expect(req.headers.urgency).toBe('high');
    expect(req.headers.topic).toBe('blog1');
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    expect(req.headers.authorization).toMatch(
      new RegExp(`^vapid t=[\\w-]+\\.[\\w-]+\\.[\\w-]+, k=${vapid.publicKey}$`),
    );
    expect(req.raw.includes(Buffer.from('river'))).toBe(false);
    expect(device.decrypt(req.raw)).toBe(payload);
    // The JWT is for this push service's origin and from our subject.
    const jwt = /t=([^,]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ aud: service.url, sub: 'mailto:news@example.org' });
  });

  it('tells expired subscriptions (404, 410) from busy services (429, 5xx) and refused endpoints', async () => {
    const service = await startPushService();
    const vapid = { ...(await loadVapidKeys(memorySettings())), subject: 'mailto:news@example.org' };
    const msg = { payload: '{}', ttlSeconds: 60, urgency: 'normal' as const };
    const at = (path: string, status: number) => {
      service.statusFor.set(path, status);
      return newPushDevice(`${service.url}${path}`).subscription;
    };
    expect(await sendPush(at('/gone', 410), msg, vapid, open)).toMatchObject({ kind: 'gone', status: 410 });
    expect(await sendPush(at('/missing', 404), msg, vapid, open)).toMatchObject({ kind: 'gone', status: 404 });
    expect(await sendPush(at('/busy', 429), msg, vapid, open)).toMatchObject({ kind: 'retry', status: 429 });
    expect(await sendPush(at('/down', 503), msg, vapid, open)).toMatchObject({ kind: 'retry', status: 503 });
    expect(await sendPush(at('/bad', 400), msg, vapid, open)).toMatchObject({ kind: 'rejected', status: 400 });
    const before = service.received.length;
    const loopback = newPushDevice(`${service.url}/x`).subscription;
    expect(await sendPush(loopback, msg, vapid, strict)).toMatchObject({ kind: 'rejected', status: null });
    expect(service.received.length).toBe(before);
    const broken = { endpoint: `${service.url}/y`, keys: { p256dh: 'not-a-key', auth: 'x' } };
    expect(await sendPush(broken, msg, vapid, open)).toMatchObject({ kind: 'rejected' });
  });
});

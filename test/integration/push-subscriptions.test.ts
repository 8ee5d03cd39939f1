import { describe, expect, it } from 'vitest';
import { setupBlog, text } from '../helpers/api.js';
import { newPushDevice, startPushService } from '../helpers/push-service.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const PUBLIC_URL = 'https://news.example.org';
const FAST = {
  OUTBOUND_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_POLL_MS: '50',
  OUTBOUND_TIMEOUT_MS: '1000',
  RATE_WRITES_PER_MIN: '100000',
  RATE_PUSH_SUBSCRIBE_PER_MIN: '1000',
  PUSH_TTL_SECONDS: '900',
  PUBLIC_URL,
};

describe('Web Push for key events', () => {
  it('serves the VAPID key; each new key event reaches every subscription once, encrypted; 404/410 are pruned', async () => {
    const s = await startServer(FAST);
    const t = await setupBlog(s.url, s.adminToken);
    const service = await startPushService();
    const key = await t.anon.raw('GET', '/push/vapid-public-key');
    expect(key.status).toBe(200);
    const publicKey = (key.body as { publicKey: string }).publicKey;
    expect(Buffer.from(publicKey, 'base64url')).toHaveLength(65);

    const devices = [1, 2, 3].map((i) => newPushDevice(`${service.url}/push/device-${i}`));
    const gone = newPushDevice(`${service.url}/push/expired`);
    service.statusFor.set('/push/expired', 410);
    const path = `/api/v1/blogs/${t.blog.id}/push-subscriptions`;
    for (const d of [...devices, gone]) {
      const res = await t.anon.raw('POST', path, { body: d.subscription });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ blogId: t.blog.id, endpoint: d.subscription.endpoint });
    }
    // The same endpoint again: keys updated, still one subscription.
    expect((await t.anon.raw('POST', path, { body: devices[0]!.subscription })).status).toBe(200);
    expect(await s.app.deps.store.outward.countPushSubscriptions(t.blog.id)).toBe(4);

    // Not key events: nothing is sent.
    const plain = await t.editor.createPost(t.blog.id, { blocks: [text('<p>Rain eases.</p>')] });
    const key1 = await t.editor.createPost(t.blog.id, {
      blocks: [text('<p>The <b>dam</b> has been breached. Evacuate the valley.</p>')],
      keyEvent: true,
    });
    const forDevice = (i: number) => service.received.filter((r) => r.path === `/push/device-${i}`);
    await waitFor(() => [1, 2, 3].every((i) => forDevice(i).length >= 1), { what: 'a push to every device' });
    for (const [i, d] of devices.entries()) {
      const req = forDevice(i + 1)[0]!;
      expect(req.headers.ttl).toBe('900');
      expect(req.headers.urgency).toBe('high');
      expect(req.headers['content-encoding']).toBe('aes128gcm');
      expect(req.headers.authorization).toContain(`k=${publicKey}`);
      const notice = JSON.parse(d.decrypt(req.raw));
      expect(notice).toMatchObject({
        title: t.blog.title,
        body: 'The dam has been breached. Evacuate the valley.',
        url: `${PUBLIC_URL}/live/${t.blog.slug}#post-${key1.id}`,
        blogId: t.blog.id,
        postId: key1.id,
      });
    }
    // The expired subscription was tried once and pruned.
    await waitFor(async () => (await s.app.deps.store.outward.countPushSubscriptions(t.blog.id)) === 3, {
      what: 'the 410 subscription to be pruned',
    });

    // Editing a key event does not notify again; a post that gains the flag does, once.
    await t.editor.patchPost(t.blog.id, key1.id, { blocks: [text('<p>The dam has been breached.</p>')] });
    await t.editor.patchPost(t.blog.id, plain.id, { keyEvent: true });
    await waitFor(() => [1, 2, 3].every((i) => forDevice(i).length >= 2), { what: 'the second key event' });
    await waitFor(async () => (await s.app.deps.store.outward.countJobs('push')) === 0, { what: 'an empty queue' });
    for (const [i, d] of devices.entries()) {
      const bodies = forDevice(i + 1).map((r) => JSON.parse(d.decrypt(r.raw)) as { postId: string });
      expect(bodies.map((b) => b.postId)).toEqual([key1.id, plain.id]);
    }

    // Unsubscribe by endpoint.
    const endpoint = encodeURIComponent(devices[2]!.subscription.endpoint);
    expect((await t.anon.raw('DELETE', `${path}?endpoint=${endpoint}`)).status).toBe(204);
    expect((await t.anon.raw('DELETE', `${path}?endpoint=${endpoint}`)).status).toBe(404);
    await t.editor.createPost(t.blog.id, { blocks: [text('<p>Third.</p>')], keyEvent: true });
    await waitFor(() => forDevice(1).length >= 3 && forDevice(2).length >= 3, { what: 'the third key event' });
    await waitFor(async () => (await s.app.deps.store.outward.countJobs('push')) === 0, { what: 'an empty queue' });
    expect(forDevice(3)).toHaveLength(2);
  });

  it('refuses malformed subscriptions and private endpoints with 400, bounds each blog, and limits each address', async () => {
    const s = await startServer({
      RATE_PUSH_SUBSCRIBE_PER_MIN: '3',
      PUSH_MAX_SUBSCRIPTIONS_PER_BLOG: '2',
      RATE_WRITES_PER_MIN: '100000',
    });
    const t = await setupBlog(s.url, s.adminToken);
    const path = `/api/v1/blogs/${t.blog.id}/push-subscriptions`;
    const good = newPushDevice('https://push.example.net/x').subscription;
    for (const body of [
      {},
      { endpoint: good.endpoint },
      { ...good, endpoint: 'not a url' },
      { ...good, endpoint: 'http://push.example.net/x' },
      { ...good, endpoint: 'https://127.0.0.1/x' },
      { ...good, endpoint: 'https://[::1]/x' },
      { ...good, endpoint: 'https://10.0.0.5/x' },
      { ...good, keys: { ...good.keys, p256dh: 'short' } },
      { ...good, keys: { ...good.keys, auth: `${good.keys.auth}AAAA` } },
      { ...good, keys: { ...good.keys, p256dh: `${good.keys.p256dh.slice(0, -1)}+` } },
      { ...good, extra: 1 },
    ]) {
      const res = await t.anon.raw('POST', path, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.anon.raw('POST', '/api/v1/blogs/nope/push-subscriptions', { body: good })).status).toBe(404);
    expect(await s.app.deps.store.outward.countPushSubscriptions(t.blog.id)).toBe(0);
  });

  it('bounds the subscriptions of a blog (409) and the subscriptions per address and minute (429)', async () => {
    const s = await startServer({ ...FAST, RATE_PUSH_SUBSCRIBE_PER_MIN: '3', PUSH_MAX_SUBSCRIPTIONS_PER_BLOG: '2' });
    const t = await setupBlog(s.url, s.adminToken);
    const service = await startPushService();
    const path = `/api/v1/blogs/${t.blog.id}/push-subscriptions`;
    const statuses = [];
    for (const i of [1, 2, 3, 4]) {
      const d = newPushDevice(`${service.url}/push/${i}`);
      statuses.push((await t.anon.raw('POST', path, { body: d.subscription })).status);
    }
    expect(statuses).toEqual([201, 201, 409, 429]);
    expect(await s.app.deps.store.outward.countPushSubscriptions(t.blog.id)).toBe(2);
  });
});

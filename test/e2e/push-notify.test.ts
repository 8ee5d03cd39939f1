import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { newPushDevice, startPushService } from '../helpers/push-service.js';
import { startServer } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';
import { launchBrowser, watchPage } from './browser.js';
import { ensureClientBuilt } from './support.js';

/**
 * "Notify me of key events" in a real Chromium. Headless Chromium has no push service to
 * reach offline, so PushManager.subscribe is the one thing stubbed: it hands the page a
 * subscription whose endpoint is our loopback push service and whose keys belong to a device
 * the test holds. Everything else is real: the button and its script, the permission, the
 * service worker registration, the VAPID key fetch, the POST to the server, the server's
 * encrypted push, and the service worker showing the notification for a push message
 * (delivered through the DevTools protocol, as a push service would).
 */
describe('push notifications on the public page', () => {
  it('the button registers the service worker and subscribes; a key event comes back as a notification', async () => {
    ensureClientBuilt();
    // A fixed port: without PUBLIC_URL, links in notifications name http://localhost:PORT.
    const server = await startServer({
      PORT: String(await freePort()),
      OUTBOUND_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_MS: '50',
      OUTBOUND_TIMEOUT_MS: '2000',
    });
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Storm watch' });
    await admin.createPost(blog.id, { blocks: [text('<p>Winds pick up.</p>')] });
    const service = await startPushService();
    const device = newPushDevice(`${service.url}/push/browser`);

    const browser = await launchBrowser();
    const context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin: server.url });
    const page = await context.newPage();
    const { errors } = await watchPage(page);
    await page.addInitScript((subscription) => {
      const calls: unknown[] = [];
      (window as unknown as { __subscribeCalls: unknown[] }).__subscribeCalls = calls;
      const fake = { endpoint: subscription.endpoint, toJSON: () => ({ ...subscription, expirationTime: null }) };
      PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
        const key = options?.applicationServerKey;
        calls.push({
          userVisibleOnly: options?.userVisibleOnly,
          key: key instanceof Uint8Array ? Array.from(key) : null,
        });
        return fake as unknown as PushSubscription;
      };
      PushManager.prototype.getSubscription = async () => null;
    }, device.subscription);

    await page.goto(`${server.url}/live/${blog.slug}`);
    const button = page.getByRole('button', { name: 'Notify me of key events' });
    await button.waitFor({ state: 'visible' });
    await button.click();
    await page.locator('[data-lb-push-state="subscribed"]').waitFor();
    expect(await page.locator('[data-lb-push-status]').textContent()).toBe('You will be notified of key events.');

    // The page asked with our VAPID key, and the subscription reached the server.
    const { publicKey } = (await (await fetch(`${server.url}/push/vapid-public-key`)).json()) as { publicKey: string };
    const calls = (await page.evaluate(
      () => (window as unknown as { __subscribeCalls: unknown[] }).__subscribeCalls,
    )) as {
      userVisibleOnly: boolean;
      key: number[];
    }[];
    expect(calls).toHaveLength(1);
    expect(calls[0]?.userVisibleOnly).toBe(true);
    expect(Buffer.from(calls[0]?.key ?? []).toString('base64url')).toBe(publicKey);
    expect(await server.app.deps.store.outward.countPushSubscriptions(blog.id)).toBe(1);
    const worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/live/');
      return { scope: reg?.scope, script: reg?.active?.scriptURL };
    });
    expect(worker).toEqual({ scope: `${server.url}/live/`, script: `${server.url}/push-sw.js` });

    // A key event: the server pushes it, encrypted for the device.
    const key = await admin.createPost(blog.id, { blocks: [text('<p>The levee has failed.</p>')], keyEvent: true });
    await waitFor(() => service.received.length >= 1, { what: 'the push' });
    const payload = device.decrypt(service.received[0]!.raw);
    expect(JSON.parse(payload)).toMatchObject({
      title: 'Storm watch',
      body: 'The levee has failed.',
      url: `http://localhost:${server.port}/live/${blog.slug}#post-${key.id}`,
    });

    // What the push service would hand the browser: the service worker shows it.
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        const reg = e.registrations.find((r) => r.scopeURL === `${server.url}/live/` && !r.isDeleted);
        if (reg) resolve(reg.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: server.url,
      registrationId: await registrationId,
      data: payload,
    });
    const shown = await waitFor(
      () =>
        page.evaluate(async () => {
          const reg = await navigator.serviceWorker.getRegistration('/live/');
          const list = (await reg?.getNotifications()) ?? [];
          return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag }))[0] ?? null;
        }),
      { what: 'the notification' },
    );
    expect(shown).toEqual({ title: 'Storm watch', body: 'The levee has failed.', tag: `post-${key.id}` });
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

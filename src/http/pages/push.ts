import { esc } from './html.js';

/**
 * The public page's "Notify me of key events" button, its script (/push.js) and the service
 * worker that shows the notifications (/push-sw.js, registered with scope /live/). Plain
 * scripts, small enough to keep here; the page only adds the markup and a script tag.
 */

/** The markup under the page body: hidden until the script finds push support. */
export function pushButton(blogId: string): string {
  return `<div class="lb-push" data-lb-push data-blog-id="${esc(blogId)}" hidden>
<button type="button" class="lb-push-button">Notify me of key events</button>
<span class="lb-push-status" data-lb-push-status role="status"></span>
</div>
<script defer src="/push.js"></script>`;
}

export const PUSH_SCRIPT = `(() => {
  'use strict';
  const box = document.querySelector('[data-lb-push]');
  if (!box || !('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return;
  const button = box.querySelector('button');
  const status = box.querySelector('[data-lb-push-status]');
  const blogId = box.getAttribute('data-blog-id');
  const say = (text) => { status.textContent = text; };
  const key = (b64) => {
    const s = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
  };
  box.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') throw new Error('notifications are blocked in this browser');
      const registration = await navigator.serviceWorker.register('/push-sw.js', { scope: '/live/' });
      await navigator.serviceWorker.ready;
      const res = await fetch('/push/vapid-public-key');
      if (!res.ok) throw new Error('the server has no push key (' + res.status + ')');
      const { publicKey } = await res.json();
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(publicKey) }));
      const saved = await fetch('/api/v1/blogs/' + encodeURIComponent(blogId) + '/push-subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!saved.ok) throw new Error('the server refused the subscription (' + saved.status + ')');
      box.setAttribute('data-lb-push-state', 'subscribed');
      say('You will be notified of key events.');
    } catch (err) {
      box.setAttribute('data-lb-push-state', 'failed');
      say('Could not turn on notifications: ' + (err && err.message ? err.message : err));
      button.disabled = false;
    }
  });
})();
`;

export const PUSH_SERVICE_WORKER = `'use strict';
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'Key event', {
      body: data.body || '',
      tag: data.tag,
      data: { url: data.url },
    }),
  );
});
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (url) event.waitUntil(self.clients.openWindow(url));
});
`;

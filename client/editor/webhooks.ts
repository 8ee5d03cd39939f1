import type { EditorApi } from './api.js';
import { h } from './dom.js';

/** How often an open editor re-checks the blog's webhook endpoints. */
const REFRESH_MS = 60_000;

/**
 * A notice for owners listing the blog's webhook endpoints that were disabled (after failing
 * for a day, or a 410 Gone), each with the reason and a button that turns it back on. Empty
 * and hidden while every endpoint is fine. Checked on load and every minute.
 */
export function disabledWebhooksNotice(api: EditorApi, blogId: string): { el: HTMLElement; destroy(): void } {
  const el = h('section', { class: 'panel notice', role: 'alert', 'data-webhooks-disabled': '', hidden: true });
  let stopped = false;
  const refresh = async () => {
    let hooks: Awaited<ReturnType<EditorApi['listWebhooks']>>['webhooks'];
    try {
      hooks = (await api.listWebhooks(blogId)).webhooks;
    } catch {
      return; // not an owner, or offline: nothing to say
    }
    if (stopped) return;
    const disabled = hooks.filter((w) => !w.enabled && w.disabledReason);
    el.replaceChildren();
    el.hidden = disabled.length === 0;
    if (disabled.length === 0) return;
    el.append(
      h('h2', {}, disabled.length === 1 ? 'A webhook endpoint is disabled' : 'Webhook endpoints are disabled'),
      h(
        'ul',
        {},
        ...disabled.map((w) =>
          h(
            'li',
            { 'data-webhook-id': w.id },
            h('code', {}, w.url),
            ` — ${w.disabledReason}. `,
            h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  void api
                    .enableWebhook(blogId, w.id)
                    .then(refresh)
                    .catch(() => undefined);
                },
              },
              'Re-enable',
            ),
          ),
        ),
      ),
    );
  };
  void refresh();
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  return {
    el,
    destroy: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

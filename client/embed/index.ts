import { createReaderClient, type ReaderView } from '../reader/index.js';
import { LiveblogWidget } from './widget.js';

/**
 * The embed script: `<div data-liveblog="SLUG"></div><script async src="ORIGIN/embed.js">`.
 * It learns the server's origin from its own URL, then turns every [data-liveblog] element
 * (now and later) into a live widget in an open shadow root.
 */
const script = document.currentScript as HTMLScriptElement | null;

function serverOrigin(): string {
  // currentScript is set while an async classic script runs; the fallback covers odd loaders.
  const src = script?.src || document.querySelector<HTMLScriptElement>('script[src*="/embed.js"]')?.src;
  return src ? new URL(src, location.href).origin : location.origin;
}

const origin = serverOrigin();
const mounted = new WeakMap<Element, LiveblogWidget>();

/**
 * The view a placeholder asks for: `data-liveblog-tag="goals"`, `data-liveblog-key-events`
 * (present, or "true"), `data-liveblog-order="oldest"`. Without an order, the blog's own.
 */
export function viewFromAttributes(el: HTMLElement): Partial<ReaderView> {
  const view: Partial<ReaderView> = {};
  const tag = el.dataset.liveblogTag?.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  if (tag) view.tag = tag;
  const key = el.dataset.liveblogKeyEvents;
  if (key !== undefined && key !== 'false') view.keyEvents = true;
  const order = el.dataset.liveblogOrder;
  if (order === 'newest' || order === 'oldest') view.order = order;
  return view;
}

function mount(el: HTMLElement): void {
  const blog = el.dataset.liveblog?.trim();
  if (!blog || mounted.has(el)) return;
  const widget = new LiveblogWidget(
    el,
    (view) => createReaderClient({ baseUrl: origin, blog, view, site: location.origin }),
    viewFromAttributes(el),
    origin,
  );
  mounted.set(el, widget);
}

function scan(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-liveblog]')) mount(el);
}

/**
 * Single-page partner sites replace the placeholder on navigation: a widget whose element
 * left the document closes its connection, timer and listeners. An element merely moved
 * is back in the document by the time the observer runs and keeps its widget.
 */
function unmountRemoved(node: HTMLElement): void {
  const els = node.matches('[data-liveblog]') ? [node] : [];
  els.push(...node.querySelectorAll<HTMLElement>('[data-liveblog]'));
  for (const el of els) {
    const widget = mounted.get(el);
    if (!widget || el.isConnected) continue;
    widget.destroy();
    mounted.delete(el);
  }
}

function start(): void {
  scan(document);
  // Partner pages that render the placeholder late (client-side apps) still get a widget.
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.removedNodes) if (n instanceof HTMLElement) unmountRemoved(n);
      for (const n of r.addedNodes) {
        if (!(n instanceof HTMLElement)) continue;
        if (n.matches('[data-liveblog]')) mount(n);
        scan(n);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();

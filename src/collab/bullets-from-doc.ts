import * as Y from 'yjs';
import type { Bullet } from '../domain/index.js';
import { escapeHtml, isSafeLinkHref } from '../domain/sanitize.js';

/**
 * Turns the collaborative `summary` fragment (TipTap StarterKit shape:
 * bulletList > listItem > paragraph > text) into readers' bullets. Pure: reads the fragment,
 * never writes it. Everything is escaped; only <strong>, <em> and <a> with http(s)/mailto
 * hrefs are produced, so the output needs no further sanitising.
 */
export function bulletsFromDoc(fragment: Y.XmlFragment): Bullet[] {
  const bullets: Bullet[] = [];
  for (const child of fragment.toArray()) {
    if (child instanceof Y.XmlElement && child.nodeName === 'bulletList') renderList(child, bullets, 0);
  }
  return bullets;
}

/**
 * Nesting past this is not rendered. An editor can nest elements thousands deep in one small
 * update; unbounded recursion would overflow the stack on every render (and every load).
 */
const MAX_DEPTH = 32;

function renderList(list: Y.XmlElement, out: Bullet[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  for (const item of list.toArray()) {
    if (!(item instanceof Y.XmlElement) || item.nodeName !== 'listItem') continue;
    const parts: Bullet[] = [];
    const nested: Y.XmlElement[] = [];
    for (const block of item.toArray()) {
      if (!(block instanceof Y.XmlElement)) continue;
      if (block.nodeName === 'paragraph') {
        const p = renderInline(block, 0);
        // An empty paragraph (what an editor leaves after pressing Enter) is no bullet.
        if (p.text.trim() !== '') parts.push(p);
      } else if (block.nodeName === 'bulletList') {
        nested.push(block);
      }
    }
    if (parts.length > 0) {
      out.push({ html: parts.map((p) => p.html).join('<br>'), text: parts.map((p) => p.text.trim()).join(' ') });
    }
    // Sub-bullets follow their parent as bullets of their own: readers get a flat list.
    for (const sub of nested) renderList(sub, out, depth + 1);
  }
}

function renderInline(paragraph: Y.XmlElement, depth: number): Bullet {
  let html = '';
  let text = '';
  if (depth > MAX_DEPTH) return { html, text };
  for (const node of paragraph.toArray()) {
    if (node instanceof Y.XmlText) {
      for (const op of node.toDelta() as DeltaOp[]) {
        if (typeof op.insert !== 'string') continue;
        text += op.insert;
        html += markUp(op.insert, op.attributes ?? {});
      }
    } else if (node instanceof Y.XmlElement && node.nodeName === 'hardBreak') {
      text += ' ';
      html += '<br>';
    } else if (node instanceof Y.XmlElement) {
      // Unknown inline node: keep its words, drop its structure.
      const inner = renderInline(node, depth + 1);
      text += inner.text;
      html += inner.html;
    }
  }
  return { html, text };
}

interface DeltaOp {
  insert: unknown;
  attributes?: Record<string, unknown>;
}

function markUp(raw: string, attrs: Record<string, unknown>): string {
  let html = escapeHtml(raw);
  if (attrs.italic) html = `<em>${html}</em>`;
  if (attrs.bold) html = `<strong>${html}</strong>`;
  const href = safeHref(attrs.link);
  if (href) html = `<a href="${escapeHtml(href)}" rel="noopener noreferrer nofollow">${html}</a>`;
  return html;
}

/**
 * The link mark's href when the domain's one link rule (`isSafeLinkHref`, shared with post
 * HTML) accepts it, normalised; null otherwise.
 */
export function safeHref(link: unknown): string | null {
  if (!link || typeof link !== 'object') return null;
  const href = (link as { href?: unknown }).href;
  if (typeof href !== 'string' || href.length > 2048 || !isSafeLinkHref(href)) return null;
  return new URL(href.trim()).href;
}

import type { Blog, OEmbedQuery, OEmbedRich } from '../../domain/index.js';
import { esc } from './html.js';

export const OEMBED_DEFAULT = { width: 600, height: 800 };

/**
 * The blog slug (or id) a URL names, when it is one of this server's public page or embed
 * URLs; null for any other URL (another host, another path). Throws on a malformed URL.
 */
export function slugFromUrl(raw: string, base: string): string | null {
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('not an http(s) URL');
  if (u.origin !== new URL(base).origin) return null;
  const m = /^\/(?:live|embed)\/([A-Za-z0-9_-]{1,80})\/?$/.exec(u.pathname);
  return m?.[1] ?? null;
}

/** oEmbed 1.0 `rich` response: an iframe of /embed/:slug sized within the consumer's limits. */
export function oembedResponse(blog: Blog, base: string, q: Pick<OEmbedQuery, 'maxwidth' | 'maxheight'>): OEmbedRich {
  // The spec says the consumer's maximums must never be exceeded, even below a comfortable size.
  const width = Math.min(OEMBED_DEFAULT.width, q.maxwidth ?? OEMBED_DEFAULT.width);
  const height = Math.min(OEMBED_DEFAULT.height, q.maxheight ?? OEMBED_DEFAULT.height);
  const src = `${base}/embed/${encodeURIComponent(blog.slug)}`;
  return {
    version: '1.0',
    type: 'rich',
    title: blog.title,
    provider_name: 'Liveblog',
    provider_url: base,
    width,
    height,
    cache_age: 300,
    html:
      `<iframe src="${esc(src)}" width="${width}" height="${height}" title="${esc(blog.title)}" ` +
      'style="border:0;max-width:100%" loading="lazy" allow="fullscreen"></iframe>',
  };
}

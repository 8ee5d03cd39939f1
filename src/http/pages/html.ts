import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { escapeHtml } from '../../domain/sanitize.js';

/** Escapes text for HTML text nodes and double-quoted attributes. */
export const esc = escapeHtml;

/** Third-party players the server-generated embed markup may frame. */
export const EMBED_FRAME_SOURCES = [
  'https://www.youtube-nocookie.com',
  'https://platform.twitter.com',
  'https://syndication.twitter.com',
  'https://www.facebook.com',
  'https://www.instagram.com',
];

/**
 * The policy every page gets. The widget and the editor load only same-origin scripts,
 * talk to the same origin over HTTP and WebSocket, and style through <style> elements
 * (shadow roots, TipTap), hence 'unsafe-inline' for styles but never for scripts.
 */
export function pageCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self' ws: wss:",
    "img-src 'self' https: data:",
    `frame-src ${EMBED_FRAME_SOURCES.join(' ')}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

/**
 * The absolute base URL links and feeds use: PUBLIC_URL when configured, else the origin
 * the request reached (so a server on an ephemeral port still links to itself).
 */
export function baseUrl(c: Context, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return new URL(c.req.url).origin;
}

/** A weak validator of the exact bytes sent: cheap, and correct across nodes. */
export function etagOf(body: string | Uint8Array): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** True when the request's If-None-Match already names this ETag (answer 304). */
export function isFresh(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === etag.slice(2) || `W/${tag}` === etag;
  });
}

/** Sends a cacheable text body with ETag, answering 304 when the client already has it. */
export function sendCached(
  c: Context,
  body: string,
  opts: { type: string; cacheControl: string; status?: 200 | 404; headers?: Record<string, string> },
): Response {
  const etag = etagOf(body);
  const headers: Record<string, string> = {
    'content-type': opts.type,
    'cache-control': opts.cacheControl,
    etag,
    ...opts.headers,
  };
  if ((opts.status ?? 200) === 200 && isFresh(c, etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: opts.status ?? 200, headers });
}

/** The document shell shared by every page. `head` and `body` are trusted markup built here. */
export function layout(opts: {
  title: string;
  lang?: string;
  dir?: 'ltr' | 'rtl';
  head?: string;
  body: string;
}): string {
  return `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}"${opts.dir === 'rtl' ? ' dir="rtl"' : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
${opts.head ?? ''}
</head>
<body>
${opts.body}
</body>
</html>
`;
}

/** JSON for a <script type="application/ld+json"> block: no sequence can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

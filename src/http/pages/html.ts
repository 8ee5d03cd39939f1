import type { Context } from 'hono';
import { DomainError } from '../../domain/index.js';
import { escapeHtml } from '../../domain/sanitize.js';
import { isLoopbackHost } from '../../lib/hosts.js';
import { etagOf, matchesIfNoneMatch } from '../etag.js';

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

/** Our own origin's WebSocket form (ws://host:port or wss://host:port) for connect-src. */
export function socketOrigin(base: string): string {
  const u = new URL(base);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
}

/**
 * The policy every page gets. The widget and the editor load only same-origin scripts,
 * talk to the same origin over HTTP and WebSocket, and style through <style> elements
 * (shadow roots, TipTap), hence 'unsafe-inline' for styles but never for scripts.
 * Sockets may reach our own origin only (`base`, when trusted, is named explicitly because
 * older browsers do not let 'self' cover ws:/wss:); never `ws: wss:`, which is any host.
 */
export function pageCsp(frameAncestors: string, base: string | null): string {
  const connect = base ? `connect-src 'self' ${socketOrigin(base)}` : "connect-src 'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    connect,
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
 * The request named a host we may not put into links: without PUBLIC_URL only loopback names
 * are believed. The pages app answers it with 421 Misdirected Request.
 */
export function untrustedHost(): DomainError {
  // The host itself is not repeated: it is whatever the client sent.
  return new DomainError(
    'misdirected',
    'this server has no PUBLIC_URL configured: its public pages answer only under localhost',
  );
}

/**
 * The absolute base URL canonical links, og:url, feeds and oEmbed use: PUBLIC_URL when
 * configured (the Host header is then ignored). Without it, the origin the request reached,
 * but only when that is a loopback name (development, tests on ephemeral ports): the Host
 * header and an absolute-form request target are client-chosen, and a page cached publicly
 * with `evil.example` in its canonical link would send readers and crawlers there.
 */
export function baseUrl(c: Context, publicUrl: string | undefined): string {
  const base = trustedBase(c, publicUrl);
  if (base === null) throw untrustedHost();
  return base;
}

/** baseUrl, or null instead of throwing (for pages that can do without absolute links). */
export function trustedBase(c: Context, publicUrl: string | undefined): string | null {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  // The URL is built from the Host header: it may not even parse (`Host: .0`).
  let url: URL;
  try {
    url = new URL(c.req.url);
  } catch {
    return null;
  }
  return isLoopbackHost(url.hostname) ? url.origin : null;
}

/** True when the request's If-None-Match already names this ETag (answer 304). */
export function isFresh(c: Context, etag: string): boolean {
  return matchesIfNoneMatch(c.req.header('if-none-match'), etag);
}

/** Sends a cacheable text body with ETag, answering 304 when the client already has it. */
export function sendCached(
  c: Context,
  body: string,
  opts: { type: string; cacheControl: string; status?: 200 | 404; headers?: Record<string, string> },
): Response {
  const etag = etagOf(body, { weak: true });
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
export function layout(opts: { title: string; lang?: string; head?: string; body: string }): string {
  return `<!doctype html>
<html lang="${esc(opts.lang ?? 'en')}">
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

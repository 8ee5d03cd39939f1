import { createHash } from 'node:crypto';

/**
 * The one ETag rule. Hashed synchronously (webcrypto's async digest costs a thread-pool hop
 * per request). Strong for JSON bodies cached under the blog's seq; weak for pages and
 * assets, which a proxy may re-encode (the validator still names the exact bytes we sent).
 */
export function etagOf(body: string | Uint8Array, opts: { weak?: boolean } = {}): string {
  const tag = `"${createHash('sha1').update(body).digest('base64url')}"`;
  return opts.weak ? `W/${tag}` : tag;
}

/** True when an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare;
  });
}

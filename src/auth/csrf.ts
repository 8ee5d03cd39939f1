import { createHmac, timingSafeEqual } from 'node:crypto';
import { isLoopbackUrl } from '../config.js';

/**
 * The rules for the one cookie we set (the editor page's sign-in session) and for the writes
 * it authenticates (renewing the access token, signing out). The cookie alone never suffices:
 * such a request must also come from our own origin and carry a token only our page can read.
 */

/** `__Host-` makes browsers refuse the cookie unless Secure, Path=/ and no Domain. */
export function sessionCookieName(publicUrl: string): string {
  return cookieIsSecure(publicUrl) ? '__Host-liveblog_session' : 'liveblog_session';
}

/** Secure everywhere except a developer's plain-http localhost. */
export function cookieIsSecure(publicUrl: string): boolean {
  return publicUrl.startsWith('https:') || !isLoopbackUrl(publicUrl);
}

export function sessionCookieOptions(publicUrl: string, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    secure: cookieIsSecure(publicUrl),
    sameSite: 'Strict' as const,
    path: '/',
    maxAge: maxAgeSeconds,
  };
}

/** The CSRF token for a session: an HMAC of its id, so nothing extra is stored. */
export function csrfTokenFor(key: string, sessionId: string): string {
  return createHmac('sha256', key).update(`csrf\n${sessionId}`).digest('base64url');
}

export function csrfTokenMatches(key: string, sessionId: string, presented: string | undefined): boolean {
  if (!presented || presented.length > 100) return false;
  const want = Buffer.from(csrfTokenFor(key, sessionId));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * True when the browser says the request comes from our own origin: `Origin` equal to
 * PUBLIC_URL's origin or to the origin the request was addressed to (a browser on another
 * site cannot make those differ from its own), or (older browsers omit Origin on same-origin
 * requests) no Origin and `Sec-Fetch-Site: same-origin`. Anything else is refused.
 */
export function fromOwnOrigin(
  publicUrl: string,
  origin: string | undefined,
  secFetchSite: string | undefined,
  requestOrigin?: string,
): boolean {
  if (origin !== undefined) return origin === new URL(publicUrl).origin || origin === requestOrigin;
  return secFetchSite === 'same-origin';
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A session's access token: `s1~<session id>~<expiry, epoch s>~<HMAC>`. Signed rather than
 * stored, so each browser tab holds its own and renewing one never invalidates another; the
 * session row is still read on every use, so signing out or deactivation ends it at once.
 * `~` keeps it from ever looking like a JWT (dots) or an opaque token (no separator).
 */
const PREFIX = 's1~';

export function signAccessToken(key: string, sessionId: string, expiresAtMs: number): string {
  const body = `${PREFIX}${sessionId}~${Math.floor(expiresAtMs / 1000)}`;
  return `${body}~${mac(key, body)}`;
}

export function isAccessToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** The session id, or null when the token is malformed, forged or expired. */
export function verifyAccessToken(
  key: string,
  token: string,
  nowMs: number,
): { sessionId: string; expiresAtMs: number } | null {
  const m = /^s1~([A-Za-z0-9_-]{1,64})~(\d{1,12})~([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m?.[1] || !m[2] || !m[3]) return null;
  const body = `${PREFIX}${m[1]}~${m[2]}`;
  const want = Buffer.from(mac(key, body));
  const got = Buffer.from(m[3]);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  const expiresAtMs = Number(m[2]) * 1000;
  if (expiresAtMs <= nowMs) return null;
  return { sessionId: m[1], expiresAtMs };
}

function mac(key: string, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}

import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Time-ordered ids: 9 base36 chars of milliseconds then 12 random chars, so ids sort
 * roughly by creation and never collide across nodes.
 */
export function newId(now = Date.now()): string {
  const time = now.toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return time + rand;
}

/** A bearer token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as this hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

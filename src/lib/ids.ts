import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Time-ordered ids: 9 base36 chars of milliseconds then 12 random chars, so ids sort
 * roughly by creation and never collide across nodes. Ids made now by this process sort
 * strictly in the order they were made (a counter leads the random part within one
 * millisecond), so "newest first by id" holds for rows one node writes in quick succession.
 * An explicit `now` (backdated demo content) takes that time as given.
 */
let lastMs = 0;
let inMs = 0;
export function newId(now?: number): string {
  let ms = now ?? Date.now();
  let counter = '';
  if (now === undefined) {
    if (ms <= lastMs) {
      ms = lastMs;
      inMs += 1;
      if (inMs >= 36 * 36) {
        ms = lastMs + 1;
        inMs = 0;
      }
    } else {
      inMs = 0;
    }
    lastMs = ms;
    counter = inMs.toString(36).padStart(2, '0');
  }
  const time = ms.toString(36).padStart(9, '0');
  const bytes = randomBytes(12 - counter.length);
  let rand = counter;
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

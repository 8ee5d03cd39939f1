import { createHash } from 'node:crypto';

/**
 * Content-addressed keys: `<sha256 of the bytes, hex>.<ext>`. The key is derived from what is
 * stored, so the same variant made on two nodes lands on the same key once, URLs can be cached
 * as immutable, and the hash doubles as a strong ETag.
 */
export const MEDIA_TYPES = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
} as const;
export type MediaExt = keyof typeof MEDIA_TYPES;

const KEY = /^([0-9a-f]{64})\.(jpeg|png|webp|avif|gif)$/;

export function contentKey(bytes: Buffer, ext: MediaExt): string {
  return `${createHash('sha256').update(bytes).digest('hex')}.${ext}`;
}

/** The parts of a well-formed key, or null: anything else (paths, dots, other types) is refused. */
export function parseKey(key: string): { hash: string; ext: MediaExt; contentType: string } | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const ext = m[2] as MediaExt;
  return { hash: m[1]!, ext, contentType: MEDIA_TYPES[ext] };
}

export function assertKey(key: string): void {
  if (!parseKey(key)) throw new Error(`not a media key: ${JSON.stringify(key.slice(0, 100))}`);
}

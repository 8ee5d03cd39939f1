import type { Sharp } from 'sharp';
import { rgbaToThumbHash, thumbHashToAverageRGBA, thumbHashToDataURL } from 'thumbhash';

export interface Placeholder {
  /** ThumbHash (about 25 bytes) in base64: decoded to a blurred preview by pages and clients. */
  thumbhash: string;
  /** The image's average colour, `#rrggbb`: the cheapest placeholder of all. */
  color: string;
}

const hex = (v: number) =>
  Math.round(Math.min(1, Math.max(0, v)) * 255)
    .toString(16)
    .padStart(2, '0');

/**
 * A ThumbHash of an already decoded, oriented sRGB image. ThumbHash wants at most 100×100
 * RGBA pixels; the shrink runs in sharp (libuv's pool), the hash itself is a few thousand
 * multiplications on the main thread.
 */
export async function makePlaceholder(image: Sharp): Promise<Placeholder> {
  const { data, info } = await image
    .clone()
    .resize({ width: 100, height: 100, fit: 'inside' })
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const hash = rgbaToThumbHash(info.width, info.height, data);
  const avg = thumbHashToAverageRGBA(hash);
  return { thumbhash: Buffer.from(hash).toString('base64'), color: `#${hex(avg.r)}${hex(avg.g)}${hex(avg.b)}` };
}

/** A small PNG data URL rendered from a ThumbHash (for server-rendered pages), or null if malformed. */
export function placeholderDataUrl(thumbhash: string): string | null {
  try {
    return thumbHashToDataURL(Buffer.from(thumbhash, 'base64'));
  } catch {
    return null;
  }
}

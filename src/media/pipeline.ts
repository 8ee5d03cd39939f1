import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { DomainError } from '../domain/errors.js';
import { detectType, type SourceType } from './detect.js';
import { contentKey, MEDIA_TYPES, type MediaExt } from './keys.js';
import { makePlaceholder, type Placeholder } from './placeholder.js';

// One libvips thread per operation: uploads are bounded by the Limiter, and on a small
// machine the event loop's core must stay free for readers. No operation cache: each upload
// is decoded once and its buffers should be released as soon as it is done.
sharp.concurrency(1);
sharp.cache(false);

/** Variant widths (CSS pixels at 1x): never upscaled; a narrower original gets its own width. */
export const VARIANT_WIDTHS = [320, 640, 1280, 2048] as const;
/** Smallest first: the `<picture>` lists AVIF, then WebP, then JPEG as the fallback `<img>`. */
export const VARIANT_FORMATS = ['avif', 'webp', 'jpeg'] as const satisfies readonly MediaExt[];
/** Tall images are bounded too, so a 2048 × 40000 strip cannot hold hundreds of MB of pixels. */
const MAX_HEIGHT = 8192;

export interface PipelineLimits {
  /** Images whose header declares more pixels than this are refused before decoding. */
  maxPixels: number;
}

export interface EncodedVariant {
  key: string;
  ext: MediaExt;
  contentType: string;
  width: number;
  height: number;
  bytes: Buffer;
}

export interface ProcessedImage {
  source: { type: SourceType; width: number; height: number; bytes: number };
  /** Of the largest variant (its aspect ratio is the image's, orientation applied). */
  width: number;
  height: number;
  variants: EncodedVariant[];
  placeholder: Placeholder;
}

const refused = (message: string) => new DomainError('unsupported_media_type', message, [{ path: 'file', message }]);
const corrupt = (message: string) => new DomainError('validation_failed', message, [{ path: 'file', message }]);
const tooLarge = (message: string) => new DomainError('payload_too_large', message, [{ path: 'file', message }]);

/** What sharp calls each accepted source format (AVIF is a HEIF container with AV1 inside). */
const SHARP_FORMAT: Record<SourceType, string> = { jpeg: 'jpeg', png: 'png', webp: 'webp', avif: 'heif', gif: 'gif' };

function decoder(input: Buffer, limits: PipelineLimits): Sharp {
  return sharp(input, {
    // libvips checks this against the header before allocating anything.
    limitInputPixels: limits.maxPixels,
    // A truncated or corrupt file is refused rather than half-decoded into grey.
    failOn: 'truncated',
    // Animated GIF/WebP: the first frame only (variants are still images).
    animated: false,
  });
}

/**
 * Upload → safe variants. The type comes from the bytes; the header is checked (format,
 * pixel count) before any decoding; the image is decoded once, oriented (EXIF orientation
 * applied, then dropped), converted to sRGB and shrunk to the largest variant, and every
 * variant is encoded afresh from those pixels. Nothing of the uploaded file survives but its
 * pixels: no EXIF, XMP, IPTC or GPS, no ICC profile other than sRGB, no trailing bytes
 * (a polyglot's HTML or ZIP part), no second frame.
 *
 * All pixel work runs in libvips on libuv's thread pool; the main thread only orchestrates.
 */
export async function processImage(input: Buffer, limits: PipelineLimits): Promise<ProcessedImage> {
  if (input.length === 0) throw corrupt('the file is empty');
  const detected = detectType(input);
  if (!detected.ok) throw refused(detected.reason);
  const type = detected.type;

  let meta: Metadata;
  try {
    meta = await decoder(input, { maxPixels: Number.MAX_SAFE_INTEGER }).metadata();
  } catch {
    throw corrupt(`the ${type.toUpperCase()} file is corrupt or truncated`);
  }
  if (meta.format !== SHARP_FORMAT[type] || (type === 'avif' && meta.compression !== 'av1')) {
    throw refused(`the file starts like a ${type.toUpperCase()} but is not one`);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w < 1 || h < 1) throw refused('the image has no pixels');
  if (w * h > limits.maxPixels) {
    throw tooLarge(
      `the image is ${w} × ${h} pixels; at most ${limits.maxPixels.toLocaleString('en')} pixels are accepted`,
    );
  }

  let base: { data: Buffer; info: OutputInfo };
  try {
    base = await decoder(input, limits)
      .autoOrient()
      .resize({ width: VARIANT_WIDTHS.at(-1), height: MAX_HEIGHT, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw corrupt(`the ${type.toUpperCase()} file is corrupt or truncated`);
  }
  const { width, height, channels } = base.info;
  const pixels = () => sharp(base.data, { raw: { width, height, channels } });

  const widths = [...VARIANT_WIDTHS.filter((v) => v < width), width];
  const variants: EncodedVariant[] = [];
  // One encode at a time per upload: the Limiter decides how many uploads run side by side.
  for (const vw of widths) {
    const resized = vw === width ? pixels() : pixels().resize({ width: vw });
    for (const ext of VARIANT_FORMATS) {
      const { data, info } = await encode(resized.clone(), ext, channels === 4).toBuffer({ resolveWithObject: true });
      variants.push({
        key: contentKey(data, ext),
        ext,
        contentType: MEDIA_TYPES[ext],
        width: info.width,
        height: info.height,
        bytes: data,
      });
    }
  }
  const placeholder = await makePlaceholder(pixels());
  return { source: { type, width: w, height: h, bytes: input.length }, width, height, variants, placeholder };
}

function encode(img: Sharp, ext: (typeof VARIANT_FORMATS)[number], alpha: boolean): Sharp {
  switch (ext) {
    case 'avif':
      // effort 2 of 9: AVIF's default effort costs seconds per photo on a small machine.
      return img.avif({ quality: 50, effort: 2 });
    case 'webp':
      return img.webp({ quality: 78, effort: 4 });
    case 'jpeg':
      // JPEG has no alpha: transparent pixels become white rather than black.
      return (alpha ? img.flatten({ background: '#ffffff' }) : img).jpeg({
        quality: 80,
        progressive: true,
        mozjpeg: true,
      });
  }
}

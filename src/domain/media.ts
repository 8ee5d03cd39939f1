import { z } from 'zod';
import { HttpUrl, Id, QueryInt, Timestamp } from './common.js';

/**
 * Uploaded photos ("media"). An upload is decoded and re-encoded into variants (several
 * widths × AVIF, WebP, JPEG); the file as uploaded is never kept nor served. A variant is
 * an immutable object named by the hash of its bytes (src/media/keys.ts).
 */
export const MediaMimeType = z.enum(['image/avif', 'image/webp', 'image/jpeg']);
export type MediaMimeType = z.infer<typeof MediaMimeType>;

/** Accepted upload types, decided by the file's bytes. */
export const MediaSourceType = z.enum(['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif']);
export type MediaSourceType = z.infer<typeof MediaSourceType>;

/** A content-addressed object key: sha-256 of the bytes in hex, then the format. */
export const MediaKey = z.string().regex(/^[0-9a-f]{64}\.(?:avif|webp|jpeg)$/, 'must be a media object key');

export const MediaVariant = z.object({
  url: HttpUrl,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  type: MediaMimeType,
});
export type MediaVariant = z.infer<typeof MediaVariant>;

/** ThumbHash bytes in base64 (a blurred preview, decoded by clients). */
export const Thumbhash = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

const plainText = (max: number) => z.string().trim().max(max);

/** The API resource. `url` is the largest JPEG (every browser shows it); width/height are its size. */
export const Media = z.object({
  id: Id,
  blogId: Id,
  url: HttpUrl,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  type: MediaMimeType,
  /** What was uploaded (decided by its bytes), and its size in pixels. */
  source: z.object({ type: MediaSourceType, width: z.number().int().positive(), height: z.number().int().positive() }),
  /** Largest first within each type: AVIF, then WebP, then JPEG. */
  variants: z.array(MediaVariant),
  placeholder: Thumbhash,
  /** Average colour `#rrggbb`, shown before even the placeholder is decoded. */
  color: z.string().regex(/^#[0-9a-f]{6}$/),
  /** Empty until someone describes the image; a post using it cannot be published without it. */
  alt: z.string(),
  caption: z.string().nullable(),
  credit: z.string().nullable(),
  /** Bytes this item's variants take in storage (counted against the blog's quota). */
  bytes: z.number().int().nonnegative(),
  uploadedBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Media = z.infer<typeof Media>;

export const MediaList = z.object({
  media: z.array(Media),
  /** Bytes used by the blog's media and its quota. */
  usage: z.object({ bytes: z.number().int().nonnegative(), quotaBytes: z.number().int().positive() }),
});
export type MediaList = z.infer<typeof MediaList>;

export const MediaPatchInput = z
  .object({
    alt: plainText(500),
    caption: plainText(1_000).nullable(),
    credit: plainText(300).nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one field is required');
export type MediaPatchInput = z.infer<typeof MediaPatchInput>;

/** Optional text fields sent with the upload (multipart fields beside `file`). */
export const MediaUploadFields = z
  .object({
    alt: plainText(500).default(''),
    caption: plainText(1_000).optional(),
    credit: plainText(300).optional(),
  })
  .strict();
export type MediaUploadFields = z.infer<typeof MediaUploadFields>;

/** 409 body details when deleting media that published posts show. */
export const MediaInUse = z.object({ posts: z.array(z.object({ id: Id, blogId: Id })) });

/** A variant as stored: its object key instead of a URL (URLs depend on where it is served from). */
export const StoredVariant = z.object({
  key: MediaKey,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  type: MediaMimeType,
});
export type StoredVariant = z.infer<typeof StoredVariant>;

/** What the store keeps for a library item (Store.createMedia …). */
export const MediaRecord = Media.omit({ url: true, type: true, variants: true }).extend({
  variants: z.array(StoredVariant).min(1),
});
export type MediaRecord = z.infer<typeof MediaRecord>;

/** The JPEG that `url` names: the widest one (JPEG is the format every browser shows). */
function mainVariant(variants: readonly StoredVariant[]): StoredVariant {
  const jpegs = variants.filter((v) => v.type === 'image/jpeg');
  const pool = jpegs.length > 0 ? jpegs : variants;
  return pool.reduce((a, b) => (b.width > a.width ? b : a));
}

/**
 * The API resource for a stored item, with URLs under `mediaBase` (MEDIA_PUBLIC_URL or this
 * server's /media). Variants are listed AVIF, WebP, JPEG, each widest first.
 */
export function toMedia(record: MediaRecord, mediaBase: string): Media {
  const url = (key: string) => `${mediaBase}/${key}`;
  const order: MediaMimeType[] = ['image/avif', 'image/webp', 'image/jpeg'];
  const variants = [...record.variants]
    .sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type) || b.width - a.width)
    .map((v) => ({ url: url(v.key), width: v.width, height: v.height, type: v.type }));
  const main = mainVariant(record.variants);
  return {
    ...record,
    url: url(main.key),
    type: main.type,
    width: main.width,
    height: main.height,
    variants,
  };
}

export const MediaListQuery = z
  .object({
    limit: QueryInt(1, 100).default(50).describe('page size, 1 to 100 (default 50)'),
    before: Id.optional().describe('id of the last item of the previous page'),
  })
  .strict();

import { z } from 'zod';

/**
 * Tags are short labels editors put on posts ("goals", "red cards", "witnesses") and that
 * readers filter by. They are normalised so that "Red  Cards" and "red cards" are one tag,
 * and they are plain words: anything that looks like markup or a control character is
 * refused (not silently stripped), so an editor sees what went wrong.
 */
export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 40;

/** Letters, marks and digits of any script, with inner spaces, hyphens, dots and underscores. */
const TAG_PATTERN = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N} ._-]*[\p{L}\p{M}\p{N}])?$/u;

/** The canonical form of one tag: NFC, trimmed, inner whitespace collapsed, lower case. */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** One tag as clients send it (a query's `tag`, one entry of `tags`): normalised, then checked. */
export const Tag = z
  .string()
  .max(MAX_TAG_LENGTH * 4, `must be at most ${MAX_TAG_LENGTH} characters`)
  .transform(normaliseTag)
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_TAG_LENGTH, `must be at most ${MAX_TAG_LENGTH} characters`)
      .regex(TAG_PATTERN, 'must be letters, digits, spaces, dots, hyphens or underscores (no markup)'),
  );
export type Tag = z.infer<typeof Tag>;

/** A post's tags: each normalised, duplicates merged (first spelling's position kept), bounded. */
export const Tags = z
  .array(Tag)
  .max(MAX_TAGS * 2, `at most ${MAX_TAGS} tags`)
  .transform((tags) => [...new Set(tags)])
  .pipe(z.array(z.string()).max(MAX_TAGS, `at most ${MAX_TAGS} tags`));

/** Stored and emitted shape (already normalised). */
export const StoredTags = z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(MAX_TAGS);

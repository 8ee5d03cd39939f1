import type { MediaPatchInput, MediaRecord } from '../domain/index.js';
import { conflict, DomainError } from '../domain/index.js';
import { json } from './rows.js';

/** A media row: the record is kept whole as JSON; the other columns index and count it. */
export interface MediaRow {
  data: string | object;
}

export const toMediaRecord = (r: MediaRow): MediaRecord => json<MediaRecord>(r.data as never);

/** The columns of an insert, in order: id, blog_id, lead_key, bytes, data, created_at. */
export function mediaInsertParams(m: MediaRecord): [string, string, string, number, string, string] {
  return [m.id, m.blogId, m.variants[0]!.key, m.bytes, JSON.stringify(m), m.createdAt];
}

export function patchedMedia(current: MediaRecord, patch: MediaPatchInput, now: string): MediaRecord {
  return {
    ...current,
    alt: patch.alt ?? current.alt,
    caption: patch.caption === undefined ? current.caption : patch.caption || null,
    credit: patch.credit === undefined ? current.credit : patch.credit || null,
    updatedAt: now,
  };
}

export function quotaExceeded(used: number, adding: number, quota: number): boolean {
  return used + adding > quota;
}

export function inUse(posts: { id: string; blogId: string }[]) {
  return conflict(
    `the image is shown by ${posts.length} published post${posts.length === 1 ? '' : 's'}: ${posts.map((p) => p.id).join(', ')}; remove it from them first`,
    { posts },
  );
}

export const MEDIA_PAGE_MAX = 100;

export function quotaError(used: number, adding: number, quota: number): DomainError {
  return new DomainError(
    'payload_too_large',
    `the blog's media quota would be exceeded: ${used} of ${quota} bytes used, this image needs ${adding}`,
    { usedBytes: used, quotaBytes: quota, neededBytes: adding },
  );
}

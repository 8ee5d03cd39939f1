import { z } from 'zod';
import { fieldError } from '../sanitize.js';

/**
 * When a scheduled post goes out. Clients may send any ISO 8601 instant with an offset
 * ("2026-12-01T12:00:00+01:00"); it is stored and emitted in UTC like every timestamp.
 */
export const PublishAtInput = z
  .string()
  .max(40)
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone (Z or ±hh:mm)' })
  .transform((s) => new Date(s).toISOString());

/** Further ahead than this is a typo (a wrong year), not a plan. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * The scheduler's own step is not instantaneous: a time less than this ahead would be
 * "in the past" by the time it is stored. Such a request is refused rather than published
 * at once, since the editor asked for a later time and did not get it.
 */
export const MIN_SCHEDULE_AHEAD_MS = 1000;

/**
 * Checks a requested publication time against now. `currentStatus` is the post's status
 * before the change (undefined on create): a post readers already have cannot be scheduled.
 */
export function checkPublishAt(
  publishAt: string,
  now: string,
  currentStatus?: string,
  path: (string | number)[] = ['publishAt'],
): string {
  if (currentStatus === 'published') {
    throw fieldError(path, 'cannot schedule a post that is already published');
  }
  const at = Date.parse(publishAt);
  const t = Date.parse(now);
  if (at < t + MIN_SCHEDULE_AHEAD_MS) throw fieldError(path, 'must be in the future');
  if (at > t + MAX_SCHEDULE_AHEAD_MS) throw fieldError(path, 'must be at most 366 days ahead');
  return new Date(at).toISOString();
}

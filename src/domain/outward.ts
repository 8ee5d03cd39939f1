import { z } from 'zod';
import { QueryInt } from './common.js';

/**
 * Inputs of the outward channels (Server-Sent Events, webhooks, WebSub, Web Push). Rules
 * that decide who gets what live here once; transports only parse with these.
 */

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** `GET /api/v1/blogs/:blogId/events?since=` */
export const EventsQuery = z
  .object({
    since: QueryInt(0, MAX_SEQ)
      .optional()
      .describe('last seq the client applied; Last-Event-ID wins when both are sent'),
  })
  .strict();
export type EventsQuery = z.infer<typeof EventsQuery>;

/** An EventSource resends the last `id:` it saw as Last-Event-ID: our ids are seqs. */
export const LastEventId = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a seq (a non-negative integer)')
  .transform(Number)
  .pipe(z.number().int().min(0).max(MAX_SEQ));

/** Where a stream resumes: Last-Event-ID (a reconnect) wins over ?since= (the first connect). */
export function resumeSeq(lastEventId: number | undefined, since: number | undefined): number | undefined {
  return lastEventId ?? since;
}

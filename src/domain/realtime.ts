import { z } from 'zod';
import { Id, Seq } from './common.js';
import type { ErrorCode } from './errors.js';
import type { DraftEvent, LiveEvent } from './events.js';
import type { CountsFrame } from './participation.js';

/** Socket.IO payloads and event maps, shared by the server hub and client/reader. */
export const SubscribeRequest = z
  .object({
    /** A blog id or slug. */
    blogId: z.string().min(1).max(80),
    sinceSeq: Seq.optional(),
    /** Editors only (socket authenticated with a token): also receive `draft` events. */
    drafts: z.boolean().optional(),
    /**
     * The origin of the page the widget runs on (a partner site), for audience figures by
     * site. Only its scheme and host are kept (see siteOf); absent on our own pages.
     */
    site: z.string().max(300).optional(),
    /** True on a page's first subscribe, not on reconnects (first loads per minute). */
    firstLoad: z.boolean().optional(),
  })
  .strict();
export type SubscribeRequest = z.infer<typeof SubscribeRequest>;

export const UnsubscribeRequest = z.object({ blogId: z.string().min(1).max(80) }).strict();
export type UnsubscribeRequest = z.infer<typeof UnsubscribeRequest>;

export type SubscribeAck =
  | { ok: true; blogId: string; seq: number; events: LiveEvent[] }
  | { ok: true; blogId: string; seq: number; reset: true }
  | { ok: false; error: { code: ErrorCode; message: string } };

export const Heartbeat = z.object({ blogId: Id, seq: Seq, readers: z.number().int().min(0) });
export type Heartbeat = z.infer<typeof Heartbeat>;

export const BlogEnded = z.object({ blogId: Id, seq: Seq, graceMs: z.number().int().min(0) });
export type BlogEnded = z.infer<typeof BlogEnded>;

export interface ClientToServerEvents {
  subscribe: (req: SubscribeRequest, ack: (ack: SubscribeAck) => void) => void;
  unsubscribe: (req: UnsubscribeRequest, ack?: (ack: { ok: boolean }) => void) => void;
}

export interface ServerToClientEvents {
  event: (event: LiveEvent) => void;
  heartbeat: (hb: Heartbeat) => void;
  /**
   * Vote and reaction counts that changed, per post, at most about once a second per blog
   * (volatile: a missed frame is corrected by the next; after a reconnect refetch
   * GET /api/v1/blogs/:blogId/tallies). Not part of the seq stream.
   */
  counts: (frame: CountsFrame) => void;
  draft: (event: DraftEvent) => void;
  /**
   * The blog ended (or was archived): nothing more is coming. Readers keep what they have;
   * after `graceMs` the server releases their subscription (and the connection, when it was
   * the socket's only one), so they must not reconnect for it.
   */
  ended: (info: BlogEnded) => void;
  /** Sent before a graceful shutdown: reconnect (possibly to another node) and resubscribe. */
  reconnect_hint: (info: { reason: string }) => void;
}

import { z } from 'zod';
import { DraftEvent, LiveEvent } from '../domain/index.js';

/**
 * Cross-node messages. The store is the log; the bus is only a doorbell that makes other
 * nodes act at once instead of on their next store read. Anything received is validated.
 */
export const BusMessage = z.discriminatedUnion('kind', [
  /** A committed reader-visible event. */
  z.object({ kind: z.literal('event'), event: LiveEvent }),
  /** A draft change, for editors' live view. */
  z.object({ kind: z.literal('draft'), event: DraftEvent }),
  /** A persisted Yjs update (base64), for nodes holding that blog's doc. */
  z.object({ kind: z.literal('doc.update'), blogId: z.string(), update: z.string(), rowId: z.number().int() }),
  /** A Yjs awareness update (base64). */
  z.object({ kind: z.literal('doc.awareness'), blogId: z.string(), update: z.string() }),
  /**
   * This user's rights changed on this blog (or on every blog when `blogId` is null: the user
   * was deactivated or one of their credentials revoked). Every transport holding an open
   * authenticated connection of that user re-judges it.
   */
  z.object({ kind: z.literal('access.changed'), userId: z.string(), blogId: z.string().nullable() }),
  /**
   * Votes or reactions on these posts changed (committed): every node re-reads their counts
   * from the store at its next counts tick and sends readers one batched frame per blog.
   */
  z.object({ kind: z.literal('tally'), blogId: z.string(), postIds: z.array(z.string()).min(1).max(100) }),
  /** A node's reader count per blog, so heartbeats can show totals across nodes. */
  z.object({
    kind: z.literal('readers'),
    counts: z.record(z.string(), z.number().int().min(0)),
  }),
]);
export type BusMessage = z.input<typeof BusMessage>;

/** What subscribers receive: the message plus the id of the node that sent it. */
export interface BusEnvelope {
  from: string;
  msg: BusMessage;
}

export interface Bus {
  readonly kind: 'local' | 'redis';
  readonly nodeId: string;
  /**
   * Delivers to this node's subscribers synchronously and to other nodes best-effort.
   * Never rejects because Redis is down: the store already has the change.
   */
  publish(msg: BusMessage): void;
  /** Receives messages from this node and from others. Returns an unsubscribe function. */
  subscribe(handler: (env: BusEnvelope) => void): () => void;
  /**
   * Called after the bus (re)connected to other nodes following an outage: consumers must
   * re-read the store, since messages sent meanwhile are lost.
   */
  onResync(handler: () => void): () => void;
  close(): Promise<void>;
}

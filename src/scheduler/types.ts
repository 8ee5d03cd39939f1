import type { LiveEvent, StoredPost } from '../domain/index.js';

/** A due scheduled post this node holds a lease on. */
export interface ScheduleClaim {
  blogId: string;
  postId: string;
  publishAt: string;
  /** Until when the lease holds; after that another node may claim the post. */
  leaseUntil: string;
}

/**
 * What the scheduler needs from the store (Store implements it; see store/types.ts).
 *
 * - `claimDuePosts` marks up to `limit` due scheduled posts as this node's until now +
 *   leaseMs, skipping rows another node holds (PostgreSQL: one UPDATE … WHERE id IN
 *   (SELECT … FOR UPDATE SKIP LOCKED) RETURNING; SQLite: the process is the only claimant).
 *   Posts whose lease ran out (their node died) are claimable again.
 * - `publishClaimed` publishes one claimed post in one transaction: still `scheduled`, still
 *   due and still claimed by this node → `published` with the blog's next seq and its
 *   `post.created` event. Anything else (edited, cancelled, rescheduled, taken over) → null,
 *   nothing written. That check under the row lock is what makes publication exactly once.
 * - `nextPublishAt(now)` is the next time there may be work: the earliest publishAt of a
 *   scheduled post nobody holds, or, for one another node holds, when its lease runs out
 *   (so a node does not spin on posts its peer is publishing).
 */
export interface ScheduleStore {
  claimDuePosts(now: string, opts: { nodeId: string; limit: number; leaseMs: number }): Promise<ScheduleClaim[]>;
  publishClaimed(
    claim: ScheduleClaim,
    nodeId: string,
    now: string,
  ): Promise<{ post: StoredPost; event: LiveEvent } | null>;
  nextPublishAt(now: string): Promise<string | null>;
}

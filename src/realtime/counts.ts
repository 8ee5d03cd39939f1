import type { Deps } from '../deps.js';
import { type CountsFrame, type LiveEvent, pollOf } from '../domain/index.js';

/** Posts remembered as changed per blog between two ticks (more are dropped: readers refetch). */
const MAX_DIRTY_PER_BLOG = 500;
/** Poll closing times remembered per node (the store closes late polls anyway on the next touch). */
const MAX_DEADLINES = 10_000;
/** Post ids per store read (the tally query's bound). */
const READ_CHUNK = 100;

/**
 * Live vote and reaction counts for one node's readers. Accepted votes ring the bus with the
 * posts whose counts changed (`tally`); every COUNTS_INTERVAL_MS each blog with changes and
 * local readers gets ONE `counts` frame with those posts' exact counts, read from the store
 * (so every node shows the same numbers and a restart loses nothing). Counts are not seq
 * events: the frame is volatile, and a reader that missed one is corrected by the next or
 * refetches GET …/tallies after a reconnect.
 *
 * It also closes polls on time: closing times are learnt from the post events this node
 * forwards; when one passes, the store writes the closing update (idempotent across nodes:
 * the first one wins, the others find it closed) and it travels as a normal event.
 */
export class CountsBroadcaster {
  private readonly dirty = new Map<string, Set<string>>();
  private readonly deadlines = new Map<string, { blogId: string; at: number }>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly deps: Pick<Deps, 'store' | 'bus' | 'config' | 'log'>,
    private readonly hasReaders: (blogId: string) => boolean,
    private readonly emit: (frame: CountsFrame) => void,
  ) {
    this.timer = setInterval(() => void this.tick(), deps.config.COUNTS_INTERVAL_MS);
    this.timer.unref();
  }

  /** Another node (or this one) accepted votes or reactions on these posts. */
  onTally(blogId: string, postIds: readonly string[]): void {
    let set = this.dirty.get(blogId);
    if (!set) {
      set = new Set();
      this.dirty.set(blogId, set);
    }
    for (const id of postIds) if (set.size < MAX_DIRTY_PER_BLOG) set.add(id);
  }

  /** Every event forwarded to readers: learns and forgets poll closing times. */
  onEvent(event: LiveEvent): void {
    if (event.type === 'post.deleted') {
      this.deadlines.delete(event.data.id);
      return;
    }
    if (event.type !== 'post.created' && event.type !== 'post.updated') return;
    const poll = pollOf(event.data.blocks);
    if (!poll?.closesAt || poll.closedAt) {
      this.deadlines.delete(event.data.id);
      return;
    }
    if (this.deadlines.size < MAX_DEADLINES || this.deadlines.has(event.data.id)) {
      this.deadlines.set(event.data.id, { blogId: event.blogId, at: Date.parse(poll.closesAt) });
    }
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.closeDue(now);
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const [blogId, ids] of batch) {
        if (!this.hasReaders(blogId)) continue;
        const list = [...ids];
        const posts: CountsFrame['posts'] = {};
        for (let i = 0; i < list.length; i += READ_CHUNK) {
          Object.assign(posts, (await this.deps.store.tallies(blogId, list.slice(i, i + READ_CHUNK), now)).posts);
        }
        if (Object.keys(posts).length > 0) this.emit({ blogId, posts });
      }
    } catch (err) {
      this.deps.log.warn({ err }, 'counts tick failed; the next tick retries');
    } finally {
      this.running = false;
    }
  }

  private async closeDue(now: number): Promise<void> {
    for (const [postId, d] of this.deadlines) {
      if (d.at > now) continue;
      this.deadlines.delete(postId);
      const closing = await this.deps.store
        .closePoll(d.blogId, postId, new Date(now).toISOString(), { onlyIfDue: true })
        .catch((err: unknown) => {
          this.deps.log.warn({ err, postId }, 'closing a poll failed');
          return null;
        });
      if (closing?.event) this.deps.bus.publish({ kind: 'event', event: closing.event });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.dirty.clear();
    this.deadlines.clear();
  }
}

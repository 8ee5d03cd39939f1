import type { Bus } from '../bus/types.js';

/** How long accepted votes and reactions are gathered before one bus message per blog. */
const GATHER_MS = 100;
/** Post ids one bus message carries (the bus schema's bound); more go in further messages. */
const MAX_POSTS_PER_MESSAGE = 100;

/**
 * Rings the bus when counts changed, at most every GATHER_MS per node and blog however many
 * votes arrive: 10,000 votes a minute are ~10 small bus messages a second, not 166. The
 * realtime hub on every node re-reads the counts from the store and sends readers one frame.
 */
export class TallyDoorbell {
  private readonly pending = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly bus: Bus) {}

  ring(blogId: string, postId: string): void {
    let posts = this.pending.get(blogId);
    if (!posts) {
      posts = new Set();
      this.pending.set(blogId, posts);
    }
    posts.add(postId);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), GATHER_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [blogId, posts] of this.pending) {
      const ids = [...posts];
      for (let i = 0; i < ids.length; i += MAX_POSTS_PER_MESSAGE) {
        this.bus.publish({ kind: 'tally', blogId, postIds: ids.slice(i, i + MAX_POSTS_PER_MESSAGE) });
      }
    }
    this.pending.clear();
  }
}

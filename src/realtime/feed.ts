import type { Deps } from '../deps.js';
import type { Blog, LiveEvent } from '../domain/index.js';
import { Sequencer } from './sequencer.js';

/** What a subscriber is handed in the one synchronous step that also joins the room. */
export type CatchUp = { kind: 'events'; seq: number; events: LiveEvent[] } | { kind: 'reset'; seq: number };

/** Page size for store reads; the store may cap it lower, so every reader loops. */
export const STORE_PAGE = 500;

/** Serialised size of an event, computed once per event object. */
const sizes = new WeakMap<LiveEvent, number>();
function eventSize(e: LiveEvent): number {
  let n = sizes.get(e);
  if (n === undefined) {
    n = JSON.stringify(e).length;
    sizes.set(e, n);
  }
  return n;
}

/**
 * One blog's live state on this node: the head seq handed to the room, a ring of the most
 * recent events (so a reconnect storm is served from memory), and the sequencer that feeds
 * both strictly in order. `emit` sends an event to the blog's room synchronously.
 */
export class BlogFeed {
  readonly blogId: string;
  slug: string;
  /** Kept current from blog.updated events: a draft blog is for its members only. */
  status: Blog['status'];
  /** Last time a subscriber joined or was present (for idle eviction). */
  lastActive = Date.now();
  lastTailCheck = Date.now();
  private readonly ring: LiveEvent[];
  private readonly sequencer: Sequencer;

  constructor(
    init: { blogId: string; slug: string; status: Blog['status']; head: number; recent: LiveEvent[] },
    private readonly deps: Deps,
    private readonly emit: (event: LiveEvent) => void,
  ) {
    this.blogId = init.blogId;
    this.slug = init.slug;
    this.status = init.status;
    // (slice(-0) would keep everything: REPLAY_MEMORY=0 means an empty ring.)
    const keep = deps.config.REPLAY_MEMORY;
    this.ring = keep > 0 ? init.recent.filter((e) => e.seq <= init.head).slice(-keep) : [];
    const { store, config, metrics, log } = deps;
    this.sequencer = new Sequencer({
      head: init.head,
      gapMs: config.SEQUENCER_GAP_MS,
      readAfter: (since) =>
        store.listChanges(this.blogId, since, { limit: STORE_PAGE, replayWindow: config.REPLAY_WINDOW }),
      deliver: (event) => this.deliver(event),
      onReset: (seq) => {
        // The node fell too far behind (e.g. a long bus outage): forget the ring. Readers
        // notice from the next heartbeat that they are behind and catch up over HTTP.
        log.warn({ blogId: this.blogId, seq }, 'feed fell behind the replay window; jumping ahead');
        this.ring.length = 0;
      },
      onStoreRead: (why) => metrics.sequencerStoreReads.inc({ why }),
      onError: (err) => log.warn({ err, blogId: this.blogId }, 'sequencer store read failed'),
    });
  }

  get head(): number {
    return this.sequencer.head;
  }

  offer(event: LiveEvent): void {
    this.sequencer.offer(event);
  }

  checkTail(): Promise<void> {
    this.lastTailCheck = Date.now();
    return this.sequencer.checkTail();
  }

  close(): void {
    this.sequencer.close();
  }

  /** First seq still in memory (head + 1 when the ring is empty). */
  get ringStart(): number {
    return this.ring[0]?.seq ?? this.head + 1;
  }

  /**
   * Synchronous: the catch-up for a reader at `since`, given events already read from the
   * store (`older`, may be empty). Null when `older` and the ring do not join up (the ring
   * moved on meanwhile): the caller reads again.
   */
  catchUp(since: number | undefined, older: readonly LiveEvent[]): CatchUp | null {
    const head = this.head;
    if (since === undefined) return { kind: 'events', seq: head, events: [] };
    if (since > head || since < head - this.deps.config.REPLAY_WINDOW) return { kind: 'reset', seq: head };
    const events: LiveEvent[] = [];
    let next = since + 1;
    for (const e of older) {
      if (e.seq !== next || e.seq > head) break;
      events.push(e);
      next += 1;
    }
    if (next <= head) {
      const start = this.ringStart;
      if (next < start) return null;
      for (let i = next - start; i < this.ring.length; i++) {
        const e = this.ring[i];
        if (e) events.push(e);
      }
    }
    // Never hand out a list that stops short of the head: the room continues from head + 1.
    const last = events[events.length - 1];
    if (since < head && last?.seq !== head) return null;
    // A catch-up bigger than half the send bound would get its reader cut off as a slow
    // consumer, again after every reconnect: such a reader reloads over HTTP instead.
    let bytes = 0;
    for (const e of events) {
      bytes += eventSize(e);
      if (bytes > this.deps.config.READER_BUFFER_BYTES / 2) return { kind: 'reset', seq: head };
    }
    return { kind: 'events', seq: head, events };
  }

  /** True when a reader at `since` can be served from memory alone. */
  servesFromMemory(since: number | undefined): boolean {
    if (since === undefined) return true;
    const head = this.head;
    if (since > head || since < head - this.deps.config.REPLAY_WINDOW) return true;
    return since + 1 >= this.ringStart;
  }

  private deliver(event: LiveEvent): void {
    const max = this.deps.config.REPLAY_MEMORY;
    if (max > 0) {
      this.ring.push(event);
      if (this.ring.length > max) this.ring.splice(0, this.ring.length - max);
    }
    if (event.type === 'blog.updated') {
      this.slug = event.data.slug;
      this.status = event.data.status;
    }
    this.emit(event);
    const age = Date.now() - Date.parse(event.at);
    if (Number.isFinite(age)) this.deps.metrics.commitToEmitSeconds.observe(Math.max(0, age) / 1000);
  }
}

import type { Deps } from '../deps.js';
import { type Blog, type LiveEvent, scrubbedEvent, takenDownPost } from '../domain/index.js';
import type { RoomBeats } from './heartbeat.js';
import { Sequencer } from './sequencer.js';

/** What a subscriber is handed in the one synchronous step that also joins the room. */
export type CatchUp = { kind: 'events'; seq: number; events: LiveEvent[] } | { kind: 'reset'; seq: number };

/** Page size for store reads; the store may cap it lower, so every reader loops. */
export const STORE_PAGE = 500;

/**
 * Bytes held by every ring on this node, against REPLAY_MEMORY_BYTES. Shared by the feeds of
 * one registry; `overBudget` is called after a ring grew past it.
 */
export interface RingBudget {
  used: number;
  readonly max: number;
  overBudget(): void;
}

/** Serialised size of an event, computed once per event object. */
const sizes = new WeakMap<LiveEvent, number>();
export function eventSize(e: LiveEvent): number {
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
export class BlogStream {
  readonly blogId: string;
  slug: string;
  /** Kept current from blog.updated events: a draft blog is for its members only. */
  status: Blog['status'];
  /** When this node learnt the current status (an ended blog's readers are released after a grace). */
  statusSince = Date.now();
  /** Last time a subscriber joined or was present (for idle eviction). */
  lastActive = Date.now();
  lastTailCheck = Date.now();
  /** What the room last got, for the heartbeat's choice (src/realtime/heartbeat.ts). */
  readonly beats: RoomBeats = { lastBeat: null, lastEvent: null };
  private readonly ring: LiveEvent[];
  private readonly sequencer: Sequencer;
  /**
   * Posts taken down (deleted or unpublished) within the replay window, with the seq of the
   * takedown: every catch-up handed out is scrubbed against it, including ranges read from
   * the store before the takedown and still in flight or cached.
   */
  private readonly takedowns = new Map<string, number>();

  constructor(
    init: { blogId: string; slug: string; status: Blog['status']; head: number; recent: LiveEvent[] },
    private readonly deps: Deps,
    private readonly emit: (event: LiveEvent) => void,
    private readonly budget: RingBudget,
    /** Told of each takedown, to drop shared store ranges that may hold the content. */
    private readonly onTakedown?: (postId: string) => void,
  ) {
    this.blogId = init.blogId;
    this.slug = init.slug;
    this.status = init.status;
    // (slice(-0) would keep everything: REPLAY_MEMORY=0 means an empty ring.)
    const keep = deps.config.REPLAY_MEMORY;
    // No closure below may mention `init`: V8 keeps one context per scope, so the sequencer's
    // callbacks would retain the whole loaded list (every event read) for the feed's lifetime,
    // outside the ring and its bounds (measured: ~800 KiB per followed blog).
    const head = init.head;
    const recent = init.recent;
    this.ring = keep > 0 ? recent.filter((e) => e.seq <= head).slice(-keep) : [];
    for (const e of this.ring) this.budget.used += eventSize(e);
    const { store, config, metrics, log } = deps;
    this.sequencer = new Sequencer({
      head,
      gapMs: config.SEQUENCER_GAP_MS,
      readAfter: (since) =>
        store.listChanges(this.blogId, since, { limit: STORE_PAGE, replayWindow: config.REPLAY_WINDOW }),
      deliver: (event) => this.deliver(event),
      onReset: (seq) => {
        // The node fell too far behind (e.g. a long bus outage): forget the ring. Readers
        // notice from the next heartbeat that they are behind and catch up over HTTP.
        log.warn({ blogId: this.blogId, seq }, 'feed fell behind the replay window; jumping ahead');
        this.dropOldest(this.ring.length);
      },
      onStoreRead: (why) => metrics.sequencerStoreReads.inc({ why }),
      onError: (err) => log.warn({ err, blogId: this.blogId }, 'sequencer store read failed'),
    });
    // The store may hand back content a later event of the same load took down.
    for (const e of [...this.ring]) {
      const down = takenDownPost(e);
      if (down) this.takeDown(down.postId, down.seq);
    }
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
    this.dropOldest(this.ring.length);
  }

  /** Events in the ring (for the global byte bound). */
  get ringLength(): number {
    return this.ring.length;
  }

  /** Forgets the `n` oldest events of the ring (readers older than the rest read the store). */
  dropOldest(n: number): void {
    const gone = this.ring.splice(0, Math.min(n, this.ring.length));
    for (const e of gone) this.budget.used -= eventSize(e);
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
      events.push(this.scrub(e));
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

  /** The event as a replay may serve it now (content of taken-down posts removed). */
  scrub(event: LiveEvent): LiveEvent {
    if (this.takedowns.size === 0 || (event.type !== 'post.created' && event.type !== 'post.updated')) return event;
    const at = this.takedowns.get(event.data.id);
    return at === undefined ? event : scrubbedEvent(event, event.data.id, at);
  }

  /** Removes a taken-down post's content from the ring, in place (same seqs, same length). */
  private takeDown(postId: string, seq: number): void {
    this.takedowns.set(postId, seq);
    for (let i = 0; i < this.ring.length; i++) {
      const e = this.ring[i];
      if (!e) continue;
      const scrubbed = scrubbedEvent(e, postId, seq);
      if (scrubbed === e) continue;
      this.budget.used += eventSize(scrubbed) - eventSize(e);
      this.ring[i] = scrubbed;
    }
    // Takedowns older than the replay window can no longer meet a replayed event.
    const oldest = this.head - this.deps.config.REPLAY_WINDOW;
    for (const [id, at] of this.takedowns) if (at < oldest) this.takedowns.delete(id);
  }

  private deliver(event: LiveEvent): void {
    const down = takenDownPost(event);
    if (down) {
      this.takeDown(down.postId, down.seq);
      this.onTakedown?.(down.postId);
    }
    const max = this.deps.config.REPLAY_MEMORY;
    if (max > 0) {
      this.ring.push(event);
      this.budget.used += eventSize(event);
      if (this.ring.length > max) this.dropOldest(this.ring.length - max);
      if (this.budget.used > this.budget.max) this.budget.overBudget();
    }
    if (event.type === 'blog.updated') {
      this.slug = event.data.slug;
      if (this.status !== event.data.status) this.statusSince = Date.now();
      this.status = event.data.status;
    }
    this.emit(event);
    this.beats.lastEvent = { at: Date.now(), seq: event.seq };
    const age = Date.now() - Date.parse(event.at);
    if (Number.isFinite(age)) this.deps.metrics.commitToEmitSeconds.observe(Math.max(0, age) / 1000);
  }
}

import type { Changes, LiveEvent } from '../domain/index.js';

/** Why the sequencer read the store: a hole in the bus stream, or a check for a missed tail. */
export type StoreReadReason = 'gap' | 'tail';

export interface SequencerOptions {
  /** The last seq already handed on (the blog's seq when the feed was loaded). */
  head: number;
  /** How long an early event waits for the missing ones before they are read from the store. */
  gapMs: number;
  /** Reads the committed events after `since` (the store's listChanges, bounded). */
  readAfter(since: number): Promise<Changes>;
  /** Receives every event exactly once, strictly in seq order. */
  deliver(event: LiveEvent): void;
  /** The store says we are too far behind to replay: the head jumps to `seq`. */
  onReset(seq: number): void;
  onStoreRead?(why: StoreReadReason): void;
  onError?(err: unknown): void;
}

/** Bounds one fill so a runaway store cannot keep the sequencer looping. */
const MAX_READS_PER_FILL = 50;

/**
 * Hands one blog's events on strictly by seq. Events come from the bus, which may repeat,
 * reorder or lose them (several nodes publish; Redis pub/sub is only a doorbell):
 * - seq <= head: a duplicate, dropped;
 * - seq == head + 1: delivered, then every waiting successor;
 * - seq  > head + 1: waits; if the hole is still open after gapMs, the missing events are
 *   read back from the store (the log), which always has them.
 */
export class Sequencer {
  private headSeq: number;
  private readonly pending = new Map<number, LiveEvent>();
  private gapTimer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly opts: SequencerOptions) {
    this.headSeq = opts.head;
  }

  get head(): number {
    return this.headSeq;
  }

  /** Events waiting for a missing predecessor. */
  get waiting(): number {
    return this.pending.size;
  }

  offer(event: LiveEvent): void {
    if (this.closed || event.seq <= this.headSeq) return;
    if (event.seq === this.headSeq + 1) {
      this.advance(event);
      this.drain();
    } else {
      this.pending.set(event.seq, event);
    }
    this.armGapTimer();
  }

  /**
   * Reads the store now for anything after head (after a bus outage, or periodically, since
   * a lost last event leaves no later one to reveal the hole). Resolves when done.
   */
  checkTail(): Promise<void> {
    return this.fill('tail');
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  private advance(event: LiveEvent): void {
    this.pending.delete(event.seq);
    this.headSeq = event.seq;
    this.opts.deliver(event);
  }

  private drain(): void {
    for (;;) {
      const next = this.pending.get(this.headSeq + 1);
      if (!next) break;
      this.pending.delete(next.seq);
      this.advance(next);
    }
  }

  private armGapTimer(): void {
    if (this.closed || this.pending.size === 0) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = null;
      return;
    }
    if (this.gapTimer || this.reading) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      void this.fill('gap');
    }, this.opts.gapMs);
    this.gapTimer.unref();
  }

  private fill(why: StoreReadReason): Promise<void> {
    if (this.closed) return Promise.resolve();
    // One read at a time: a second caller waits for the one in flight.
    this.reading ??= this.readStore(why).finally(() => {
      this.reading = null;
      this.armGapTimer();
    });
    return this.reading;
  }

  private async readStore(why: StoreReadReason): Promise<void> {
    try {
      for (let i = 0; i < MAX_READS_PER_FILL && !this.closed; i++) {
        this.opts.onStoreRead?.(why);
        const changes = await this.opts.readAfter(this.headSeq);
        if (this.closed) return;
        if ('reset' in changes) {
          if (changes.seq <= this.headSeq) return;
          // Too far behind to replay: jump, keep only what is still ahead.
          this.headSeq = changes.seq;
          for (const seq of this.pending.keys()) if (seq <= changes.seq) this.pending.delete(seq);
          this.opts.onReset(changes.seq);
          this.drain();
          return;
        }
        const before = this.headSeq;
        for (const event of changes.events) {
          if (event.seq === this.headSeq + 1) this.advance(event);
        }
        this.drain();
        // Done when caught up with the store, or when the store gave nothing new.
        if (this.headSeq >= changes.seq || this.headSeq === before) return;
      }
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}

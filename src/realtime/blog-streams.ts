import type { Deps } from '../deps.js';
import type { LiveEvent } from '../domain/index.js';
import { BlogStream, eventSize, type RingBudget, STORE_PAGE } from './blog-stream.js';

/** Bounds every paging loop over the store. */
const MAX_PAGES = 20;

/**
 * The feeds of the blogs active on this node. Loads a feed once however many readers ask
 * for it at the same time, routes bus events to it, and forgets feeds nobody reads.
 */
/** How many catch-up ranges stay shared; each is bounded in events and in bytes. */
const RECENT_RANGES = 16;
/**
 * Catch-up ranges start at a multiple of this: a reader's chosen sinceSeq cannot make a range
 * of its own (and a store read of its own) for every seq; it shares its block's range.
 */
export const RANGE_ALIGN = 100;

export class StreamRegistry {
  private readonly byId = new Map<string, BlogStream>();
  /** In-flight loads, keyed by what the reader asked for (id or slug). */
  private readonly loading = new Map<string, Promise<BlogStream | null>>();
  /** Events that arrived while their blog's feed was loading, replayed into it afterwards. */
  private readonly earlyEvents = new Map<string, LiveEvent[]>();
  /** Catch-up ranges read from the store (in flight or done), shared by readers asking for the same. */
  private readonly olderReads = new Map<string, Promise<readonly LiveEvent[]>>();

  /** Every ring on this node together stays within REPLAY_MEMORY_BYTES. */
  readonly budget: RingBudget;

  constructor(
    private readonly deps: Deps,
    private readonly emit: (event: LiveEvent) => void,
  ) {
    this.budget = { used: 0, max: deps.config.REPLAY_MEMORY_BYTES, overBudget: () => this.shrinkRings() };
  }

  /**
   * Over the global bound: the rings of the least recently active feeds lose their older half
   * first, until every ring together is back under 90% of it. A reader older than a ring is
   * served from the store (shared ranges), so this costs reads, never correctness.
   */
  private shrinkRings(): void {
    const target = this.budget.max * 0.9;
    const byAge = [...this.byId.values()].sort((a, b) => a.lastActive - b.lastActive);
    for (let pass = 0; pass < 8 && this.budget.used > target; pass++) {
      for (const feed of byAge) {
        if (this.budget.used <= target) break;
        feed.dropOldest(Math.ceil(feed.ringLength / 2));
      }
    }
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<BlogStream> {
    return this.byId.values();
  }

  /** The loaded feed for an id or slug, without any I/O. */
  peek(idOrSlug: string): BlogStream | undefined {
    const direct = this.byId.get(idOrSlug);
    if (direct) return direct;
    for (const feed of this.byId.values()) if (feed.slug === idOrSlug) return feed;
    return undefined;
  }

  /** The feed for a blog id or slug, loading it if needed; null when there is no such blog. */
  acquire(idOrSlug: string): Promise<BlogStream | null> {
    const ready = this.peek(idOrSlug);
    if (ready) return Promise.resolve(ready);
    let pending = this.loading.get(idOrSlug);
    if (!pending) {
      pending = this.load(idOrSlug).finally(() => this.loading.delete(idOrSlug));
      this.loading.set(idOrSlug, pending);
    }
    return pending;
  }

  /** A committed event from the bus. Blogs nobody reads here are ignored. */
  onEvent(event: LiveEvent): void {
    const feed = this.byId.get(event.blogId);
    if (feed) {
      feed.offer(event);
      return;
    }
    this.earlyEvents.get(event.blogId)?.push(event);
  }

  /** Drops the shared catch-up ranges of a blog (a takedown: they may hold removed content). */
  forgetRanges(blogId: string): void {
    const prefix = `${blogId}|`;
    for (const key of [...this.olderReads.keys()]) if (key.startsWith(prefix)) this.olderReads.delete(key);
  }

  evict(feed: BlogStream): void {
    feed.close();
    this.byId.delete(feed.blogId);
  }

  close(): void {
    for (const feed of this.byId.values()) feed.close();
    this.byId.clear();
  }

  private async load(idOrSlug: string): Promise<BlogStream | null> {
    const { store, config, metrics } = this.deps;
    const blog = await store.getBlog(idOrSlug);
    if (!blog) return null;
    const raced = this.byId.get(blog.id);
    if (raced) return raced;
    // From here on, bus events for this blog are kept so none falls between the read and the
    // feed's creation (the sequencer drops the ones the read already covered).
    const early: LiveEvent[] = [];
    const alreadyBuffering = this.earlyEvents.get(blog.id);
    if (!alreadyBuffering) this.earlyEvents.set(blog.id, early);
    try {
      metrics.sequencerStoreReads.inc({ why: 'load' });
      const keep = Math.min(config.REPLAY_MEMORY, config.REPLAY_WINDOW);
      let since = Math.max(0, blog.seq - keep);
      let head = since;
      const recent: LiveEvent[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const changes = await store.listChanges(blog.id, since, {
          limit: STORE_PAGE,
          replayWindow: config.REPLAY_WINDOW,
        });
        if ('reset' in changes) {
          head = changes.seq;
          recent.length = 0;
          break;
        }
        for (const e of changes.events) {
          if (e.seq !== head + 1) break;
          recent.push(e);
          head = e.seq;
        }
        since = head;
        if (head >= changes.seq || changes.events.length === 0) {
          head = Math.max(head, changes.seq);
          break;
        }
      }
      // A slower concurrent load (by the other of id/slug) may have finished first.
      const existing = this.byId.get(blog.id);
      if (existing) return existing;
      const contiguous = recent.length > 0 && recent[recent.length - 1]?.seq === head ? recent : [];
      const feed = new BlogStream(
        { blogId: blog.id, slug: blog.slug, status: blog.status, head, recent: contiguous },
        this.deps,
        this.emit,
        this.budget,
        () => this.forgetRanges(blog.id),
      );
      this.byId.set(blog.id, feed);
      if (this.budget.used > this.budget.max) this.shrinkRings();
      for (const e of this.earlyEvents.get(blog.id) ?? []) feed.offer(e);
      return feed;
    } finally {
      if (!alreadyBuffering) this.earlyEvents.delete(blog.id);
    }
  }

  /**
   * Reads the events (since, upTo] from the store, for a reader older than the ring. Committed
   * events never change, so a range read once serves every reader who asks for it next (a
   * reconnect storm mostly asks for the same few ranges): in flight or done, it is shared.
   * The result is read-only.
   */
  async readOlder(feed: BlogStream, since: number, upTo: number): Promise<readonly LiveEvent[]> {
    const aligned = since - (since % RANGE_ALIGN);
    // Near the edge of the replay window the store may already call the aligned start too old
    // (its head can be ahead of ours): there, the reader's own since is used.
    const windowStart = feed.head - this.deps.config.REPLAY_WINDOW;
    const from = aligned - windowStart >= RANGE_ALIGN ? aligned : since;
    const range = await this.readRange(feed, from, upTo);
    if (from === since) return range;
    const i = range.findIndex((e) => e.seq > since);
    return i < 0 ? [] : range.slice(i);
  }

  private readRange(feed: BlogStream, since: number, upTo: number): Promise<readonly LiveEvent[]> {
    const key = `${feed.blogId}|${since}|${upTo}`;
    let read = this.olderReads.get(key);
    if (read) {
      // Most recently used last: the oldest range is evicted first.
      this.olderReads.delete(key);
    } else {
      read = this.readOlderFromStore(feed.blogId, since, upTo);
      // A failed read is not kept: the next reader tries again.
      read.catch(() => this.olderReads.delete(key));
    }
    this.olderReads.set(key, read);
    if (this.olderReads.size > RECENT_RANGES) {
      const oldest = this.olderReads.keys().next().value;
      if (oldest !== undefined) this.olderReads.delete(oldest);
    }
    return read;
  }

  private async readOlderFromStore(blogId: string, since: number, upTo: number): Promise<LiveEvent[]> {
    const { store, config, metrics } = this.deps;
    const out: LiveEvent[] = [];
    let from = since;
    // A catch-up over half the reader's send bound is a reset anyway (feed.catchUp): reading
    // further would only hold more bytes in the shared ranges.
    const maxBytes = config.READER_BUFFER_BYTES;
    let bytes = 0;
    for (let page = 0; page < MAX_PAGES && from < upTo && bytes <= maxBytes; page++) {
      metrics.sequencerStoreReads.inc({ why: 'catchup' });
      const changes = await store.listChanges(blogId, from, {
        limit: Math.min(STORE_PAGE, upTo - from),
        replayWindow: config.REPLAY_WINDOW,
      });
      if ('reset' in changes || changes.events.length === 0) break;
      for (const e of changes.events) {
        if (e.seq !== from + 1 || e.seq > upTo) return out;
        out.push(e);
        from = e.seq;
        bytes += eventSize(e);
      }
    }
    return out;
  }
}

import type { Deps } from '../deps.js';
import type { LiveEvent } from '../domain/index.js';
import { BlogFeed, STORE_PAGE } from './feed.js';

/** Bounds every paging loop over the store. */
const MAX_PAGES = 20;

/**
 * The feeds of the blogs active on this node. Loads a feed once however many readers ask
 * for it at the same time, routes bus events to it, and forgets feeds nobody reads.
 */
/** How many catch-up ranges stay shared; each is at most REPLAY_WINDOW events. */
const RECENT_RANGES = 8;

export class FeedRegistry {
  private readonly byId = new Map<string, BlogFeed>();
  /** In-flight loads, keyed by what the reader asked for (id or slug). */
  private readonly loading = new Map<string, Promise<BlogFeed | null>>();
  /** Events that arrived while their blog's feed was loading, replayed into it afterwards. */
  private readonly earlyEvents = new Map<string, LiveEvent[]>();
  /** Catch-up ranges read from the store (in flight or done), shared by readers asking for the same. */
  private readonly olderReads = new Map<string, Promise<readonly LiveEvent[]>>();

  constructor(
    private readonly deps: Deps,
    private readonly emit: (event: LiveEvent) => void,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<BlogFeed> {
    return this.byId.values();
  }

  /** The loaded feed for an id or slug, without any I/O. */
  peek(idOrSlug: string): BlogFeed | undefined {
    const direct = this.byId.get(idOrSlug);
    if (direct) return direct;
    for (const feed of this.byId.values()) if (feed.slug === idOrSlug) return feed;
    return undefined;
  }

  /** The feed for a blog id or slug, loading it if needed; null when there is no such blog. */
  acquire(idOrSlug: string): Promise<BlogFeed | null> {
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

  evict(feed: BlogFeed): void {
    feed.close();
    this.byId.delete(feed.blogId);
  }

  close(): void {
    for (const feed of this.byId.values()) feed.close();
    this.byId.clear();
  }

  private async load(idOrSlug: string): Promise<BlogFeed | null> {
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
      const feed = new BlogFeed(
        { blogId: blog.id, slug: blog.slug, status: blog.status, head, recent: contiguous },
        this.deps,
        this.emit,
        () => this.forgetRanges(blog.id),
      );
      this.byId.set(blog.id, feed);
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
  readOlder(feed: BlogFeed, since: number, upTo: number): Promise<readonly LiveEvent[]> {
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
    for (let page = 0; page < MAX_PAGES && from < upTo; page++) {
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
      }
    }
    return out;
  }
}

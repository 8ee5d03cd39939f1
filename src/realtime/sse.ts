import type { Deps, EventStreamRequest, EventStreamResult, EventStreams } from '../deps.js';
import type { LiveEvent } from '../domain/index.js';
import type { CatchUp } from './blog-stream.js';
import type { StreamRegistry } from './blog-streams.js';
import { ConnectionsPerIp } from './guards.js';

/**
 * Server-Sent Events beside Socket.IO, fed by the same per-blog feeds, with the same rules:
 * - catch-up from `since` (Last-Event-ID or ?since=): from the feed's ring, else from the
 *   store, else a `reset`; then live events, contiguous with the catch-up (the catch-up is
 *   computed and the stream registered in one synchronous step, as for a Socket.IO ack);
 * - every frame is `id: <seq>`, `event: <type>`, `data: <the event JSON>`, so a standard
 *   EventSource resumes after a reconnect (even to another node, or after a restart) with
 *   no gap and no duplicate;
 * - a stream whose unsent bytes stay over READER_BUFFER_BYTES is cut (it resumes from its
 *   Last-Event-ID on reconnect);
 * - a stream that would skip a seq (its feed jumped after a long bus outage) is closed
 *   rather than left with a hole: the reconnect catches up from the store or gets a reset.
 *
 * Besides the events: `event: ready` (`id:` = the head, `data: { blogId, seq }`) once the
 * catch-up is sent, so even a client that saw no event yet resumes from the right place;
 * `event: reset` (`data: { blogId, seq, reset: true }`) when the client is too far behind
 * (reload the posts, then continue); `: heartbeat <seq>` comments every SSE_HEARTBEAT_MS.
 */

/** How long a stream may stay over READER_BUFFER_BYTES (but under twice it) before it is cut. */
const SLOW_GRACE_MS = 1000;
/** How often a catch-up re-reads when the ring moved on while the store was being read. */
const CATCHUP_ATTEMPTS = 3;

const encoder = new TextEncoder();
/** Each event is encoded once however many streams it goes to. */
const frames = new WeakMap<LiveEvent, Uint8Array>();

export function eventFrame(e: LiveEvent): Uint8Array {
  let f = frames.get(e);
  if (!f) {
    f = encoder.encode(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    frames.set(e, f);
  }
  return f;
}

const textFrame = (s: string) => encoder.encode(s);

interface Client {
  blogId: string;
  member: boolean;
  ip: string;
  drop: () => void;
  /** Last seq written to this stream. */
  seq: number;
  controller: ReadableStreamDefaultController<Uint8Array>;
  overSince: number | undefined;
  done: boolean;
}

export class SseStreams implements EventStreams {
  private readonly byBlog = new Map<string, Set<Client>>();
  private readonly perIp: ConnectionsPerIp;
  private readonly slowChecks = new Set<Client>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly deps: Deps,
    private readonly feeds: StreamRegistry,
  ) {
    this.perIp = new ConnectionsPerIp(deps.config.MAX_CONNECTIONS_PER_IP);
    this.timer = setInterval(() => this.heartbeat(), deps.config.SSE_HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Open streams for a blog on this node (they keep its feed active). */
  count(blogId: string): number {
    return this.byBlog.get(blogId)?.size ?? 0;
  }

  async open(req: EventStreamRequest): Promise<EventStreamResult> {
    const { metrics, lifecycle } = this.deps;
    if (this.closed || lifecycle.draining) {
      // Not a 503: an EventSource gives up for good on any status but 200. An empty stream
      // that ends at once makes it retry after `retry:`, by then on another node or on us restarted.
      metrics.refusedConnections.inc({ reason: 'draining' });
      return { ok: true, body: this.retryLater() };
    }
    if (!this.perIp.tryAdd(req.ip)) {
      metrics.refusedConnections.inc({ reason: 'per_ip' });
      return { ok: false, code: 'rate_limited', message: 'too many connections from this address' };
    }
    let handedOver = false;
    try {
      const feed = await this.feeds.acquire(req.blogId);
      if (!feed) return { ok: false, code: 'not_found', message: 'blog not found' };
      feed.lastActive = Date.now();
      const since = req.since;
      for (let i = 0; i < 2 && since !== undefined && since > feed.head; i++) await feed.checkTail();
      let catchUp: CatchUp | null = null;
      let outcome: 'memory' | 'store' = 'memory';
      for (let attempt = 0; attempt < CATCHUP_ATTEMPTS && !catchUp; attempt++) {
        let older: readonly LiveEvent[] = [];
        if (since !== undefined && !feed.servesFromMemory(since)) {
          outcome = 'store';
          older = await this.feeds.readOlder(feed, since, feed.ringStart - 1);
        }
        // --- the synchronous step: nothing below awaits ---
        catchUp = feed.catchUp(since, older);
      }
      catchUp ??= { kind: 'reset', seq: feed.head };
      if (this.closed) return { ok: true, body: this.retryLater() };
      metrics.catchups.inc({ outcome: catchUp.kind === 'reset' ? 'reset' : outcome });
      const body = this.register(req, feed.blogId, catchUp);
      handedOver = true;
      return { ok: true, body };
    } finally {
      if (!handedOver) this.perIp.remove(req.ip);
    }
  }

  /** A committed event, in seq order, from the blog's feed (same moment as the Socket.IO room). */
  deliver(event: LiveEvent): void {
    const clients = this.byBlog.get(event.blogId);
    if (!clients) return;
    const frame = eventFrame(event);
    const toDraft = event.type === 'blog.updated' && event.data.status === 'draft';
    const now = Date.now();
    for (const c of clients) {
      if (event.seq !== c.seq + 1) {
        // Never a hole: close, the client resumes from its Last-Event-ID.
        if (event.seq > c.seq) this.end(c, 'close');
        continue;
      }
      c.seq = event.seq;
      this.write(c, frame, now);
      // A blog taken back to draft: non-members get this event (it says why) and nothing after.
      if (toDraft && !c.member) this.end(c, 'close');
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    // Ended cleanly: each EventSource reconnects (to another node, or to us after a restart).
    for (const clients of this.byBlog.values()) for (const c of clients) this.end(c, 'close');
    this.byBlog.clear();
  }

  private retryLater(): ReadableStream<Uint8Array> {
    const frame = textFrame(`retry: ${this.deps.config.SSE_RETRY_MS}\n\n`);
    return new ReadableStream({
      start(controller) {
        controller.enqueue(frame);
        controller.close();
      },
    });
  }

  private register(req: EventStreamRequest, blogId: string, catchUp: CatchUp): ReadableStream<Uint8Array> {
    const { config, metrics } = this.deps;
    let client: Client | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = {
            blogId,
            member: req.member,
            ip: req.ip,
            drop: req.drop,
            seq: catchUp.seq,
            controller,
            overSince: undefined,
            done: false,
          };
        },
        cancel: () => {
          if (client) this.forget(client);
        },
      },
      // Bytes, and no buffering ahead of the socket: desiredSize is minus the unsent bytes.
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    const c = client as unknown as Client;
    let set = this.byBlog.get(blogId);
    if (!set) {
      set = new Set();
      this.byBlog.set(blogId, set);
    }
    set.add(c);
    metrics.sseStreams.inc();
    const now = Date.now();
    c.controller.enqueue(textFrame(`retry: ${config.SSE_RETRY_MS}\n\n`));
    if (catchUp.kind === 'reset') {
      const data = JSON.stringify({ blogId, seq: catchUp.seq, reset: true });
      c.controller.enqueue(textFrame(`id: ${catchUp.seq}\nevent: reset\ndata: ${data}\n\n`));
    } else {
      for (const e of catchUp.events) this.write(c, eventFrame(e), now);
    }
    c.controller.enqueue(
      textFrame(`id: ${catchUp.seq}\nevent: ready\ndata: ${JSON.stringify({ blogId, seq: catchUp.seq })}\n\n`),
    );
    return body;
  }

  private write(c: Client, frame: Uint8Array, _now: number): void {
    if (c.done) return;
    c.controller.enqueue(frame);
    // Judged after this turn, once the socket had its chance to take what was just queued.
    if (this.slowChecks.size === 0) setImmediate(() => this.runSlowChecks());
    this.slowChecks.add(c);
  }

  private runSlowChecks(): void {
    const now = Date.now();
    for (const c of this.slowChecks) if (!c.done) this.cutIfSlow(c, now);
    this.slowChecks.clear();
  }

  /** Same rule as Socket.IO readers: over the bound for a second, or far over it once. */
  private cutIfSlow(c: Client, now: number): void {
    const limit = this.deps.config.READER_BUFFER_BYTES;
    const unsent = -(c.controller.desiredSize ?? 0);
    if (unsent <= limit) {
      c.overSince = undefined;
      return;
    }
    c.overSince ??= now;
    if (unsent <= 2 * limit && now - c.overSince < SLOW_GRACE_MS) return;
    this.deps.metrics.slowConsumerDisconnects.inc();
    this.deps.log.info({ blogId: c.blogId, unsent }, 'cutting a slow event stream');
    this.end(c, 'drop');
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const [blogId, clients] of this.byBlog) {
      const head = this.feeds.peek(blogId)?.head;
      for (const c of clients) {
        // Events reach streams synchronously as the head moves, so a head ahead of a stream
        // means the feed jumped (reset) past it: close it, it resumes from the store.
        if (head !== undefined && head > c.seq) {
          this.end(c, 'close');
          continue;
        }
        this.write(c, textFrame(`: heartbeat ${c.seq}\n\n`), now);
      }
    }
  }

  /** 'close' lets queued bytes flush and the client reconnect; 'drop' cuts the connection now. */
  private end(c: Client, how: 'close' | 'drop'): void {
    if (c.done) return;
    this.forget(c);
    if (how === 'drop') c.drop();
    try {
      c.controller.close();
    } catch {
      // already closed by the client going away
    }
  }

  private forget(c: Client): void {
    if (c.done) {
      // forget() may run twice (end, then the stream's cancel): count once.
      return;
    }
    c.done = true;
    const set = this.byBlog.get(c.blogId);
    set?.delete(c);
    if (set && set.size === 0) this.byBlog.delete(c.blogId);
    this.perIp.remove(c.ip);
    this.deps.metrics.sseStreams.dec();
  }
}

import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import type {
  ClientToServerEvents,
  CountsFrame,
  Heartbeat,
  LiveEvent,
  ServerToClientEvents,
  SubscribeAck,
} from '../../src/domain/index.js';
import { ApiError, createReaderHttp, type ReaderHttp } from './http.js';
import { applyEvent, initialState, type ReaderState, type ReaderView, sortPosts } from './state.js';

export type { ReaderState, ReaderView } from './state.js';
export { comparePosts, matchesView, sortPosts } from './state.js';

export interface ReaderClientOptions {
  /** The server's origin, e.g. https://live.example.com */
  baseUrl: string;
  /** The blog's id or slug. */
  blog: string;
  /** Extra Socket.IO client options (e.g. `transports: ['polling']`). */
  io?: Partial<ManagerOptions & SocketOptions>;
  /** An editor's token: only needed with `drafts`. */
  token?: string;
  /**
   * The origin of the page this runs on (the widget passes `location.origin`), for audience
   * figures by embedding site. Only scheme and host are sent; nothing else about the reader.
   */
  site?: string;
  /** Posts per page (first load and loadMore). */
  pageSize?: number;
  /** Filter and order; without `order`, the blog's own default order. */
  view?: Partial<ReaderView>;
  fetch?: typeof fetch;
}

export interface ReaderClient {
  /** The current state (a new object after each change). */
  readonly state: ReaderState;
  /** Calls `listener` now and after every change; returns the unsubscribe function. */
  subscribe(listener: (state: ReaderState) => void): () => void;
  /** Fetches the next page of older posts. */
  loadMore(): Promise<void>;
  /**
   * Live vote and reaction counts of this blog (the `counts` frames, at most about once a
   * second; not part of the state: widgets apply them in place). Returns the unsubscribe.
   */
  onCounts(listener: (frame: CountsFrame) => void): () => void;
  /** Resolves once the first subscribe has been acknowledged. */
  readonly ready: Promise<void>;
  /** The underlying socket, for tests and diagnostics. */
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents> | null;
  close(): void;
}

/** Bounds one gap fill over HTTP. */
const MAX_CHANGE_PAGES = 50;
const ACK_TIMEOUT_MS = 15_000;

/**
 * A reader of one blog: loads it over HTTP, then follows its events over Socket.IO. Every
 * change goes through one queue, so events, acks, gap fills and reloads never interleave;
 * an event or heartbeat ahead of the applied seq triggers a fill from `changes?since=`, and a
 * `reset` (too far behind) reloads everything. After any reconnect it resubscribes with its
 * seq, so nothing is missed and nothing is applied twice.
 */
export function createReaderClient(opts: ReaderClientOptions): ReaderClient {
  const http: ReaderHttp = createReaderHttp(opts.baseUrl, opts.fetch);
  const pageSize = opts.pageSize ?? 20;
  const listeners = new Set<(s: ReaderState) => void>();
  const countListeners = new Set<(f: CountsFrame) => void>();
  const deleted = new Map<string, number>();
  const wanted = opts.view ?? {};
  let state = initialState({ order: wanted.order ?? 'newest', tag: wanted.tag, keyEvents: wanted.keyEvents });
  /** The server said the blog ended: it will release us, and we must not come back for it. */
  let endedSeen = false;
  const finished = () => endedSeen || state.blog?.status === 'ended' || state.blog?.status === 'archived';
  let cursor: string | null = null;
  let blogId: string | null = null;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const set = (patch: Partial<ReaderState>) => {
    state = { ...state, ...patch };
    for (const l of listeners) l(state);
  };
  const fail = (err: unknown) => set({ error: err instanceof Error ? err.message : String(err) });

  /** Runs `task` after every earlier one; a failing task never blocks the next. */
  const enqueue = (task: () => Promise<void> | void) => {
    queue = queue.then(task).catch((err: unknown) => {
      if (!closed) fail(err);
    });
    return queue;
  };

  async function reload(): Promise<void> {
    const blog = await http.getBlog(blogId ?? opts.blog);
    blogId = blog.id;
    const view: ReaderView = { ...state.view, order: wanted.order ?? (blog.order === 'oldest' ? 'oldest' : 'newest') };
    const [page, summary] = await Promise.all([
      http.listPosts(blog.id, { limit: pageSize, view }),
      http.getSummary(blog.id),
    ]);
    deleted.clear();
    cursor = page.nextCursor;
    // The page may already hold changes after blog.seq; replaying those events is harmless.
    set({
      blog,
      summary,
      view,
      posts: sortPosts(page.posts, view.order),
      seq: blog.seq,
      hasMore: cursor !== null,
      unloadedNewer: 0,
      error: null,
    });
  }

  function apply(event: LiveEvent): void {
    if (event.seq !== state.seq + 1) return;
    state = applyEvent(state, event, deleted);
  }

  /** Brings the state up to `target` (or the server's head) from `changes?since=`. */
  async function fillGap(target: number): Promise<void> {
    if (!blogId) return;
    for (let i = 0; i < MAX_CHANGE_PAGES && state.seq < target; i++) {
      const changes = await http.changes(blogId, state.seq);
      if ('reset' in changes) return reload();
      const before = state.seq;
      for (const e of changes.events) apply(e);
      set({ error: null });
      if (state.seq === before) return;
    }
  }

  function onEvent(event: LiveEvent): Promise<void> | undefined {
    if (event.seq <= state.seq) return;
    if (event.seq === state.seq + 1) {
      apply(event);
      set({});
      return;
    }
    return fillGap(event.seq).then(() => {
      if (event.seq === state.seq + 1) {
        apply(event);
        set({});
      }
    });
  }

  async function onAck(ack: SubscribeAck): Promise<void> {
    if (!ack.ok) {
      set({ error: `${ack.error.code}: ${ack.error.message}` });
      // A passing trouble on the server (store unreachable): ask again a little later.
      if (ack.error.code === 'unavailable' && !closed) setTimeout(() => void enqueue(subscribeNow), 1000);
      return;
    }
    if ('reset' in ack) {
      await reload();
    } else {
      for (const e of ack.events) apply(e);
      set({ error: null });
    }
    if (ack.seq > state.seq) await fillGap(ack.seq);
    markReady();
  }

  /** Whether a subscribe was acknowledged once: later ones are reconnects, not page loads. */
  let loadCounted = false;

  function subscribeNow(): void {
    const s = socket;
    if (!s || !blogId || closed) return;
    const req = { blogId, sinceSeq: state.seq, ...(opts.site ? { site: opts.site } : {}), firstLoad: !loadCounted };
    s.timeout(ACK_TIMEOUT_MS).emit('subscribe', req, (err, ack) => {
      if (err) {
        // No answer: try again on this connection if it is still up.
        if (s.connected && !closed) subscribeNow();
        return;
      }
      if (ack.ok) loadCounted = true;
      void enqueue(() => onAck(ack));
    });
  }

  function connect(): void {
    const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(opts.baseUrl, {
      path: '/socket.io',
      // socket.io's default (20 s) leaves a reader that lost its server mid-handshake silent
      // for that long; a live page would rather try again sooner.
      timeout: 5000,
      ...(opts.token ? { auth: { token: opts.token } } : {}),
      ...opts.io,
    });
    socket = s;
    // Subscribing from the queue makes sinceSeq the seq after every queued event.
    s.on('connect', () => {
      set({ connected: true });
      void enqueue(subscribeNow);
    });
    s.on('disconnect', (reason) => {
      set({ connected: false });
      // The server cut us off (slow reader, shutdown): socket.io does not retry by itself.
      // An ended blog's readers are let go on purpose: nothing more is coming, stay off.
      if (reason === 'io server disconnect' && !closed && !finished()) scheduleReconnect();
    });
    s.on('connect_error', (err) => {
      fail(err);
      // A refusal by middleware is final for socket.io: retry later ourselves, unless our
      // token is wrong (retrying cannot help).
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (!s.active && !closed && code !== 'unauthorized') scheduleReconnect();
    });
    s.on('event', (event) => void enqueue(() => onEvent(event)));
    s.on('counts', (frame) => {
      if (frame.blogId === blogId) for (const l of countListeners) l(frame);
    });
    s.on('ended', (info) => {
      if (info.blogId === blogId) endedSeen = true;
    });
    s.on('heartbeat', (hb: Heartbeat) => {
      void enqueue(() => {
        if (hb.blogId !== blogId) return;
        set({ readers: hb.readers });
        if (hb.seq > state.seq) return fillGap(hb.seq);
      });
    });
  }

  function scheduleReconnect(): void {
    if (retryTimer || closed) return;
    const wait = 500 + Math.floor(Math.random() * 1500);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (!closed && socket && !socket.connected) socket.connect();
    }, wait);
  }

  // The first load retries until the server answers (it may be restarting).
  void enqueue(async () => {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await reload();
        break;
      } catch (err) {
        fail(err);
        if (err instanceof ApiError && err.status === 404) return; // no such blog: nothing to follow
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
    if (!closed) connect();
  });

  return {
    get state() {
      return state;
    },
    get socket() {
      return socket;
    },
    ready,
    onCounts(listener) {
      countListeners.add(listener);
      return () => countListeners.delete(listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      listener(state);
      return () => listeners.delete(listener);
    },
    loadMore() {
      return enqueue(async () => {
        if (!blogId || cursor === null) return;
        const page = await http.listPosts(blogId, { limit: pageSize, before: cursor, view: state.view });
        cursor = page.nextCursor;
        const known = new Set(state.posts.map((p) => p.id));
        const older = page.posts.filter((p) => !known.has(p.id) && !deleted.has(p.id));
        set({
          posts: sortPosts([...state.posts, ...older], state.view.order),
          hasMore: cursor !== null,
          // The last page holds every post counted while pages were missing.
          unloadedNewer: cursor === null ? 0 : state.unloadedNewer,
        });
      });
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.disconnect();
      listeners.clear();
      countListeners.clear();
    },
  };
}

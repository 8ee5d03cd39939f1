import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { expect } from 'vitest';
import { createReaderClient, type ReaderClient, sortPosts } from '../../client/reader/index.js';
import type {
  ClientToServerEvents,
  Heartbeat,
  LiveEvent,
  Post,
  ServerToClientEvents,
  SubscribeAck,
} from '../../src/domain/index.js';
import { registerCleanup } from './teardown.js';

/**
 * Readers for the multi-process tests. A `FollowingReader` is a plain Socket.IO client that
 * does what the contract asks of the simplest client: (re)subscribe with the last seq it
 * applied on every connect, and append what it receives. If the cluster ever skipped or
 * repeated an event, its `seqs()` would show it.
 */
export interface FollowingReader {
  name: string;
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  events: LiveEvent[];
  heartbeats: Heartbeat[];
  acks: SubscribeAck[];
  /** How many times the socket connected (1 + reconnects). */
  connects: number;
  /** Seq of every event received, in arrival order (ack events included). */
  seqs(): number[];
  lastSeq(): number;
  /** When each seq arrived (performance.now()), for latency figures. */
  arrivals: Map<number, number>;
  /** The local TCP port of the current WebSocket connection (websocket transport only). */
  localPort(): number | undefined;
}

/** Reaches into engine.io-client's Node WebSocket transport (the `ws` socket) for its local port. */
function wsLocalPort(socket: Socket): number | undefined {
  const transport = socket.io.engine?.transport as unknown as { ws?: { _socket?: { localPort?: number } } } | undefined;
  return transport?.ws?._socket?.localPort;
}

export function followBlog(
  name: string,
  url: string,
  blogId: string,
  opts: Partial<ManagerOptions & SocketOptions> = {},
): FollowingReader {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    path: '/socket.io',
    forceNew: true,
    reconnection: false,
    ...opts,
  });
  registerCleanup(() => {
    socket.disconnect();
  });
  const reader: FollowingReader = {
    name,
    socket,
    events: [],
    heartbeats: [],
    acks: [],
    connects: 0,
    arrivals: new Map(),
    seqs: () => reader.events.map((e) => e.seq),
    lastSeq: () => reader.events.at(-1)?.seq ?? 0,
    localPort: () => wsLocalPort(socket),
  };
  const record = (e: LiveEvent) => {
    reader.events.push(e);
    if (!reader.arrivals.has(e.seq)) reader.arrivals.set(e.seq, performance.now());
  };
  // A refusal for a passing reason (store unreachable) is retried, a bounded number of times.
  let retries = 0;
  const subscribe = () => {
    socket.timeout(15_000).emit('subscribe', { blogId, sinceSeq: reader.lastSeq() }, (err, ack) => {
      if (err) return;
      reader.acks.push(ack);
      if (ack.ok && 'events' in ack) for (const e of ack.events) record(e);
      if (!ack.ok && ack.error.code === 'unavailable' && retries++ < 200) {
        setTimeout(() => socket.connected && subscribe(), 250);
      }
    });
  };
  socket.on('connect', () => {
    reader.connects += 1;
    subscribe();
  });
  socket.on('event', (e) => {
    if (e.blogId === blogId) record(e);
  });
  socket.on('heartbeat', (hb) => reader.heartbeats.push(hb));
  return reader;
}

/** Has acknowledged at least one subscribe. */
export const subscribed = (r: FollowingReader) => r.acks.some((a) => a.ok);

/** A reader client (the typed one the widget uses), closed after the test file. */
export function openReaderClient(
  url: string,
  blog: string,
  io: Partial<ManagerOptions & SocketOptions> = {},
): ReaderClient {
  const client = createReaderClient({ baseUrl: url, blog, pageSize: 100, io: { forceNew: true, ...io } });
  registerCleanup(() => client.close());
  return client;
}

export { allPosts, range } from './api.js';

/** The post list a reader builds by applying events 1..N in order (independent of the client lib). */
export function postsFromEvents(events: LiveEvent[]): Post[] {
  const posts = new Map<string, Post>();
  for (const e of events) {
    if (e.type === 'post.created' || e.type === 'post.updated') posts.set(e.data.id, e.data);
    else if (e.type === 'post.deleted') posts.delete(e.data.id);
  }
  return sortPosts([...posts.values()]);
}

/** Compares post lists by what a reader sees, order included. */
export function expectSamePosts(actual: Post[], expected: Post[], label = 'posts'): void {
  const view = (ps: Post[]) =>
    ps.map((p) => ({ id: p.id, seq: p.seq, pinned: p.pinned, updatedAt: p.updatedAt, blocks: p.blocks }));
  expect(view(actual), label).toEqual(view(expected));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

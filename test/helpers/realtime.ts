import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { expect } from 'vitest';
import type {
  ClientToServerEvents,
  DraftEvent,
  Heartbeat,
  LiveEvent,
  Post,
  ServerToClientEvents,
  SubscribeAck,
  SubscribeRequest,
} from '../../src/domain/index.js';
import { registerCleanup } from './teardown.js';

export type TypedClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A raw Socket.IO reader that records everything it receives. */
export interface RawReader {
  socket: TypedClient;
  events: LiveEvent[];
  drafts: DraftEvent[];
  heartbeats: Heartbeat[];
  acks: SubscribeAck[];
  subscribe(req: SubscribeRequest): Promise<SubscribeAck>;
  /** Seqs seen (ack events then live events), in arrival order. */
  seqs(): number[];
}

export function openReader(url: string, opts: Partial<ManagerOptions & SocketOptions> = {}): RawReader {
  const socket: TypedClient = io(url, { path: '/socket.io', reconnection: false, forceNew: true, ...opts });
  registerCleanup(() => {
    socket.disconnect();
  });
  const reader: RawReader = {
    socket,
    events: [],
    drafts: [],
    heartbeats: [],
    acks: [],
    subscribe: (req) =>
      new Promise((resolve, reject) => {
        socket.timeout(15_000).emit('subscribe', req, (err, ack) => {
          if (err) return reject(err);
          reader.acks.push(ack);
          if (ack.ok && 'events' in ack) reader.events.push(...ack.events);
          resolve(ack);
        });
      }),
    seqs: () => reader.events.map((e) => e.seq),
  };
  socket.on('event', (e) => reader.events.push(e));
  socket.on('draft', (e) => reader.drafts.push(e));
  socket.on('heartbeat', (hb) => reader.heartbeats.push(hb));
  return reader;
}

export { allPosts, range } from './api.js';

/** Compares lists of posts by what a reader sees (id, seq, pinned, blocks), order included. */
export function expectSamePosts(actual: Post[], expected: Post[]): void {
  const view = (ps: Post[]) => ps.map((p) => ({ id: p.id, seq: p.seq, pinned: p.pinned, blocks: p.blocks }));
  expect(view(actual)).toEqual(view(expected));
}

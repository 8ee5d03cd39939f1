/**
 * Room frames in slices, so one big room cannot hold the event loop.
 *
 * A Socket.IO room emit writes to every reader in one synchronous loop: at 5,000 readers a
 * summary.updated holds the loop for ~100 ms on a small machine, and every co-editor's update
 * that arrives meanwhile waits for it (the newsroom bench's editor p99). A room larger than a
 * slice is sent slices of readers (the frame encoded once per slice) for a few milliseconds per
 * event-loop turn instead, so socket reads (editors' frames, other rooms' posts) run between.
 *
 * What stays as with a plain emit:
 * - the recipients are the room's members at the moment of the call (a reader who joins
 *   meanwhile got the frame in its subscribe ack, not twice; one who left had it sent before);
 * - each reader gets a room's frames in call order: a frame waits until the frames before it
 *   went to their last slice (a small room with nothing queued is sent at once, as before).
 */
import { performance } from 'node:perf_hooks';
import type { BroadcastOperator, Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../domain/index.js';
import type { SocketData } from './socket-data.js';

type To = BroadcastOperator<ServerToClientEvents, SocketData>;
type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

interface Queued {
  ids: string[];
  sent: number;
  send: (to: To) => void;
}

export class RoomBroadcaster {
  private readonly queues = new Map<string, Queued[]>();
  private closed = false;

  constructor(
    private readonly io: Io,
    /** Readers per slice (config BROADCAST_SLICE). */
    private readonly slice: number,
    /** How long one turn may spend on a room's slices before socket reads get theirs (BROADCAST_TURN_MS). */
    private readonly turnMs: number,
  ) {}

  /** Sends a frame to the room's current members: `send` is given the operator to emit on. */
  emit(room: string, send: (to: To) => void): void {
    const members = this.io.sockets.adapter.rooms.get(room);
    if (!members || members.size === 0 || this.closed) return;
    const queue = this.queues.get(room);
    if (!queue && members.size <= this.slice) {
      send(this.io.to(room));
      return;
    }
    const item: Queued = { ids: [...members], sent: 0, send };
    if (queue) {
      queue.push(item);
      return;
    }
    this.queues.set(room, [item]);
    this.next(room);
  }

  /** Frames still queued in slices, over all rooms (for tests and metrics). */
  get backlog(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /** Sends what is still queued at once (the server is stopping), then takes nothing more. */
  close(): void {
    for (const [room, queue] of this.queues) {
      for (const item of queue) {
        if (item.sent < item.ids.length) item.send(this.io.to(item.ids.slice(item.sent)));
      }
      this.queues.delete(room);
    }
    this.closed = true;
  }

  /** Slices of the room's queued frames, oldest first, for up to turnMs; the rest on a later turn. */
  private next(room: string): void {
    const queue = this.queues.get(room);
    if (!queue || this.closed) return;
    const started = performance.now();
    do {
      const item = queue[0];
      if (!item) break;
      const ids = item.ids.slice(item.sent, item.sent + this.slice);
      item.sent += ids.length;
      // A reader that disconnected since the call has no room of its own any more: skipped.
      item.send(this.io.to(ids));
      if (item.sent >= item.ids.length) queue.shift();
    } while (queue.length > 0 && performance.now() - started < this.turnMs);
    if (queue.length === 0) {
      this.queues.delete(room);
      return;
    }
    setImmediate(() => this.next(room));
  }
}

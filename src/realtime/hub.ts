import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Deps, EventStreams } from '../deps.js';
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents } from '../domain/index.js';
import { DIRECT_SITE, siteOf } from '../domain/index.js';
import { MinuteLimit } from '../lib/rate-limit.js';
import { delay } from '../lib/wait.js';
import { AccessJudge } from './access.js';
import { AudienceRecorder } from './audience.js';
import type { BlogStream } from './blog-stream.js';
import { StreamRegistry } from './blog-streams.js';
import { CountsBroadcaster } from './counts.js';
import { isFinished, releaseFinished } from './ended.js';
import { ConnectionsPerIp, clientIp, dropConnection, unsentBytes } from './guards.js';
import { heartbeatDue } from './heartbeat.js';
import { joinBroadcastFrames } from './one-write.js';
import { ReaderCounts } from './reader-counts.js';
import { RoomBroadcaster } from './room-broadcaster.js';
import type { SocketData } from './socket-data.js';
import { SseStreams } from './sse.js';
import { blogRoom, draftRoom, handleSubscriptions, type ReaderSocket } from './subscriptions.js';

export interface ReaderHub {
  /** Tells readers to reconnect elsewhere, disconnects them, stops timers. */
  close(): Promise<void>;
  /** The same feeds as Server-Sent Events (GET /api/v1/blogs/:blogId/events). */
  readonly streams: EventStreams;
}

/** A feed nobody has read for this long is forgotten (it reloads on the next subscribe). */
const FEED_IDLE_MS = 60_000;
/** How often an active feed re-reads the store in case the bus lost the last event. */
const TAIL_CHECK_MS = 15_000;
/** Socket payloads are tiny (subscribe/unsubscribe). */
const MAX_HTTP_BUFFER_BYTES = 16 * 1024;
/** How long a reader may stay over READER_BUFFER_BYTES (but under twice it) before it is cut. */
const SLOW_GRACE_MS = 1000;
/** How long close() lets readers leave on their own before dropping them. */
const CLOSE_GRACE_MS = 500;

type Io = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

function refusal(message: string, code: string, extra: Record<string, unknown> = {}): Error {
  const err = new Error(message) as Error & { data?: unknown };
  err.data = { code, ...extra };
  return err;
}

/**
 * The reader push hub: Socket.IO on the shared HTTP server. Events reach it only from the
 * bus; each blog's feed orders them and emits them to the blog's room.
 */
export function createReaderHub(server: HttpServer, deps: Deps): ReaderHub {
  const { config, metrics, bus, auth, log, lifecycle } = deps;
  const io: Io = new Server(server, {
    path: '/socket.io',
    transports: ['polling', 'websocket'],
    // Collab WebSockets share this server: never destroy upgrades engine.io does not handle.
    destroyUpgrade: false,
    cors: { origin: '*' },
    maxHttpBufferSize: MAX_HTTP_BUFFER_BYTES,
    serveClient: false,
  });
  // One socket write per reader for each room broadcast (src/realtime/one-write.ts).
  if (!joinBroadcastFrames(io.of('/').adapter)) log.warn('socket.io adapter changed shape: broadcasts keep two writes');
  // Frames to a big room go out a slice of readers per turn (src/realtime/room-broadcaster.ts).
  const roomFrames = new RoomBroadcaster(io, config.BROADCAST_SLICE, config.BROADCAST_TURN_MS);

  const slowChecks = new Set<string>();
  const scheduleSlowCheck = (room: string) => {
    if (slowChecks.size === 0) setImmediate(runSlowChecks);
    slowChecks.add(room);
  };
  const runSlowChecks = () => {
    for (const room of slowChecks) {
      for (const id of io.sockets.adapter.rooms.get(room) ?? []) {
        const s = io.sockets.sockets.get(id);
        if (s) cutIfSlow(s);
      }
    }
    slowChecks.clear();
  };
  // Over the bound twice (a second apart), or far over it once: one large post on a slow
  // link is a burst the reader drains, a reader that keeps growing is not.
  const cutIfSlow = (socket: ReaderSocket) => {
    const limit = config.READER_BUFFER_BYTES;
    const unsent = unsentBytes(socket.conn, 2 * limit);
    if (unsent <= limit) {
      socket.data.overSince = undefined;
      return;
    }
    const now = Date.now();
    socket.data.overSince ??= now;
    if (unsent <= 2 * limit && now - socket.data.overSince < SLOW_GRACE_MS) return;
    metrics.slowConsumerDisconnects.inc();
    log.info({ sid: socket.id, unsent }, 'disconnecting a slow reader');
    socket.disconnect(true);
    dropConnection(socket.conn);
  };

  const emitEvent = (event: LiveEvent) => {
    const room = blogRoom(event.blogId);
    roomFrames.emit(room, (to) => to.emit('event', event));
    sse.deliver(event);
    counts.onEvent(event);
    scheduleSlowCheck(room);
    // A blog taken back to draft exists only for its members from now on: readers who are
    // not members leave its room (they got this blog.updated, which says why, and nothing after).
    if (event.type === 'blog.updated' && event.data.status === 'draft') void access.dropNonMembers(event.blogId);
    // The story is over: say so at once; the tick releases the room after the grace period.
    if (event.type === 'blog.updated' && isFinished(event.data.status)) {
      const ended = { blogId: event.blogId, seq: event.seq, graceMs: config.ENDED_GRACE_MS };
      roomFrames.emit(room, (to) => to.emit('ended', ended));
    }
  };

  const releaseEndedRoom = (feed: BlogStream, now: number) => {
    const ids = io.sockets.adapter.rooms.get(blogRoom(feed.blogId));
    if (!ids?.size) return;
    const sockets: ReaderSocket[] = [];
    for (const id of ids) {
      const s = io.sockets.sockets.get(id);
      if (s) sockets.push(s);
    }
    const n = releaseFinished(feed, sockets, now, config.ENDED_GRACE_MS);
    if (n > 0) log.info({ blogId: feed.blogId, disconnected: n }, 'released the readers of an ended blog');
  };

  const feeds = new StreamRegistry(deps, emitEvent);
  const access = new AccessJudge(deps, io, feeds);
  const sse = new SseStreams(deps, feeds);
  const readerCounts = new ReaderCounts(config.HEARTBEAT_MS * 3);
  const audience = new AudienceRecorder(deps);
  /** The site and transport of each socket in a room, read lazily by the recorder. */
  const roomReaders = function* (room: string) {
    for (const id of io.sockets.adapter.rooms.get(room) ?? []) {
      const s = io.sockets.sockets.get(id);
      if (s) yield { site: s.data.site ?? DIRECT_SITE, transport: s.data.transport };
    }
  };

  // Vote and reaction counts: one volatile frame per blog and interval (src/realtime/counts.ts).
  const counts = new CountsBroadcaster(
    deps,
    (blogId) => (io.sockets.adapter.rooms.get(blogRoom(blogId))?.size ?? 0) > 0,
    (frame) => roomFrames.emit(blogRoom(frame.blogId), (to) => to.volatile.emit('counts', frame)),
  );

  const unsubscribeBus = bus.subscribe(({ from, msg }) => {
    if (msg.kind === 'event') feeds.onEvent(msg.event);
    else if (msg.kind === 'tally') counts.onTally(msg.blogId, msg.postIds);
    else if (msg.kind === 'draft') io.to(draftRoom(msg.event.blogId)).emit('draft', msg.event);
    else if (msg.kind === 'readers' && from !== bus.nodeId) readerCounts.report(from, msg.counts);
    else if (msg.kind === 'access.changed') {
      access.changed(msg.userId, msg.blogId).catch((err: unknown) => log.warn({ err }, 'access re-check failed'));
    }
  });
  const unsubscribeResync = bus.onResync(() => {
    for (const feed of feeds.all()) void feed.checkTail();
  });

  // Connection admission: draining, connection attempts per IP and minute, optional token
  // (failures per IP limited too), open connections per IP (counted last so a refused
  // handshake never holds a slot).
  const perIp = new ConnectionsPerIp(config.MAX_CONNECTIONS_PER_IP);
  const connectLimiter = new MinuteLimit('socket_connect', config.RATE_CONNECTS_PER_MIN, metrics);
  const authFailLimiter = new MinuteLimit('socket_auth_failures', config.RATE_AUTH_FAILURES_PER_MIN, metrics);
  const rateLimited = (retryAfterSeconds: number) => {
    metrics.refusedConnections.inc({ reason: 'rate_limited' });
    return refusal(`too many attempts from this address, retry in ${retryAfterSeconds} s`, 'rate_limited', {
      retryAfterSeconds,
    });
  };
  const admit = async (socket: ReaderSocket): Promise<Error | null> => {
    const ip = clientIp(socket.handshake, config.TRUST_PROXY);
    const wait = await connectLimiter.take(ip);
    if (wait !== null) return rateLimited(wait);
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const principal = typeof token === 'string' && token ? await auth.authenticate(token) : null;
    if (typeof token === 'string' && token && !principal) {
      const blocked = await authFailLimiter.take(ip);
      if (blocked !== null) return rateLimited(blocked);
      metrics.refusedConnections.inc({ reason: 'unauthorized' });
      return refusal('invalid token', 'unauthorized');
    }
    if (!perIp.tryAdd(ip)) {
      metrics.refusedConnections.inc({ reason: 'per_ip' });
      return refusal('too many connections from this address', 'rate_limited');
    }
    // The slot belongs to the underlying connection: a client that goes away while we are
    // still admitting it never becomes a socket (no 'disconnect'), and must not keep it.
    if (socket.conn.readyState !== 'open') {
      perIp.remove(ip);
      return refusal('connection closed during the handshake', 'unavailable');
    }
    socket.conn.once('close', () => perIp.remove(ip));
    socket.data = {
      ip,
      principal,
      token: principal ? (token as string) : null,
      subs: new Set(),
      transport: socket.conn.transport.name,
    };
    return null;
  };
  io.use((socket, next) => {
    if (lifecycle.draining) {
      metrics.refusedConnections.inc({ reason: 'draining' });
      return next(refusal('server is shutting down, retry', 'unavailable'));
    }
    admit(socket).then(
      (refused) => (refused ? next(refused) : next()),
      (err: unknown) => {
        log.warn({ err }, 'socket authentication failed');
        next(refusal('temporarily unavailable, retry', 'unavailable'));
      },
    );
  });

  io.on('connection', (socket) => {
    metrics.readersConnected.inc({ transport: socket.data.transport });
    socket.conn.once('upgrade', (transport: { name: string }) => {
      metrics.readersConnected.dec({ transport: socket.data.transport });
      socket.data.transport = transport.name;
      metrics.readersConnected.inc({ transport: transport.name });
    });
    socket.once('disconnect', () => {
      metrics.readersConnected.dec({ transport: socket.data.transport });
      socket.data.subs.clear();
    });
    access.track(socket);
    handleSubscriptions(socket, deps, feeds, access, (blogId, req) => {
      socket.data.site ??= siteOf(req.site);
      // Once per socket and blog: a client repeating its subscribe must not inflate the figure.
      socket.data.loadsCounted ??= new Set();
      const counted = socket.data.loadsCounted;
      if ((req.firstLoad === true || req.sinceSeq === undefined) && !counted.has(blogId) && counted.size < 16) {
        counted.add(blogId);
        audience.firstLoad(blogId);
      }
    });
  });

  // Heartbeats, reader totals, idle feeds, missed tails and slow readers, once per interval.
  let publishedCounts = false;
  const tick = () => {
    const now = Date.now();
    const counts: Record<string, number> = {};
    let rooms = 0;
    for (const feed of feeds.all()) {
      // Server-Sent Events readers count as readers and keep the feed active too.
      const local = (io.sockets.adapter.rooms.get(blogRoom(feed.blogId))?.size ?? 0) + sse.count(feed.blogId);
      const editors = io.sockets.adapter.rooms.get(draftRoom(feed.blogId))?.size ?? 0;
      if (local > 0 && isFinished(feed.status)) releaseEndedRoom(feed, now);
      if (local > 0) {
        rooms += 1;
        counts[feed.blogId] = local;
        feed.lastActive = now;
        const readers = readerCounts.total(feed.blogId, local, now);
        if (heartbeatDue(feed.beats, { at: now, head: feed.head, readers }, config.HEARTBEAT_MS)) {
          const beat = { blogId: feed.blogId, seq: feed.head, readers };
          roomFrames.emit(blogRoom(feed.blogId), (to) => to.emit('heartbeat', beat));
          feed.beats.lastBeat = { at: now, readers };
        }
        if (audience.enabled) audience.sample(feed.blogId, roomReaders(blogRoom(feed.blogId)), readers, now);
        if (now - feed.lastTailCheck > TAIL_CHECK_MS) void feed.checkTail();
      } else if (editors === 0 && now - feed.lastActive > FEED_IDLE_MS) {
        feeds.evict(feed);
      }
    }
    metrics.roomsSubscribed.set(rooms);
    audience.endTick();
    metrics.replayRingBytes.set(feeds.budget.used);
    metrics.blogStreamsLoaded.set(feeds.size);
    if (rooms > 0 || publishedCounts) bus.publish({ kind: 'readers', counts });
    publishedCounts = rooms > 0;
    for (const socket of io.sockets.sockets.values()) cutIfSlow(socket);
  };
  const timer = setInterval(tick, config.HEARTBEAT_MS);
  timer.unref();

  let closing: Promise<void> | null = null;
  return {
    streams: sse,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        counts.close();
        unsubscribeBus();
        unsubscribeResync();
        sse.close();
        roomFrames.close();
        io.emit('reconnect_hint', { reason: 'server shutting down' });
        io.disconnectSockets(true);
        // Readers that read get the hint and go; ones that do not read are dropped after a
        // short grace (a WebSocket close handshake with them would wait 30 s).
        const engine = io.engine as unknown as { clientsCount: number; clients: Record<string, unknown> };
        for (let i = 0; i < CLOSE_GRACE_MS / 20 && engine.clientsCount > 0; i++) await delay(20);
        for (const conn of Object.values(engine.clients)) dropConnection(conn);
        // Not io.close(): that would also close the shared HTTP server.
        io.engine.close();
        feeds.close();
        metrics.roomsSubscribed.set(0);
        await audience.close();
      })();
      return closing;
    },
  };
}

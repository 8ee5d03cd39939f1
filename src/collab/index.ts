import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Deps } from '../deps.js';
import { can, isReadOnly } from '../domain/index.js';
import { clientAddress } from '../lib/client-ip.js';
import { redactUrl } from '../lib/logger.js';
import { MinuteLimit } from '../lib/rate-limit.js';
import { OpenConnections } from './access.js';
import { type EditorIdentity, serveConnection } from './connection.js';
import type { DocRoom } from './doc-room.js';
import { ConnectionCounts } from './limits.js';
import { CloseCode } from './protocol.js';
import { DocRegistry } from './registry.js';
import { UpdateGuard } from './update-guard.js';

export { bulletsFromDoc } from './bullets-from-doc.js';

export interface CollabServer {
  /** Flushes pending updates to the store, closes editors' sockets (code 1012), unloads docs. */
  close(): Promise<void>;
}

const COLLAB_PATH = /^\/collab\/([^/]+)\/?$/;
const ADMIN_LOOK = { name: 'Admin', color: '#4b5563' };

/**
 * y-websocket protocol server at /collab/:blogId (id or slug) on the shared HTTP server.
 * Socket.IO keeps its own upgrades (/socket.io); any other upgrade path is destroyed.
 * Everyone is authenticated and authorised before the upgrade: no sync reaches a stranger.
 */
export function attachCollab(server: Server, deps: Deps): CollabServer {
  const { store, auth, bus, config, metrics, log } = deps;
  const guard = new UpdateGuard(log.child({ part: 'update-guard' }));
  guard.warm();
  const registry = new DocRegistry(deps, guard);
  // Frames past the update limit are refused by us with 4413; ws itself stops much larger ones.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.COLLAB_MAX_UPDATE_BYTES * 4 + 64 * 1024 });
  const connectLimiter = new MinuteLimit('collab_connect', config.RATE_CONNECTS_PER_MIN, metrics);
  const authFailLimiter = new MinuteLimit('collab_auth_failures', config.RATE_AUTH_FAILURES_PER_MIN, metrics);
  const perUser = new ConnectionCounts(config.COLLAB_CONNECTIONS_PER_USER);
  const perIp = new ConnectionCounts(config.COLLAB_CONNECTIONS_PER_IP);
  const open = new OpenConnections(deps);
  let closing = false;

  const refuse = (socket: Duplex, status: number, reason: string) => {
    metrics.refusedConnections.inc({ reason });
    if (socket.destroyed) return;
    const body = JSON.stringify({ error: { code: reason, message: STATUS_CODES[status] ?? reason } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const clientIp = (req: IncomingMessage) =>
    clientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, config.TRUST_PROXY);

  async function identify(blogKey: string, token: string | null, ip: string, socket: Duplex) {
    const principal = await auth.authenticate(token);
    if (!principal || !token) {
      // Repeated bad tokens from one address are slowed down like on the HTTP API.
      const blocked = (await authFailLimiter.take(ip)) !== null;
      return refuse(socket, blocked ? 429 : 401, blocked ? 'rate_limited' : 'unauthorized');
    }
    const blog = await store.getBlog(blogKey);
    if (!blog) return refuse(socket, 404, 'not_found');
    const role = await auth.roleFor(principal, blog.id);
    // An archived blog is read-only for its editors too (its summary included).
    const readOnly = !can(principal, role, 'summary.edit') || isReadOnly(blog.status);
    if (readOnly && !can(principal, role, 'summary.read')) return refuse(socket, 403, 'forbidden');
    const user = principal.kind === 'admin' ? ADMIN_LOOK : { name: principal.user.name, color: principal.user.color };
    // An admin account is a person too (deactivation reaches it); the bare admin token is not.
    const userId = principal.user?.id ?? null;
    const who: EditorIdentity = { readOnly, user, userId, token };
    return { blogId: blog.id, who };
  }

  async function onCollabUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    blogKey: string,
    token: string | null,
  ) {
    if (closing || deps.lifecycle.draining) return refuse(socket, 503, 'draining');
    const ip = clientIp(req);
    if ((await connectLimiter.take(ip)) !== null) return refuse(socket, 429, 'rate_limited');
    const found = await identify(blogKey, token, ip, socket);
    if (!found || socket.destroyed) return;
    // Open sockets per user and per address, counted before the doc is loaded for them.
    const userKey = found.who.userId ?? 'admin';
    if (!perUser.tryAdd(userKey)) {
      metrics.rateLimited.inc({ limit: 'collab_connections_per_user' });
      return refuse(socket, 429, 'too_many_connections');
    }
    if (!perIp.tryAdd(ip)) {
      perUser.remove(userKey);
      metrics.rateLimited.inc({ limit: 'collab_connections_per_ip' });
      return refuse(socket, 429, 'too_many_connections');
    }
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      perUser.remove(userKey);
      perIp.remove(ip);
    };
    let room: DocRoom;
    try {
      room = await registry.acquire(found.blogId);
    } catch (err) {
      uncount();
      throw err;
    }
    let released = false;
    let served = false;
    const release = () => {
      if (released) return;
      released = true;
      registry.release(room);
      if (!served) uncount();
    };
    // ws drops a handshake whose socket died without calling back: release the hold then too.
    socket.once('close', release);
    if (socket.destroyed || closing) {
      release();
      return refuse(socket, 503, 'draining');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', release);
      served = true;
      let forget = () => {};
      const member = serveConnection(ws, room, found.who, deps, () => {
        forget();
        uncount();
        registry.maybeScheduleUnload(room);
      });
      forget = open.add(member, room);
      release();
    });
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      // A request target such as `//` is no URL: throwing here would crash the process.
      metrics.refusedConnections.inc({ reason: 'unknown_upgrade_path' });
      socket.destroy();
      return;
    }
    if (url.pathname.startsWith('/socket.io/')) return; // Socket.IO's own upgrade
    const match = COLLAB_PATH.exec(url.pathname);
    let blogKey: string | null = null;
    try {
      blogKey = match?.[1] ? decodeURIComponent(match[1]) : null;
    } catch {
      blogKey = null;
    }
    if (!blogKey) {
      metrics.refusedConnections.inc({ reason: 'unknown_upgrade_path' });
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    onCollabUpgrade(req, socket, head, blogKey, url.searchParams.get('token')).catch((err: unknown) => {
      log.error({ err, url: redactUrl(req.url ?? '') }, 'collab upgrade failed');
      refuse(socket, 503, 'unavailable');
    });
  };
  server.on('upgrade', onUpgrade);

  const unsubscribe = bus.subscribe(({ from, msg }) => {
    if (from === bus.nodeId && msg.kind !== 'access.changed' && msg.kind !== 'blog.access') return;
    if (msg.kind === 'doc.update') {
      registry.get(msg.blogId)?.receiveFromBus(new Uint8Array(Buffer.from(msg.update, 'base64')), msg.rowId);
    } else if (msg.kind === 'doc.awareness') {
      registry.get(msg.blogId)?.presence.receiveFromBus(new Uint8Array(Buffer.from(msg.update, 'base64')));
    } else if (msg.kind === 'access.changed') {
      // From this node too (`from` is ours when the change was made here).
      void open.accessChanged(msg.userId, msg.blogId);
    } else if (msg.kind === 'blog.access') {
      void open.blogChanged(msg.blogId);
    }
  });
  const unsubscribeResync = bus.onResync(() => {
    for (const room of registry.all()) void room.resync('bus_resync');
  });

  return {
    async close() {
      if (closing) return;
      closing = true;
      server.off('upgrade', onUpgrade);
      unsubscribe();
      unsubscribeResync();
      // Editors reconnect (to another node or after restart) and resend what was not stored.
      for (const ws of wss.clients) ws.close(CloseCode.restart, 'server restarting');
      await registry.closeAll();
      await guard.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

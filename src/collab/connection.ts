import type { WebSocket } from 'ws';
import type { Deps } from '../deps.js';
import type { DocRoom, RoomMember } from './doc-room.js';
import { TokenBucket } from './limits.js';
import { BadMessage, CloseCode, parseClientMessage } from './protocol.js';

export interface EditorIdentity {
  readOnly: boolean;
  user: { name: string; color: string };
  /** The user behind the credential; null for the admin token (never revoked by a bus message). */
  userId: string | null;
  /** The credential the socket was opened with, re-judged when the user's access changes. */
  token: string;
}

/** Dead peers are found by WebSocket pings; a peer that misses one whole interval is dropped. */
const PING_INTERVAL_MS = 30_000;
/** Frame budget burst: this many seconds' worth of COLLAB_FRAMES_PER_SEC. */
const FRAME_BURST_SECONDS = 3;
/** How long a closed peer has to answer the close handshake before its socket is dropped. */
const CLOSE_GRACE_MS = 1000;

/**
 * One editor's WebSocket in a room: decodes frames, answers sync steps, hands updates and
 * awareness to the room, and closes with a named code on anything it will not accept.
 * Every frame spends from a budget, and answers that cost a whole document from a smaller one;
 * a peer that does not read what it is sent is cut once its unsent bytes pass the bound.
 */
export function serveConnection(ws: WebSocket, room: DocRoom, who: EditorIdentity, deps: Deps, onClose: () => void) {
  const { config, metrics, log } = deps;
  let alive = true;
  let closed = false;
  const frames = new TokenBucket(config.COLLAB_FRAMES_PER_SEC * FRAME_BURST_SECONDS, config.COLLAB_FRAMES_PER_SEC);
  const stateAnswers = new TokenBucket(config.COLLAB_STATE_ANSWERS_PER_MIN, config.COLLAB_STATE_ANSWERS_PER_MIN / 60);

  const member: RoomMember = {
    readOnly: who.readOnly,
    user: who.user,
    userId: who.userId,
    token: who.token,
    clientIds: new Set(),
    pendingUpdates: 0,
    pendingBytes: 0,
    held: null,
    get open() {
      return !closed;
    },
    send(frame) {
      if (closed || ws.readyState !== ws.OPEN) return;
      // Slow-consumer rule: what the peer has not taken is memory of ours. Its editor
      // reconnects and syncs afresh; a client that never reads is gone.
      if (ws.bufferedAmount + frame.length > config.COLLAB_BUFFER_BYTES) {
        // Counted as a refused frame (the reader hub's slow_consumer_disconnects counts readers only).
        metrics.refusedFrames.inc({ reason: 'slow_consumer' });
        log.info({ blogId: room.blogId, unsent: ws.bufferedAmount }, 'cutting a collab peer that does not read');
        closed = true;
        ws.terminate();
        return;
      }
      ws.send(frame);
    },
    close(code, reason) {
      if (closed) return;
      closed = true;
      ws.close(code, reason);
      // A peer that does not read never answers the close either: drop it, and what it left unread.
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    },
  };

  const refuse = (reason: string, code: number, message: string) => {
    metrics.refusedFrames.inc({ reason });
    member.close(code, message);
  };

  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (!frames.take()) return refuse('frame_budget', CloseCode.rateLimited, 'too many frames');
    if (!isBinary || !(data instanceof Buffer)) return refuse('not_binary', CloseCode.badMessage, 'binary frames only');
    if (data.length > config.COLLAB_MAX_UPDATE_BYTES)
      return refuse('too_large', CloseCode.tooLarge, 'message too large');
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    try {
      const msg = parseClientMessage(frame);
      switch (msg.kind) {
        case 'step1':
          // A 4-byte frame can ask for the whole document: these answers have a budget of their own.
          if (!stateAnswers.take()) return refuse('state_answers', CloseCode.rateLimited, 'too many sync requests');
          room.answerSyncStep1(member, msg.stateVector);
          break;
        case 'update':
          room.receiveUpdate(member, msg.update);
          break;
        case 'awareness':
          room.presence.receive(member, msg.update);
          break;
        case 'queryAwareness': {
          if (!stateAnswers.take()) return refuse('state_answers', CloseCode.rateLimited, 'too many awareness queries');
          const snapshot = room.presence.snapshotFrame();
          if (snapshot) member.send(snapshot);
          break;
        }
      }
    } catch (err) {
      if (err instanceof BadMessage) return refuse('bad_message', CloseCode.badMessage, err.message);
      log.warn({ err, blogId: room.blogId }, 'collab message failed');
      refuse('bad_message', CloseCode.badMessage, 'message could not be processed');
    }
  });

  ws.on('pong', () => {
    alive = true;
  });
  const pinger = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, PING_INTERVAL_MS);
  pinger.unref();

  ws.on('error', (err) => log.debug({ err, blogId: room.blogId }, 'collab socket error'));
  ws.on('close', () => {
    closed = true;
    clearInterval(pinger);
    metrics.editorsConnected.dec();
    room.leave(member);
    onClose();
  });

  metrics.editorsConnected.inc();
  room.join(member);
  return member;
}

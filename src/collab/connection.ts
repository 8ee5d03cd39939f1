import type { WebSocket } from 'ws';
import type { Deps } from '../deps.js';
import type { DocRoom, RoomMember } from './doc-room.js';
import { BadMessage, CloseCode, encodeSyncStep2, parseClientMessage } from './protocol.js';

export interface EditorIdentity {
  readOnly: boolean;
  user: { name: string; color: string };
}

/** Dead peers are found by WebSocket pings; a peer that misses one whole interval is dropped. */
const PING_INTERVAL_MS = 30_000;

/**
 * One editor's WebSocket in a room: decodes frames, answers sync steps, hands updates and
 * awareness to the room, and closes with a named code on anything it will not accept.
 */
export function serveConnection(ws: WebSocket, room: DocRoom, who: EditorIdentity, deps: Deps, onClose: () => void) {
  const { config, metrics, log } = deps;
  let alive = true;
  let closed = false;

  const member: RoomMember = {
    readOnly: who.readOnly,
    user: who.user,
    clientIds: new Set(),
    send(frame) {
      if (ws.readyState === ws.OPEN) ws.send(frame);
    },
    close(code, reason) {
      if (closed) return;
      closed = true;
      ws.close(code, reason);
    },
  };

  const refuse = (reason: string, code: number, message: string) => {
    metrics.refusedFrames.inc({ reason });
    member.close(code, message);
  };

  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (!isBinary || !(data instanceof Buffer)) return refuse('not_binary', CloseCode.badMessage, 'binary frames only');
    if (data.length > config.COLLAB_MAX_UPDATE_BYTES)
      return refuse('too_large', CloseCode.tooLarge, 'message too large');
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    try {
      const msg = parseClientMessage(frame);
      switch (msg.kind) {
        case 'step1':
          member.send(encodeSyncStep2(room.doc, msg.stateVector));
          break;
        case 'update':
          room.receiveUpdate(member, msg.update);
          break;
        case 'awareness':
          room.presence.receive(member, msg.update);
          break;
        case 'queryAwareness': {
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

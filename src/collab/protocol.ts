import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** Top-level y-websocket message types (what the stock WebsocketProvider speaks). */
export const MSG_SYNC = 0;
export const MSG_AWARENESS = 1;
export const MSG_AUTH = 2;
export const MSG_QUERY_AWARENESS = 3;

/** y-protocols sync sub-types. */
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

/**
 * Named WebSocket close codes. 44xx mirror HTTP 4xx: the provider does not reconnect after
 * them (reconnecting cannot help); 1011/1012 make it reconnect.
 */
export const CloseCode = {
  internalError: 1011,
  restart: 1012,
  badMessage: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  tooLarge: 4413,
  rateLimited: 4429,
} as const;

export type ClientMessage =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' };

export class BadMessage extends Error {
  override name = 'BadMessage';
}

/** Decodes one client frame; throws BadMessage on anything unknown or truncated. */
export function parseClientMessage(frame: Uint8Array): ClientMessage {
  try {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type === MSG_SYNC) {
      const sub = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (sub === SYNC_STEP1) {
        // Decoding checks the vector is well formed before it reaches encodeStateAsUpdate.
        Y.decodeStateVector(payload);
        return { kind: 'step1', stateVector: payload };
      }
      if (sub === SYNC_STEP2 || sub === SYNC_UPDATE) return { kind: 'update', update: payload };
      throw new BadMessage(`unknown sync message type ${sub}`);
    }
    if (type === MSG_AWARENESS) return { kind: 'awareness', update: decoding.readVarUint8Array(decoder) };
    if (type === MSG_QUERY_AWARENESS) return { kind: 'queryAwareness' };
    throw new BadMessage(`unknown message type ${type}`);
  } catch (err) {
    if (err instanceof BadMessage) throw err;
    throw new BadMessage('undecodable message');
  }
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_STEP1);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  return encoding.toUint8Array(e);
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_STEP2);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector));
  return encoding.toUint8Array(e);
}

export function encodeUpdateMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_UPDATE);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/** Reads an awareness update (count, then clientID, clock, JSON state each). Throws BadMessage. */
export function decodeAwareness(update: Uint8Array, maxEntries: number): AwarenessEntry[] {
  try {
    const d = decoding.createDecoder(update);
    const n = decoding.readVarUint(d);
    if (n > maxEntries) throw new BadMessage(`awareness update with ${n} states`);
    const out: AwarenessEntry[] = [];
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const state: unknown = JSON.parse(decoding.readVarString(d));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) {
        throw new BadMessage('awareness state must be an object or null');
      }
      out.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    return out;
  } catch (err) {
    if (err instanceof BadMessage) throw err;
    throw new BadMessage('undecodable awareness update');
  }
}

export function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, JSON.stringify(x.state));
  }
  return encoding.toUint8Array(e);
}

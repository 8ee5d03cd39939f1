/**
 * One socket write per reader for a room broadcast.
 *
 * Socket.IO's in-memory adapter encodes a broadcast once and builds its WebSocket frame once
 * (`wsPreEncodedFrame`), but ws keeps that frame as two buffers, header and payload, and sends
 * it to every reader as cork + two writes + uncork, i.e. a two-part writev with its bookkeeping
 * per socket. Joining the two parts once per broadcast makes it a single plain write per
 * reader: the same bytes on the wire, in the same order, less work per reader (at 10,000
 * readers that work is most of what a post costs the server).
 *
 * The adapter's `_encode` is not in its public types, so the hook checks the shape it relies on
 * and leaves the adapter alone when it differs (an upgrade then falls back to the stock path;
 * test/unit/one-write.test.ts notices).
 */

interface PacketOpts {
  wsPreEncodedFrame?: unknown;
}
type Encode = (packet: unknown, opts: PacketOpts) => unknown;

const JOINED = Symbol('liveblog.oneWrite');

/** Installs the hook on a namespace's adapter; true when it is (or already was) installed. */
export function joinBroadcastFrames(adapter: object): boolean {
  const a = adapter as { _encode?: Encode; [JOINED]?: true };
  if (a[JOINED]) return true;
  const original = a._encode;
  if (typeof original !== 'function') return false;
  a._encode = function (this: unknown, packet: unknown, opts: PacketOpts) {
    const encoded = original.call(this, packet, opts);
    const frame = opts.wsPreEncodedFrame;
    if (Array.isArray(frame) && frame.length === 2 && frame.every((part) => Buffer.isBuffer(part))) {
      opts.wsPreEncodedFrame = [Buffer.concat(frame as Buffer[])];
    }
    return encoded;
  };
  a[JOINED] = true;
  return true;
}

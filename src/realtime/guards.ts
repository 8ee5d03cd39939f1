import type { IncomingHttpHeaders } from 'node:http';
import { clientAddress } from '../lib/client-ip.js';

/**
 * Protection against slow and hostile clients: connections per IP, and the size of what a
 * reader has not received yet.
 */

/** The client's address for caps and limits (one rule with HTTP and collab: lib/client-ip.ts). */
export function clientIp(handshake: { address: string; headers: IncomingHttpHeaders }, trustProxy: boolean): string {
  return clientAddress(handshake.headers['x-forwarded-for'], handshake.address, trustProxy);
}

/** Open connections per IP, with a cap. */
export class ConnectionsPerIp {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a new connection; false (and nothing counted) when the IP is at its cap. */
  tryAdd(ip: string): boolean {
    const n = this.counts.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(ip, n + 1);
    return true;
  }

  remove(ip: string): void {
    const n = (this.counts.get(ip) ?? 0) - 1;
    if (n > 0) this.counts.set(ip, n);
    else this.counts.delete(ip);
  }
}

/** The engine.io internals we read (not in its public types). */
interface EnginePacket {
  data?: unknown;
}
interface EngineConn {
  writeBuffer?: EnginePacket[];
  transport?: { name?: string; socket?: { bufferedAmount?: number } };
}

function packetBytes(p: EnginePacket): number {
  const d = p.data;
  if (typeof d === 'string') return d.length;
  if (d instanceof ArrayBuffer || ArrayBuffer.isView(d)) return d.byteLength;
  return 16;
}

/**
 * Bytes queued for a client and not yet handed to the kernel: engine.io's write buffer
 * (packets waiting for a poll request, or for the previous WebSocket write to finish) plus
 * the WebSocket's own unsent bytes. Stops counting once `limit` is passed.
 */
export function unsentBytes(conn: unknown, limit = Number.POSITIVE_INFINITY): number {
  const c = conn as EngineConn;
  let total = 0;
  if (c.transport?.name === 'websocket') total += c.transport.socket?.bufferedAmount ?? 0;
  for (const p of c.writeBuffer ?? []) {
    if (total > limit) break;
    total += packetBytes(p);
  }
  return total;
}

/** Drops a connection at once, discarding what it has not read (a plain close would wait for it). */
export function dropConnection(conn: unknown): void {
  const c = conn as { close?: (discard?: boolean) => void; transport?: { socket?: { terminate?: () => void } } };
  try {
    c.transport?.socket?.terminate?.();
  } catch {
    // already gone
  }
  try {
    c.close?.(true);
  } catch {
    // already closed
  }
}

/**
 * A per-socket budget: `burst` actions at once, refilled at `perSecond`. Synchronous and
 * allocation-free, since one lives on every reader socket.
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
  }

  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

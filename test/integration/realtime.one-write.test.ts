import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { joinBroadcastFrames } from '../../src/realtime/one-write.js';
import { waitFor } from '../helpers/wait.js';

type Encode = (packet: unknown, opts: { wsPreEncodedFrame?: unknown }) => unknown;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(hooked: boolean) {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  const installed = hooked ? joinBroadcastFrames(io.of('/').adapter) : false;
  io.on('connection', (s) => void s.join('room'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  cleanups.push(() => io.close());
  return { io, url, installed };
}

function client(url: string): Socket {
  const s = connect(url, { transports: ['websocket'], reconnection: false });
  cleanups.push(() => void s.close());
  return s;
}

describe('one socket write per reader for a room broadcast', () => {
  it('installs on the adapter of this socket.io version and builds one buffer with the stock bytes', async () => {
    const { io, installed } = await serve(false);
    const adapter = io.of('/').adapter as unknown as { _encode: Encode };
    const packet = { type: 2, data: ['event', { seq: 7, text: 'é'.repeat(300) }], nsp: '/' };
    const stock: { wsPreEncodedFrame?: unknown } = {};
    adapter._encode(packet, stock);
    expect(installed).toBe(false);
    // ws builds the frame as header + payload: the two writes this hook removes.
    expect(Array.isArray(stock.wsPreEncodedFrame) && stock.wsPreEncodedFrame.length).toBe(2);

    expect(joinBroadcastFrames(adapter)).toBe(true);
    expect(joinBroadcastFrames(adapter)).toBe(true); // once only
    const joined: { wsPreEncodedFrame?: unknown } = {};
    adapter._encode(packet, joined);
    const frame = joined.wsPreEncodedFrame as Buffer[];
    expect(frame).toHaveLength(1);
    expect(frame[0]?.equals(Buffer.concat(stock.wsPreEncodedFrame as Buffer[]))).toBe(true);
  });

  it('readers get every broadcast intact and in order, small and large, text and binary', async () => {
    const { io, url, installed } = await serve(true);
    expect(installed).toBe(true);
    const readers = [client(url), client(url), client(url)];
    const got: unknown[][] = readers.map(() => []);
    for (const [i, s] of readers.entries()) s.on('event', (e: unknown) => void got[i]?.push(e));
    await waitFor(() => io.of('/').adapter.rooms.get('room')?.size === readers.length);

    // Sizes across the 7-bit, 16-bit and 64-bit WebSocket length forms.
    const sent = [10, 125, 126, 70_000, 65_535, 1].map((n, seq) => ({ seq, body: 'x'.repeat(n) }));
    for (const e of sent) io.to('room').emit('event', e);
    io.to('room').emit('event', { seq: 99, bin: Buffer.from([1, 2, 3]) }); // binary: stock path
    await waitFor(() => got.every((g) => g.length === sent.length + 1));
    for (const g of got) {
      expect(g.slice(0, sent.length)).toEqual(sent);
      expect(g[sent.length]).toMatchObject({ seq: 99 });
    }
  });
});

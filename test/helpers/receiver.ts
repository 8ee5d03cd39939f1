import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCleanup } from './teardown.js';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes (binary bodies: push payloads). */
  raw: Buffer;
  at: number;
}

export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Replaces how the receiver answers (default: 200 "ok"). */
  behave(b: Behaviour): void;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on loopback port 0 for outbound tests (webhooks, WebSub callbacks,
 * push endpoints). Records every request; closed after the test file.
 */
export async function startReceiver(initial?: Behaviour): Promise<Receiver> {
  const received: Received[] = [];
  let behaviour: Behaviour = initial ?? ((_req, res) => res.end('ok'));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, raw, at: Date.now() });
      behaviour(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  registerCleanup(close);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    behave: (b) => {
      behaviour = b;
    },
    close,
  };
}

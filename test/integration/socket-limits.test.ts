import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { counterValue } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Socket.IO admission limits: connection attempts per IP and minute, and failed
 * authentications per IP and minute. A refusal is a connect_error with a message and
 * `data.code` (plus `retryAfterSeconds`), never a hang.
 */

interface Outcome {
  connected: boolean;
  message?: string;
  data?: { code?: string; retryAfterSeconds?: number };
}

function attempt(url: string, opts: { token?: string; forwardedFor?: string } = {}): Promise<Outcome> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(opts.token ? { auth: { token: opts.token } } : {}),
    ...(opts.forwardedFor ? { extraHeaders: { 'x-forwarded-for': opts.forwardedFor } } : {}),
  });
  return new Promise<Outcome>((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', (err) =>
      resolve({ connected: false, message: err.message, data: (err as Error & { data?: Outcome['data'] }).data }),
    );
  }).finally(() => socket.disconnect());
}

describe('Socket.IO connection limits', () => {
  it('refuses connection attempts past RATE_CONNECTS_PER_MIN per IP with a connect_error', async () => {
    const server = await startServer({ RATE_CONNECTS_PER_MIN: '5', TRUST_PROXY: 'true' });
    // Sequential and closed each time: the open-connections cap is not what stops them.
    for (let i = 0; i < 5; i++) expect((await attempt(server.url)).connected, `attempt ${i + 1}`).toBe(true);
    const refused = await attempt(server.url);
    expect(refused.connected).toBe(false);
    expect(refused.message).toMatch(/too many attempts/);
    expect(refused.data?.code).toBe('rate_limited');
    expect(refused.data?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.data?.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another address (behind a trusted proxy) has its own budget.
    expect((await attempt(server.url, { forwardedFor: '203.0.113.7' })).connected).toBe(true);
    const { metrics } = server.app.deps;
    expect(await counterValue(metrics.rateLimited, { limit: 'socket_connect' })).toBe(1);
    expect(await counterValue(metrics.refusedConnections, { reason: 'rate_limited' })).toBe(1);
  });

  it('slows down repeated bad tokens from one IP (RATE_AUTH_FAILURES_PER_MIN)', async () => {
    const server = await startServer({ RATE_AUTH_FAILURES_PER_MIN: '2' });
    for (let i = 0; i < 2; i++) {
      const bad = await attempt(server.url, { token: 'not-a-real-token' });
      expect(bad).toMatchObject({ connected: false, message: 'invalid token', data: { code: 'unauthorized' } });
    }
    const blocked = await attempt(server.url, { token: 'not-a-real-token' });
    expect(blocked).toMatchObject({ connected: false, data: { code: 'rate_limited' } });
    // Anonymous readers from the same address are not punished for it, nor are valid tokens.
    expect((await attempt(server.url)).connected).toBe(true);
    expect((await attempt(server.url, { token: server.adminToken })).connected).toBe(true);
    expect(await counterValue(server.app.deps.metrics.rateLimited, { limit: 'socket_auth_failures' })).toBe(1);
  });

  // Carrier-grade NAT: thousands of phones share an address during a big story. The old
  // default (200) refused the 201st reader behind one address.
  it('the default per-address cap lets hundreds of readers in from one address', async () => {
    const server = await startServer({ RATE_CONNECTS_PER_MIN: '100000' });
    expect(server.app.deps.config.MAX_CONNECTIONS_PER_IP).toBeGreaterThanOrEqual(5000);
    const sockets = [];
    try {
      for (let i = 0; i < 300; i += 50) {
        const batch = Array.from({ length: 50 }, () =>
          io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false }),
        );
        sockets.push(...batch);
        const outcomes = await Promise.all(
          batch.map(
            (s) =>
              new Promise<boolean>((resolve) => {
                s.once('connect', () => resolve(true));
                s.once('connect_error', () => resolve(false));
              }),
          ),
        );
        expect(outcomes.every(Boolean), `batch starting at ${i}`).toBe(true);
      }
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });

  it('a client that drops mid-handshake does not keep its per-IP slot', async () => {
    const server = await startServer({ MAX_CONNECTIONS_PER_IP: '2' });
    const url = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
    // Namespace CONNECT then garbage: the server drops the connection while admission is
    // still running (found by the sweep: each such client leaked a slot for good).
    for (let i = 0; i < 6; i++) {
      const ws = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve()); // engine.io open packet
        ws.once('error', reject);
      });
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.send('40');
      ws.send('not a socket.io packet');
      await closed;
    }
    await waitFor(async () => (await attempt(server.url)).connected, {
      what: 'a fresh reader let in',
      timeoutMs: 5000,
    });
  });
});

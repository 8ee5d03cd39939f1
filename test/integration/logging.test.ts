import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { ADMIN_TOKEN, type ServerProcess, spawnServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';

/**
 * Logs of a real process: no token (admin, user, bogus, collab ?token=, Socket.IO auth) ever
 * reaches the output, and every HTTP log line carries a request id. Run at info (what
 * operators use) and at debug (where each request gets an access line).
 */

const BOGUS = 'bogus-token-that-must-not-be-logged-0123456789';

/** Drives every path that sees a token; returns the tokens used. */
async function exercise(srv: ServerProcess): Promise<string[]> {
  const cast = await setupBlog(srv.url, ADMIN_TOKEN, 'Logging');
  const blogId = cast.blog.id;
  const wsBase = srv.url.replace('http', 'ws');
  await cast.editor.createPost(blogId, { blocks: [text('<p>hello</p>')] });
  // Failed authentication over HTTP, in the header and (wrongly) in the query.
  expect((await createApi(srv.url, BOGUS).raw('POST', `/api/v1/blogs/${blogId}/posts`, { body: {} })).status).toBe(401);
  expect((await cast.anon.raw('GET', `/api/v1/blogs/${blogId}?token=${BOGUS}&access_token=${BOGUS}`)).status).toBe(200);
  expect((await cast.anon.raw('GET', `/nope?token=${cast.users.editor.token}`)).status).toBe(404);
  // A request id chosen by the client is echoed.
  const withId = await cast.anon.raw('GET', `/api/v1/blogs/${blogId}`, {
    headers: { 'x-request-id': 'client-chosen-id-42' },
  });
  expect(withId.headers.get('x-request-id')).toBe('client-chosen-id-42');
  const missing = await cast.anon.raw('GET', '/api/v1/blogs/missing-blog');
  expect((missing.body as { error: { requestId?: string } }).error.requestId).toBe(missing.headers.get('x-request-id'));

  // Collab with tokens in the query: accepted, refused, and on a blog that does not exist.
  for (const [path, token] of [
    [blogId, cast.users.editor.token],
    [blogId, BOGUS],
    ['no-such-blog', cast.users.owner.token],
  ] as const) {
    const ws = new WebSocket(`${wsBase}/collab/${path}?token=${token}`);
    await new Promise<void>((resolve) => {
      ws.once('open', () => resolve());
      ws.once('error', () => resolve());
    });
    ws.terminate();
  }
  // Socket.IO with a token in the handshake: valid and bogus.
  for (const token of [cast.users.editor.token, BOGUS]) {
    const s = io(srv.url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
    registerCleanup(() => void s.disconnect());
    await new Promise<void>((resolve) => {
      s.once('connect', () => resolve());
      s.once('connect_error', () => resolve());
    });
    if (s.connected) await s.timeout(5000).emitWithAck('subscribe', { blogId, drafts: true });
    s.disconnect();
  }
  return [ADMIN_TOKEN, BOGUS, ...Object.values(cast.users).map((u) => u.token)];
}

async function run(level: 'info' | 'debug') {
  const srv = await spawnServer({ LOG_LEVEL: level });
  const tokens = await exercise(srv);
  const closed = new Promise<void>((resolve) => srv.proc.once('close', () => resolve()));
  srv.proc.kill('SIGTERM');
  await closed;
  return { output: srv.output(), tokens };
}

describe('logs', () => {
  it('never contain a token, and every HTTP line has a request id (info and debug)', async () => {
    const results = await Promise.all([run('info'), run('debug')]);
    for (const [i, { output, tokens }] of results.entries()) {
      const level = i === 0 ? 'info' : 'debug';
      for (const token of tokens) expect(output.includes(token), `${level} output contains a token`).toBe(false);
      const lines = output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length, level).toBeGreaterThan(3);
      expect(
        lines.some((l) => l.msg === 'stopped'),
        `${level}: clean stop logged`,
      ).toBe(true);
      const httpLines = lines.filter((l) => l.area === 'http');
      for (const l of httpLines) expect(typeof l.reqId, JSON.stringify(l)).toBe('string');
      if (level === 'debug') {
        const requests = httpLines.filter((l) => l.msg === 'request');
        expect(requests.length).toBeGreaterThanOrEqual(12);
        expect(requests.some((l) => l.reqId === 'client-chosen-id-42')).toBe(true);
        // Query tokens are masked, not dropped: the line still says a token was there.
        expect(requests.some((l) => String(l.url).includes('token=[redacted]'))).toBe(true);
      } else {
        // info stays quiet about individual requests
        expect(httpLines.filter((l) => l.msg === 'request')).toEqual([]);
      }
    }
  }, 60_000);
});

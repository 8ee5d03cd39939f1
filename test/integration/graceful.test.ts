import { request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { bulletList, connectEditor, itemTexts, listItem } from '../helpers/collab.js';
import { ADMIN_TOKEN, spawnServer, tempDataDir } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Graceful restart of a real process: SIGTERM → /ready 503 while still serving → listener
 * closed (new connections refused) → in-flight writes finish → collab flushed → readers told
 * to reconnect → exit 0 within SHUTDOWN_TIMEOUT_MS. A second SIGTERM ends a long drain at once.
 */

const SHUTDOWN_DELAY_MS = 1200;
const SHUTDOWN_TIMEOUT_MS = 6000;

/** GET over a NEW connection (no keep-alive pool): a status, or 'refused'. */
function freshGet(url: string): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve('refused'));
    req.setTimeout(3000, () => req.destroy());
    req.end();
  });
}

interface SlowWrite {
  /** Sends the rest of the body; resolves with the status and parsed body. */
  finish(): Promise<{ status: number; body: { id?: string } }>;
}

/** A POST whose headers and first half of the body are on the wire now; the rest comes later. */
function startSlowWrite(url: string, token: string, body: unknown): Promise<SlowWrite> {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  return new Promise((resolveStarted, rejectStarted) => {
    let answer: (v: { status: number; body: { id?: string } }) => void = () => {};
    let fail: (err: Error) => void = rejectStarted;
    const answered = new Promise<{ status: number; body: { id?: string } }>((res, rej) => {
      answer = res;
      fail = rej;
    });
    answered.catch(() => {});
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => answer({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', (err) => fail(err));
    req.write(payload.subarray(0, half), () =>
      resolveStarted({
        finish: () => {
          req.end(payload.subarray(half));
          return answered;
        },
      }),
    );
  });
}

interface Reader {
  socket: Socket;
  hints: string[];
  disconnects: string[];
}

function connectReader(url: string): Reader {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  registerCleanup(() => {
    socket.disconnect();
  });
  const reader: Reader = { socket, hints: [], disconnects: [] };
  socket.on('reconnect_hint', (info: { reason: string }) => reader.hints.push(info.reason));
  socket.on('disconnect', (reason) => reader.disconnects.push(reason));
  return reader;
}

/** Resolves with a connect_error message, or 'connected' if the server let it in. */
function tryConnect(url: string): Promise<string> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 3000 });
  return new Promise<string>((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  }).finally(() => socket.close());
}

describe('graceful restart (real process)', () => {
  it('SIGTERM: ready 503 first, then refuses, finishes in-flight work, flushes collab, exits 0 in bound', async () => {
    const dataDir = tempDataDir();
    const env = {
      DATA_DIR: dataDir,
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      SUMMARY_DEBOUNCE_MS: '0',
    };
    const srv = await spawnServer(env);
    const cast = await setupBlog(srv.url, ADMIN_TOKEN, 'Graceful');
    const blogId = cast.blog.id;
    await cast.editor.createPost(blogId, { blocks: [text('<p>before</p>')] });

    const readers = [connectReader(srv.url), connectReader(srv.url)];
    for (const r of readers) {
      const ack = await r.socket.timeout(10_000).emitWithAck('subscribe', { blogId, sinceSeq: 0 });
      expect(ack).toMatchObject({ ok: true });
    }
    const editor = connectEditor(srv, blogId, cast.users.editor.token);
    await waitFor(() => editor.provider.synced, { what: 'editor synced' });
    bulletList(editor.doc).insert(0, [listItem('first bullet')]);

    // A write whose request is on the wire before the signal and completes after the listener closed.
    const slow = await startSlowWrite(`${srv.url}/api/v1/blogs/${blogId}/posts`, cast.users.editor.token, {
      blocks: [text('<p>in flight during the drain</p>')],
    });

    // 'close', not 'exit': by then the process's output has been read to the end.
    const exitCode = new Promise<number | null>((resolve) => srv.proc.once('close', (code) => resolve(code)));
    // The editor's last update leaves just before the signal: the drain must still store it.
    bulletList(editor.doc).insert(1, [listItem('last words before SIGTERM')]);
    const signalledAt = Date.now();
    srv.proc.kill('SIGTERM');

    // 1. /ready turns 503 while the listener is still open (a load balancer takes us out).
    await waitFor(async () => (await freshGet(`${srv.url}/ready`)) === 503, { what: '/ready 503', timeoutMs: 3000 });
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_DELAY_MS);
    expect(await freshGet(`${srv.url}/health`)).toBe(200);
    // New Socket.IO readers are turned away with a reason while draining.
    expect(await tryConnect(srv.url)).toMatch(/shutting down/);

    // 2. After the delay the listener closes: new connections are refused.
    await waitFor(async () => (await freshGet(`${srv.url}/health`)) === 'refused', {
      what: 'listener closed',
      timeoutMs: SHUTDOWN_DELAY_MS + 3000,
    });
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS - 50);

    // 3. The in-flight write still finishes with a 2xx.
    const written = await slow.finish();
    expect(written.status).toBe(201);
    expect(written.body.id).toBeTruthy();

    // 4. Readers were told to reconnect and disconnected; the process exits 0 within the bound.
    expect(await exitCode).toBe(0);
    const tookMs = Date.now() - signalledAt;
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    for (const r of readers) {
      expect(r.disconnects.length).toBe(1);
      expect(r.hints).toEqual(['server shutting down']);
    }
    expect(editor.closes.some((c) => c.code === 1012)).toBe(true);
    expect(srv.output()).toMatch(/"msg":"stopped"/);
    editor.destroy();

    // 5. After a restart on the same data: the in-flight post and the last collab update are there.
    const again = await spawnServer(env);
    const { posts: stored } = await createApi(again.url).listPosts(blogId);
    expect(stored.map((p) => p.id)).toContain(written.body.id);
    const reopened = connectEditor(again, blogId, cast.users.editor.token);
    await waitFor(() => reopened.provider.synced, { what: 'editor synced after restart' });
    expect(itemTexts(reopened.doc)).toEqual(['first bullet', 'last words before SIGTERM']);
    reopened.destroy();
    console.log(
      `[graceful] drained and exited 0 in ${tookMs} ms (delay ${SHUTDOWN_DELAY_MS}, bound ${SHUTDOWN_TIMEOUT_MS})`,
    );
    await again.kill();
  }, 60_000);

  it('a second SIGTERM during a long drain exits at once', async () => {
    const srv = await spawnServer({ SHUTDOWN_DELAY_MS: '20000', SHUTDOWN_TIMEOUT_MS: '60000' });
    const exited = new Promise<number | null>((resolve) => srv.proc.once('exit', (code) => resolve(code)));
    srv.proc.kill('SIGTERM');
    await waitFor(async () => (await freshGet(`${srv.url}/ready`)) === 503, { what: 'draining', timeoutMs: 5000 });
    const second = Date.now();
    srv.proc.kill('SIGTERM');
    const code = await exited;
    expect(Date.now() - second).toBeLessThan(2000);
    expect(code).toBe(1);
    expect(srv.output()).toMatch(/second signal: exiting now/);
  }, 30_000);
});

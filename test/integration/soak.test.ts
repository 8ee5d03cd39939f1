import { mkdirSync, writeFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { createReaderClient, type ReaderClient } from '../../client/reader/index.js';
import type { LiveEvent, Post, SubscribeAck } from '../../src/domain/index.js';
import { allPosts, createApi, setupBlog, text } from '../helpers/api.js';
import { ADMIN_TOKEN, type ServerProcess, spawnServer, tempDataDir } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Crash soak: concurrent writers against a real process that is SIGKILLed and restarted five
 * times on the same port and data. Every acknowledged write must survive, seqs must run 1..N
 * without repeat or hole, and readers that stayed subscribed must end with exactly the store.
 */

const WRITERS = 4;
const RESTARTS = 5;
/** Acknowledged writes to wait for between two kills (so each crash lands mid-load). */
const ACKS_PER_ROUND = 25;
/** Hard bounds on the load, whatever happens. */
const MAX_ACKS_PER_WRITER = 150;
const MAX_ATTEMPTS_PER_WRITER = 2000;
const SOAK_DEADLINE_MS = 70_000;

/** A raw Socket.IO reader that resubscribes with the seq it has applied after every reconnect. */
function rawReader(url: string, blogId: string) {
  const applied: LiveEvent[] = [];
  const errors: string[] = [];
  let seq = 0;
  const socket: Socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 400,
  });
  registerCleanup(() => {
    socket.disconnect();
  });
  const accept = (e: LiveEvent) => {
    if (e.seq <= seq) return; // a repeat after resubscribing from an older seq is fine to skip
    if (e.seq !== seq + 1) errors.push(`gap: had ${seq}, got ${e.seq}`);
    seq = e.seq;
    applied.push(e);
  };
  const subscribe = () => {
    socket.timeout(10_000).emit('subscribe', { blogId, sinceSeq: seq }, (err: Error | null, ack: SubscribeAck) => {
      if (err || !ack.ok) return; // reconnect or the next connect retries
      if ('reset' in ack) errors.push(`reset at ${ack.seq}`);
      else for (const e of ack.events) accept(e);
    });
  };
  socket.on('connect', subscribe);
  socket.on('event', (e: LiveEvent) => accept(e));
  // The server tells readers to go on shutdown; a refused handshake (draining) is final for socket.io.
  socket.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('connect_error', () => {
    if (!socket.active) setTimeout(() => socket.connect(), 200);
  });
  return {
    applied,
    errors,
    get seq() {
      return seq;
    },
  };
}

/** All events from changes?since=0, page by page. */
async function allEvents(url: string, blogId: string): Promise<LiveEvent[]> {
  const api = createApi(url);
  const out: LiveEvent[] = [];
  for (let page = 0; page < 50; page++) {
    const res = await api.changes(blogId, out.at(-1)?.seq ?? 0);
    if ('reset' in res) throw new Error('changes answered reset');
    if (res.events.length === 0) break;
    out.push(...res.events);
  }
  return out;
}

describe('crash soak', () => {
  it('SIGKILL x5 under concurrent writes: acked writes kept, seq contiguous, readers exact', async () => {
    const startedAt = Date.now();
    const port = await freePort();
    const env = {
      PORT: String(port),
      DATA_DIR: tempDataDir(),
      REPLAY_WINDOW: '100000',
      RATE_WRITES_PER_MIN: '100000',
      HEARTBEAT_MS: '500',
    };
    let srv: ServerProcess = await spawnServer(env);
    const url = srv.url;
    const cast = await setupBlog(url, ADMIN_TOKEN, 'Soak');
    const blogId = cast.blog.id;
    const token = cast.users.editor.token;

    const readers: ReaderClient[] = [0, 1].map(() =>
      createReaderClient({
        baseUrl: url,
        blog: blogId,
        pageSize: 100,
        io: { transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 400 },
      }),
    );
    for (const r of readers) registerCleanup(() => r.close());
    await Promise.all(readers.map((r) => r.ready));
    const raw = rawReader(url, blogId);

    // Writers: one post at a time each; only a 2xx counts as acknowledged.
    const acked = new Set<string>();
    let attempts = 0;
    let failures = 0;
    let stop = false;
    const writer = async (w: number) => {
      let mine = 0;
      for (let n = 0; n < MAX_ATTEMPTS_PER_WRITER && mine < MAX_ACKS_PER_WRITER; n++) {
        if (stop || Date.now() - startedAt > SOAK_DEADLINE_MS) break;
        attempts += 1;
        try {
          const res = await fetch(`${url}/api/v1/blogs/${blogId}/posts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ blocks: [text(`<p>writer ${w} post ${n}</p>`)] }),
            signal: AbortSignal.timeout(5000),
          });
          const body = (await res.json().catch(() => null)) as { id?: string } | null;
          if (res.status >= 200 && res.status < 300 && body?.id) {
            acked.add(body.id);
            mine += 1;
          } else failures += 1;
        } catch {
          // Connection refused or reset while the server is down: back off a little, go on.
          failures += 1;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    let restarts = 0;
    for (let round = 0; round < RESTARTS; round++) {
      const target = acked.size + ACKS_PER_ROUND;
      await waitFor(() => acked.size >= target, { what: `${target} acked writes`, timeoutMs: 20_000 });
      await srv.kill();
      srv = await spawnServer(env);
      restarts += 1;
    }
    const lastTarget = acked.size + ACKS_PER_ROUND;
    await waitFor(() => acked.size >= lastTarget, { what: 'writes after the last restart', timeoutMs: 20_000 });
    stop = true;
    await Promise.all(writers);

    // The store: every acked post is there, and seq runs 1..N with no repeat and no hole.
    const posts = await allPosts(createApi(url), blogId);
    const stored = new Set(posts.map((p) => p.id));
    const found = [...acked].filter((id) => stored.has(id)).length;
    const events = await allEvents(url, blogId);
    const seqs = events.map((e) => e.seq);
    const blog = await createApi(url).getBlog(blogId);
    const summary =
      `[soak] restarts ${restarts}; writes attempted ${attempts}, acknowledged ${acked.size}, found ${found}; ` +
      `failed attempts ${failures}; stored posts ${posts.length}; events ${events.length}; took ${Date.now() - startedAt} ms`;
    console.log(summary);
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/soak.txt', `${summary}\n`);
    expect(restarts).toBe(RESTARTS);
    expect(found).toBe(acked.size);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(blog.seq).toBe(seqs.length);

    // Readers that stayed subscribed through the crashes end with exactly the stored posts.
    const storedIds = [...stored].sort();
    for (const [i, r] of readers.entries()) {
      await waitFor(() => r.state.seq === blog.seq, {
        what: () =>
          `reader ${i} at seq ${blog.seq} (now: seq ${r.state.seq}, connected ${r.state.connected}, error ${r.state.error})`,
        timeoutMs: 15_000,
      });
      expect(r.state.posts.map((p) => p.id).sort(), `reader ${i}`).toEqual(storedIds);
    }
    await waitFor(() => raw.seq === blog.seq, { what: `raw reader at seq ${blog.seq}`, timeoutMs: 15_000 });
    expect(raw.errors).toEqual([]);
    expect(raw.applied.map((e) => e.seq)).toEqual(seqs);
    const rawIds = raw.applied.filter((e) => e.type === 'post.created').map((e) => (e.data as Post).id);
    expect(rawIds.sort()).toEqual(storedIds);
  }, 120_000);
});

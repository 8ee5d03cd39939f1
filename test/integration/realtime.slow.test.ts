import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { openReader, range } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

async function metric(url: string, line: RegExp): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const m = line.exec(body);
  return m ? Number(m[1]) : 0;
}

/**
 * A long-polling engine.io client written by hand, so the test controls when (and whether)
 * it reads: after subscribing it never polls again, and everything sent to it piles up.
 */
async function stalledPollingReader(url: string, blogId: string) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  const at = `${base}&sid=${sid}`;
  const post = (body: string) => fetch(at, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  expect(await (await post('40')).text()).toBe('ok');
  expect(await (await fetch(at)).text()).toMatch(/^40/); // namespace connected
  expect(await (await post(`421["subscribe",${JSON.stringify({ blogId, sinceSeq: 0 })}]`)).text()).toBe('ok');
  expect(await (await fetch(at)).text()).toMatch(/^431\[\{"ok":true/); // the ack; now it stops reading
  return { at };
}

describe('slow consumers', () => {
  it('cuts off a reader that stops reading, while others keep receiving everything', async () => {
    const srv = await startServer({ READER_BUFFER_BYTES: '8192' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Slow' });
    const healthy = openReader(srv.url, { transports: ['websocket'] });
    await healthy.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const stalled = await stalledPollingReader(srv.url, blog.id);
    const before = await metric(srv.url, /liveblog_slow_consumer_disconnects_total (\d+)/);

    const big = `<p>${'news '.repeat(400)}</p>`; // ~2 KB per event
    for (let i = 0; i < 12; i++) await admin.createPost(blog.id, { blocks: [text(big)] });

    await waitFor(async () => (await metric(srv.url, /liveblog_slow_consumer_disconnects_total (\d+)/)) > before, {
      what: 'slow consumer cut-off',
    });
    // Its session is gone (it will reconnect and catch up with sinceSeq).
    const res = await fetch(stalled.at);
    expect(res.status).toBe(400);
    await waitFor(() => healthy.events.length === 12, { what: 'healthy reader events' });
    expect(healthy.seqs()).toEqual(range(1, 12));
    expect(healthy.socket.connected).toBe(true);
  });

  it('cuts off a websocket reader whose socket stopped reading', async () => {
    const srv = await startServer({ READER_BUFFER_BYTES: '65536', MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Paused' });
    const paused = openReader(srv.url, { transports: ['websocket'] });
    await paused.subscribe({ blogId: blog.id, sinceSeq: 0 });
    // Stop reading at the TCP level: the kernel buffers fill, then the server's queue grows.
    const ws = (paused.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } })
      .ws;
    ws._socket.pause();
    const disconnected = new Promise<void>((resolve) => paused.socket.once('disconnect', () => resolve()));

    // Each event just under what readers accept (MAX_EVENT_BYTES, half the 64 KiB bound):
    // bigger posts are refused at write time now.
    const big = `<p>${'x'.repeat(15_000)}</p>`;
    const blocks = range(1, 2).map(() => text(big)); // ~30 KB per event
    const cut = () => metric(srv.url, /liveblog_slow_consumer_disconnects_total (\d+)/);
    for (let i = 0; i < 1000 && (await cut()) === 0; i++) {
      await admin.createPost(blog.id, { blocks });
    }
    expect(await cut()).toBe(1);
    ws._socket.resume();
    await disconnected;
  });

  it('answers reset instead of a catch-up too big for the send bound', async () => {
    const srv = await startServer({ READER_BUFFER_BYTES: '8192' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Big catch-up' });
    const big = `<p>${'news '.repeat(400)}</p>`; // ~2 KB per event
    for (let i = 0; i < 6; i++) await admin.createPost(blog.id, { blocks: [text(big)] });
    const r = openReader(srv.url);
    expect(await r.subscribe({ blogId: blog.id, sinceSeq: 0 })).toEqual({
      ok: true,
      blogId: blog.id,
      seq: 6,
      reset: true,
    });
    const small = await r.subscribe({ blogId: blog.id, sinceSeq: 5 });
    expect(small.ok && 'events' in small && small.events.map((e) => e.seq)).toEqual([6]);
    expect(r.socket.connected).toBe(true);
  });
});

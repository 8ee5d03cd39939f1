import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApi, range, setupBlog, text } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';
import { freePort } from '../helpers/services.js';
import { openStream } from '../helpers/sse.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { SSE_RETRY_MS: '200', SSE_HEARTBEAT_MS: '200', RATE_WRITES_PER_MIN: '100000' };

describe('Server-Sent Events', () => {
  it('catches up from ?since=, says ready, then streams live events in order with no duplicate', async () => {
    const s = await startServer(FAST);
    const api = createApi(s.url, s.adminToken);
    const blog = await api.createBlog({ title: 'SSE' });
    for (let i = 1; i <= 3; i++) await api.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });

    const r = openStream(s.url, blog.slug, { since: 1 });
    await waitFor(() => r.readies.length === 1, { what: 'ready' });
    expect(r.seqs()).toEqual([2, 3]);
    expect(r.readies[0]).toEqual({ blogId: blog.id, seq: 3 });
    expect(r.events[0]).toMatchObject({ blogId: blog.id, seq: 2, type: 'post.created' });

    await Promise.all(range(1, 20).map((i) => api.createPost(blog.id, { blocks: [text(`<p>live ${i}</p>`)] })));
    await waitFor(() => r.events.length >= 22, { what: '20 live events' });
    expect(r.seqs()).toEqual(range(2, 23));
    expect(r.ids.filter((id) => id !== '3')).toEqual(
      range(2, 23)
        .filter((n) => n !== 3)
        .map(String),
    );
  });

  it('starts at the head without since, and an EventSource resumes across a server restart with no gap or duplicate', async () => {
    const port = await freePort();
    const first = await startServer({ ...FAST, PORT: String(port) });
    const api = createApi(first.url, first.adminToken);
    const blog = await api.createBlog({ title: 'Restart' });
    await api.createPost(blog.id, { blocks: [text('<p>before the stream</p>')] });

    const r = openStream(first.url, blog.id);
    await waitFor(() => r.readies.length === 1, { what: 'ready' });
    expect(r.events).toHaveLength(0);
    for (let i = 0; i < 3; i++) await api.createPost(blog.id, { blocks: [text(`<p>a${i}</p>`)] });
    await waitFor(() => r.events.length === 3, { what: 'events before restart' });

    await first.stop();
    const second = await startServer({ ...FAST, PORT: String(port), DATA_DIR: first.dataDir });
    const api2 = createApi(second.url, second.adminToken);
    // The client's pooled keep-alive sockets went with the first server: let fetch notice.
    await waitFor(async () => (await fetch(`${second.url}/health`)).ok, { what: 'the restarted server' });
    // Written before the client is back: it must get them from the catch-up.
    for (let i = 0; i < 3; i++) await api2.createPost(blog.id, { blocks: [text(`<p>b${i}</p>`)] });
    await waitFor(() => r.events.length >= 6, { timeoutMs: 15_000, what: 'events after restart' });
    await api2.createPost(blog.id, { blocks: [text('<p>live again</p>')] });
    await waitFor(() => r.events.length >= 7, { what: 'live after restart' });
    expect(r.seqs()).toEqual(range(2, 8));
    expect(r.opens).toBeGreaterThanOrEqual(2);
  });

  it('answers reset when since is older than the replay window, and resumes from Last-Event-ID over since', async () => {
    const s = await startServer({ ...FAST, REPLAY_WINDOW: '5', REPLAY_MEMORY: '5' });
    const api = createApi(s.url, s.adminToken);
    const blog = await api.createBlog({ title: 'Reset' });
    for (let i = 0; i < 12; i++) await api.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const r = openStream(s.url, blog.id, { since: 1 });
    await waitFor(() => r.readies.length === 1, { what: 'ready' });
    expect(r.resets).toEqual([{ blogId: blog.id, seq: 12, reset: true }]);
    expect(r.events).toHaveLength(0);

    const res = await fetch(`${s.url}/api/v1/blogs/${blog.id}/events?since=1`, {
      headers: { 'last-event-id': '10' },
    });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('event: ready')) seen += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(seen).toMatch(/^retry: 200\n\n/);
    expect(seen).toContain('id: 11\nevent: post.created\n');
    expect(seen).toContain('id: 12\nevent: post.created\n');
    expect(seen).not.toContain('event: reset');
  });

  it('works with curl -N (plain text frames and comment heartbeats)', async () => {
    const s = await startServer(FAST);
    const api = createApi(s.url, s.adminToken);
    const blog = await api.createBlog({ title: 'curl' });
    await api.createPost(blog.id, { blocks: [text('<p>one</p>')] });
    const curl = spawn('curl', ['-sN', '--max-time', '5', `${s.url}/api/v1/blogs/${blog.slug}/events?since=0`]);
    let out = '';
    curl.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('event: ready'), { what: 'curl to get the catch-up' });
    await api.createPost(blog.id, { blocks: [text('<p>two</p>')] });
    await waitFor(() => out.includes('id: 2\n') && out.includes(': heartbeat'), { what: 'live frame and a heartbeat' });
    curl.kill();
    const frame = /id: 1\nevent: post.created\ndata: (.*)\n\n/.exec(out);
    expect(JSON.parse(frame?.[1] ?? 'null')).toMatchObject({ seq: 1, type: 'post.created', blogId: blog.id });
  });

  it('refuses bad input with the error body, and hides draft blogs from non-members', async () => {
    const s = await startServer(FAST);
    const t = await setupBlog(s.url, s.adminToken);
    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/api/v1/blogs/${path}`, { headers }).then(async (r) => ({
        status: r.status,
        type: r.headers.get('content-type'),
        body: (await r.json()) as { error: { code: string; message: string } },
      }));
    for (const q of ['?since=abc', '?since=-1', '?since=1e3', '?other=1']) {
      const res = await get(`${t.blog.id}/events${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const badId = await get(`${t.blog.id}/events`, { 'last-event-id': 'abc' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(/last-event-id/);
    expect((await get('nope/events')).status).toBe(404);
    await t.admin.patchBlog(t.blog.id, { status: 'draft' });
    expect((await get(`${t.blog.id}/events`)).status).toBe(404);
    const member = await fetch(`${s.url}/api/v1/blogs/${t.blog.id}/events`, {
      headers: { authorization: `Bearer ${t.users.editor.token}` },
    });
    expect(member.status).toBe(200);
    await member.body?.cancel();
  });

  it('ends non-members when the blog goes back to draft, after telling them', async () => {
    const s = await startServer(FAST);
    const t = await setupBlog(s.url, s.adminToken);
    await t.admin.patchBlog(t.blog.id, { status: 'live' });
    const anon = openStream(s.url, t.blog.id, { since: 0 });
    const editor = openStream(s.url, t.blog.id, { since: 0, token: t.users.editor.token });
    await waitFor(() => anon.readies.length === 1 && editor.readies.length === 1, { what: 'both ready' });
    await t.admin.patchBlog(t.blog.id, { status: 'draft' });
    await waitFor(() => anon.events.some((e) => e.type === 'blog.updated' && e.data.status === 'draft'), {
      what: 'the draft event',
    });
    await waitFor(() => anon.errors > 0, { what: 'the anonymous stream to be refused on reconnect' });
    await t.editor.createPost(t.blog.id, { blocks: [text('<p>members only</p>')] });
    await waitFor(() => editor.events.some((e) => e.type === 'post.created'), { what: 'the member to keep streaming' });
    expect(anon.events.some((e) => e.type === 'post.created')).toBe(false);
  });

  it('cuts a stream that stopped reading, while a healthy stream keeps everything', async () => {
    const s = await startServer({ ...FAST, READER_BUFFER_BYTES: '65536', MAX_BODY_BYTES: String(4 * 1024 * 1024) });
    const api = createApi(s.url, s.adminToken);
    const blog = await api.createBlog({ title: 'Slow SSE' });
    const healthy = openStream(s.url, blog.id, { since: 0 });
    // A client that sends its request, then stops reading at the TCP level.
    const raw = connect({ host: '127.0.0.1', port: s.port });
    raw.write(`GET /api/v1/blogs/${blog.id}/events?since=0 HTTP/1.1\r\nHost: x\r\n\r\n`);
    let head = '';
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        head += d.toString();
        if (!head.includes('event: ready')) return;
        raw.off('data', onData);
        raw.pause();
        resolve();
      };
      raw.on('data', onData);
    });
    let closed = false;
    raw.once('close', () => {
      closed = true;
    });
    await waitFor(() => healthy.readies.length === 1, { what: 'healthy ready' });
    const metric = async () =>
      Number(
        /liveblog_slow_consumer_disconnects_total (\d+)/.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1],
      );
    // ~25 KB per event: under MAX_EVENT_BYTES (half of READER_BUFFER_BYTES), so writes are accepted.
    const blocks = range(1, 5).map(() => text(`<p>${'x'.repeat(5_000)}</p>`));
    let posts = 0;
    for (; posts < 1500 && (await metric()) === 0; posts++) await api.createPost(blog.id, { blocks });
    expect(await metric()).toBe(1);
    raw.on('data', () => {});
    raw.on('error', () => {});
    raw.resume();
    await waitFor(() => closed, { what: 'the stalled connection to be dropped' });
    await waitFor(() => healthy.events.length === posts, { what: 'every event on the healthy stream' });
    expect(healthy.seqs()).toEqual(range(1, posts));
  });
});

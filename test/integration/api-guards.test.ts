import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Issue 13 item 9: METRICS_TOKEN, and events too large for readers refused at write time. */
describe('METRICS_TOKEN', () => {
  it('when set, /metrics needs it as a bearer token (401 in the error body otherwise)', async () => {
    const token = 'metrics-secret-0123456789';
    const srv = await startServer({ METRICS_TOKEN: token });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-000000' },
      { authorization: token },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${srv.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.code).toBe('unauthorized');
      expect(body.error.message).toContain('METRICS_TOKEN');
    }
    // The admin token is not the metrics token either.
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${srv.adminToken}` } })).status).toBe(
      401,
    );
    const ok = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('liveblog_');
  });

  it('unset, /metrics stays public (the load balancer decides)', async () => {
    const srv = await startServer();
    expect((await fetch(`${srv.url}/metrics`)).status).toBe(200);
  });
});

describe('events too large for readers', () => {
  it('a post whose event would pass MAX_EVENT_BYTES is refused (413 naming the limit) and changes nothing; readers stay', async () => {
    // A small reader bound: events are held to half of it (16 KiB).
    const srv = await startServer({ READER_BUFFER_BYTES: String(32 * 1024) });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Big' });
    const reader = openReader(srv.url);
    await reader.subscribe({ blogId: blog.id });
    const big = Array.from({ length: 2 }, () => text(`<p>${'x'.repeat(10_000)}</p>`));

    const created = await admin.raw('POST', `/api/v1/blogs/${blog.id}/posts`, { body: { blocks: big } });
    expect(created.status).toBe(413);
    const err = (created.body as ErrorBody).error;
    expect(err.code).toBe('payload_too_large');
    expect(err.message).toContain('MAX_EVENT_BYTES');
    expect(err.details).toMatchObject({ limit: 16 * 1024 });
    expect((await admin.getBlog(blog.id)).seq).toBe(0);

    // Growing a post past the limit by PATCH is refused the same way.
    const post = await admin.createPost(blog.id, { blocks: [text('<p>small</p>')] });
    const grown = await admin.raw('PATCH', `/api/v1/blogs/${blog.id}/posts/${post.id}`, { body: { blocks: big } });
    expect(grown.status).toBe(413);
    expect((await admin.getPost(blog.id, post.id)).blocks).toEqual(post.blocks);
    expect((await admin.getBlog(blog.id)).seq).toBe(1);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    expect(metrics).toContain('liveblog_events_too_large_total{type="post.created"} 1');
    expect(metrics).toContain('liveblog_events_too_large_total{type="post.updated"} 1');

    // A post that fits goes through, and the reader was never cut.
    const fits = await admin.createPost(blog.id, { blocks: [text(`<p>${'y'.repeat(8_000)}</p>`)] });
    await waitFor(() => reader.events.some((e) => e.type === 'post.created' && e.data.id === fits.id), {
      what: 'the post that fits',
    });
    expect(reader.socket.connected).toBe(true);
  });
});

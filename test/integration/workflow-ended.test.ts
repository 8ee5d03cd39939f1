import { describe, expect, it } from 'vitest';
import { createReaderClient } from '../../client/reader/index.js';
import type { BlogEnded } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A story's end: connected readers are told at once (the blog.updated event and an `ended`
 * message), keep what they have, and are released after the grace period, so an ended blog
 * holds no idle sockets; the reader client does not come back for it. Editors stay.
 */
describe('an ended blog releases its readers', () => {
  it('tells readers, releases them after the grace period, keeps editors, and readers stay away', async () => {
    const server = await startServer({ ENDED_GRACE_MS: '400', HEARTBEAT_MS: '100' });
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Final whistle' });
    await admin.createPost(blog.id, { blocks: [text('<p>Kick-off.</p>')] });

    const raw = openReader(server.url);
    const ended: BlogEnded[] = [];
    raw.socket.on('ended', (e) => ended.push(e));
    expect((await raw.subscribe({ blogId: blog.id, sinceSeq: 0 })).ok).toBe(true);
    const editor = openReader(server.url, { auth: { token: server.adminToken } });
    expect((await editor.subscribe({ blogId: blog.id, drafts: true })).ok).toBe(true);
    const client = createReaderClient({ baseUrl: server.url, blog: blog.slug, io: { forceNew: true } });
    registerCleanup(() => client.close());
    await client.ready;

    const endedAt = Date.now();
    const patched = await admin.patchBlog(blog.id, { status: 'ended' });
    await waitFor(() => ended.length === 1, { what: 'the ended message' });
    expect(ended[0]).toEqual({ blogId: blog.id, seq: patched.seq, graceMs: 400 });
    expect(raw.events.at(-1)).toMatchObject({ type: 'blog.updated', data: { status: 'ended' } });

    await waitFor(() => raw.socket.disconnected && client.socket?.disconnected, {
      what: 'readers released',
      timeoutMs: 5000,
    });
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(400);
    expect(client.state.blog?.status).toBe('ended');
    expect(client.state.posts).toHaveLength(1);
    // The editor's socket is still live: its heartbeats keep coming, and serve as the clock
    // for "the reader client did not reconnect" (ten heartbeats, about a second).
    const seen = editor.heartbeats.length;
    await waitFor(() => editor.heartbeats.length >= seen + 10, { what: 'editor heartbeats' });
    expect(editor.socket.connected).toBe(true);
    expect(client.socket?.connected).toBe(false);
    expect(client.state.connected).toBe(false);
  });
});

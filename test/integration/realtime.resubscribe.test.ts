import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { startOwnPostgres } from '../helpers/own-postgres.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';

describe('a re-subscribe that fails', () => {
  it('leaves the socket unsubscribed, not listed but deaf; it can subscribe again later', async () => {
    // A PostgreSQL of the test's own, stopped mid-test; no replay ring, so catch-ups read the store.
    const pg = await startOwnPostgres();
    const server = await startServer({ DATABASE_URL: pg.url, REPLAY_MEMORY: '0' });
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Resubscribe' });
    for (let i = 0; i < 3; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const reader = openReader(server.url, { transports: ['websocket'] });
    expect(await reader.subscribe({ blogId: blog.id, sinceSeq: 3 })).toMatchObject({ ok: true, seq: 3 });

    await pg.stop();
    expect(await reader.subscribe({ blogId: blog.id, sinceSeq: 1 })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    const unsub = await reader.socket.timeout(5000).emitWithAck('unsubscribe', { blogId: blog.id });
    expect(unsub).toEqual({ ok: false });

    await pg.start();
    expect(await reader.subscribe({ blogId: blog.id, sinceSeq: 1 })).toMatchObject({ ok: true, seq: 3 });
  });
});

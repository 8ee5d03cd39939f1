import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { openReader, range } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

describe('reader hub on two nodes (PostgreSQL + Redis)', () => {
  it('readers on either node see every write of both nodes once, in order, and the total reader count', async () => {
    const DATABASE_URL = await freshPostgresDatabase();
    const env = { DATABASE_URL, REDIS_URL: REDIS_TEST_URL, HEARTBEAT_MS: '200' };
    const a = await startServer({ ...env, NODE_ID: 'node-a' });
    const b = await startServer({ ...env, NODE_ID: 'node-b' });
    const onA = createApi(a.url, a.adminToken);
    const onB = createApi(b.url, b.adminToken);
    const blog = await onA.createBlog({ title: 'Two nodes' });

    const readers = [
      ...range(1, 3).map(() => openReader(a.url, { transports: ['websocket'] })),
      ...range(1, 2).map(() => openReader(b.url, { transports: ['polling'] })),
    ];
    for (const r of readers) expect(await r.subscribe({ blogId: blog.slug, sinceSeq: 0 })).toMatchObject({ ok: true });

    const perNode = 10;
    await Promise.all(
      [onA, onB].map(async (api, k) => {
        for (let i = 0; i < perNode; i++) await api.createPost(blog.id, { blocks: [text(`<p>${k}.${i}</p>`)] });
      }),
    );
    const n = perNode * 2;
    await waitFor(() => readers.every((r) => r.events.length >= n), {
      timeoutMs: 20_000,
      what: 'events on both nodes',
    });
    for (const r of readers) expect(r.seqs()).toEqual(range(1, n));

    // Heartbeats on each node count the readers of both.
    await waitFor(() => readers.every((r) => r.heartbeats.some((h) => h.readers === readers.length && h.seq === n)), {
      what: 'cross-node reader totals',
    });
  });
});

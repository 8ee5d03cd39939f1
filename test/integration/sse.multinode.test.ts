import { describe, expect, it } from 'vitest';
import { createApi, range, text } from '../helpers/api.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { openStream } from '../helpers/sse.js';
import { waitFor } from '../helpers/wait.js';

describe('Server-Sent Events on two nodes (PostgreSQL + Redis)', () => {
  it('streams on either node carry every write of both nodes once, in order; a stream moved to the other node resumes', async () => {
    const DATABASE_URL = await freshPostgresDatabase();
    const env = { DATABASE_URL, REDIS_URL: REDIS_TEST_URL, SSE_RETRY_MS: '200', RATE_WRITES_PER_MIN: '100000' };
    const a = await startServer({ ...env, NODE_ID: 'node-a' });
    const b = await startServer({ ...env, NODE_ID: 'node-b' });
    const onA = createApi(a.url, a.adminToken);
    const onB = createApi(b.url, b.adminToken);
    const blog = await onA.createBlog({ title: 'Two nodes' });

    const streams = [openStream(a.url, blog.slug, { since: 0 }), openStream(b.url, blog.id, { since: 0 })];
    await waitFor(() => streams.every((s) => s.readies.length === 1), { what: 'streams ready' });

    const perNode = 10;
    const writeAll = (tag: string) =>
      Promise.all(
        [onA, onB].map(async (api, k) => {
          for (let i = 0; i < perNode; i++) await api.createPost(blog.id, { blocks: [text(`<p>${tag}${k}.${i}</p>`)] });
        }),
      );
    await writeAll('x');
    await waitFor(() => streams.every((s) => s.events.length >= 2 * perNode), { timeoutMs: 20_000, what: 'events' });
    for (const s of streams) expect(s.seqs()).toEqual(range(1, 2 * perNode));

    // A client of node A picks up on node B from its last id, as after a failover.
    const last = streams[0]!.ids.at(-1)!;
    streams[0]!.close();
    await writeAll('y');
    const moved = openStream(b.url, blog.id, { since: Number(last) });
    await waitFor(() => moved.events.length >= 2 * perNode, { timeoutMs: 20_000, what: 'catch-up on node B' });
    expect(moved.seqs()).toEqual(range(Number(last) + 1, 4 * perNode));
  });
});

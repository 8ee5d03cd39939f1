import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

async function storeCatchupReads(url: string): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const m = /liveblog_sequencer_store_reads_total\{why="catchup"\} (\d+)/.exec(body);
  return m ? Number(m[1]) : 0;
}

describe('reconnect storm served from the store', () => {
  it('readers resubscribing together from the same seq share one store read', async () => {
    // No in-memory ring: every catch-up must come from the store.
    const server = await startServer({ REPLAY_MEMORY: '0', MAX_CONNECTIONS_PER_IP: '1000' });
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Storm' });
    for (let i = 0; i < 20; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });

    const readers = Array.from({ length: 60 }, () => openReader(server.url, { transports: ['websocket'] }));
    await waitFor(() => readers.every((r) => r.socket.connected), { what: '60 readers connected' });
    const before = await storeCatchupReads(server.url);
    const acks = await Promise.all(readers.map((r) => r.subscribe({ blogId: blog.id, sinceSeq: 5 })));
    const reads = (await storeCatchupReads(server.url)) - before;

    for (const ack of acks) {
      expect(ack.ok && 'events' in ack && ack.events.map((e) => e.seq)).toEqual(
        Array.from({ length: 15 }, (_, i) => i + 6),
      );
    }
    // One shared read for the burst (a few if the subscribes straddle one another).
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThan(10);
  });
});

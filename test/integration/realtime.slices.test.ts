import { describe, expect, it } from 'vitest';
import { createApi, text } from '../helpers/api.js';
import { openReader, type RawReader, range } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Records, at each heartbeat, the highest seq the reader held when it arrived. */
function heldAtBeats(r: RawReader): { beat: number; held: number }[] {
  const seen: { beat: number; held: number }[] = [];
  r.socket.on('heartbeat', (hb) => seen.push({ beat: hb.seq, held: Math.max(0, ...r.seqs()) }));
  return seen;
}

describe('room frames in slices (BROADCAST_SLICE)', () => {
  it('a room larger than a slice still gets every seq once, in order, heartbeats behind the events; readers joining mid-burst get no duplicate and no gap', async () => {
    // A slice of two readers: every frame to this room of 7+ readers goes out over several turns.
    const srv = await startServer({ BROADCAST_SLICE: '2', BROADCAST_TURN_MS: '1', HEARTBEAT_MS: '100' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Slices' });
    const readers = Array.from({ length: 7 }, (_, i) =>
      openReader(srv.url, { transports: i % 3 === 0 ? ['polling'] : ['websocket'] }),
    );
    const beats = readers.map(heldAtBeats);
    for (const r of readers) expect(await r.subscribe({ blogId: blog.id, sinceSeq: 0 })).toMatchObject({ ok: true });

    const late: RawReader[] = [];
    const writers = 4;
    const perWriter = 10;
    await Promise.all([
      ...range(1, writers).map(async (w) => {
        for (let i = 0; i < perWriter; i++) await admin.createPost(blog.id, { blocks: [text(`<p>w${w} #${i}</p>`)] });
      }),
      (async () => {
        // Joins while frames are queued in slices: the ack carries what came before it.
        for (let i = 0; i < 3; i++) {
          await waitFor(() => (readers[0]?.events.length ?? 0) >= (i + 1) * 8, { what: `burst part ${i + 1}` });
          const r = openReader(srv.url);
          late.push(r);
          expect(await r.subscribe({ blogId: blog.id, sinceSeq: 0 })).toMatchObject({ ok: true });
        }
      })(),
    ]);
    const n = writers * perWriter;
    for (const r of [...readers, ...late]) {
      await waitFor(() => r.events.length >= n, { what: 'every event', timeoutMs: 15_000 });
      expect(r.seqs()).toEqual(range(1, n));
    }
    // Each reader got a heartbeat only after the event whose seq it carries.
    await waitFor(() => beats.every((b) => b.some((x) => x.beat === n)), { what: 'a heartbeat at the head' });
    for (const b of beats) for (const x of b) expect(x.held).toBeGreaterThanOrEqual(x.beat);
  });
});

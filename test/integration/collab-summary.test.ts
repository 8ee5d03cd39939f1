import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { bulletList, connectEditor, createBlogWith, itemTexts, listItem } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/** A Socket.IO reader subscribed to one blog, recording the events it receives. */
async function subscribeReader(url: string, blogId: string) {
  const socket = io(url, { path: '/socket.io', reconnection: false, forceNew: true, transports: ['websocket'] });
  registerCleanup(() => {
    socket.disconnect();
  });
  const events: (LiveEvent & { receivedAt: number })[] = [];
  socket.on('event', (e: LiveEvent) => events.push({ ...e, receivedAt: performance.now() }));
  const ack = (await socket.timeout(10_000).emitWithAck('subscribe', { blogId })) as { ok: boolean };
  expect(ack.ok).toBe(true);
  return { socket, events };
}

const summaries = <E extends LiveEvent>(events: E[]) => events.filter((e) => e.type === 'summary.updated');

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)]?.toFixed(1),
    worst: sorted.at(-1)?.toFixed(1),
    n: sorted.length,
  };
}

describe('collab summary for readers', () => {
  it('publishes summary.updated with the rendered bullets, and GET /summary serves them', async () => {
    const server = await startServer({ SUMMARY_DEBOUNCE_MS: '50', SUMMARY_MAX_WAIT_MS: '300' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const reader = await subscribeReader(server.url, blogId);
    const editor = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => editor.provider.synced, { what: 'sync' });
    bulletList(editor.doc).insert(0, [
      listItem([{ text: 'Bridge ' }, { text: 'closed', bold: true }]),
      listItem([
        { text: 'Map', href: 'https://example.com/map' },
        { text: ' <here>', italic: true },
      ]),
      listItem(''),
    ]);
    const expected = [
      { html: 'Bridge <strong>closed</strong>', text: 'Bridge closed' },
      {
        html: '<a href="https://example.com/map" rel="noopener noreferrer nofollow">Map</a><em> &lt;here&gt;</em>',
        text: 'Map <here>',
      },
    ];
    const event = await waitFor(
      () =>
        summaries(reader.events).find(
          (e) => e.type === 'summary.updated' && JSON.stringify(e.data.bullets) === JSON.stringify(expected),
        ),
      { what: 'summary.updated with the bullets' },
    );
    expect(event.blogId).toBe(blogId);
    const res = await fetch(`${server.url}/api/v1/blogs/${blogId}/summary`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bullets: unknown; seq: number };
    expect(body.bullets).toEqual(expected);
    expect(body.seq).toBe(event.seq);

    // An edit that changes no bullet (an empty paragraph) publishes nothing new.
    const before = summaries(reader.events).length;
    bulletList(editor.doc).insert(3, [listItem('')]);
    bulletList(editor.doc).insert(4, [listItem('marker')]);
    await waitFor(
      () => summaries(reader.events).some((e) => e.type === 'summary.updated' && e.data.bullets.length === 3),
      {
        what: 'marker bullet',
      },
    );
    expect(summaries(reader.events).length).toBe(before + 1);
  });

  it('measures edit → other editor and edit → reader latency (printed, not asserted)', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const reader = await subscribeReader(server.url, blogId);
    const [a, b] = people.map((p) => connectEditor(server, blogId, p.token));
    await waitFor(() => a!.provider.synced && b!.provider.synced, { what: 'sync' });
    // One unmeasured edit first: it pays for the update-check worker's start and JIT warm-up.
    bulletList(a!.doc).insert(0, [listItem('warm-up')]);
    await waitFor(() => itemTexts(b!.doc)[0] === 'warm-up', { what: 'warm-up at b' });
    const toEditor: number[] = [];
    const toReader: number[] = [];
    for (let i = 0; i < 12; i++) {
      const text = `edit ${i}`;
      const started = performance.now();
      bulletList(a!.doc).insert(0, [listItem(text)]);
      await waitFor(() => itemTexts(b!.doc)[0] === text, { what: `edit ${i} at b`, intervalMs: 1 });
      toEditor.push(performance.now() - started);
      const ev = await waitFor(
        () => summaries(reader.events).find((e) => e.type === 'summary.updated' && e.data.bullets[0]?.text === text),
        { what: `edit ${i} at the reader`, intervalMs: 1 },
      );
      toReader.push(ev.receivedAt - started);
    }
    console.log(
      `collab latency (default debounce ${server.app.deps.config.SUMMARY_DEBOUNCE_MS} ms):`,
      `edit→other editor ms ${JSON.stringify(stats(toEditor))};`,
      `edit→reader summary.updated ms ${JSON.stringify(stats(toReader))}`,
    );
    expect(toEditor.length).toBe(12);
  });
});

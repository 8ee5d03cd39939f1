import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { bulletList, connectEditor, counterValue, createBlogWith, listItem } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 13 item 9: a summary rendering too large for readers (over MAX_EVENT_BYTES, at most
 * half the reader send bound) is not published, so readers are not all cut as slow consumers
 * at each re-render; they keep the last summary that fits.
 */
describe('summary renderings too large for readers', () => {
  it('are not published; readers stay connected and get the next one that fits', async () => {
    const server = await startServer({
      READER_BUFFER_BYTES: String(16 * 1024),
      SUMMARY_DEBOUNCE_MS: '20',
      SUMMARY_MAX_WAIT_MS: '100',
    });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const socket = io(server.url, { reconnection: false, forceNew: true, transports: ['websocket'] });
    registerCleanup(() => {
      socket.disconnect();
    });
    const events: LiveEvent[] = [];
    socket.on('event', (e: LiveEvent) => events.push(e));
    expect(await socket.timeout(10_000).emitWithAck('subscribe', { blogId })).toMatchObject({ ok: true });
    const editor = connectEditor(server, blogId, people[0]?.token ?? null);
    await waitFor(() => editor.provider.synced, { what: 'sync' });

    const list = bulletList(editor.doc);
    list.insert(0, [listItem('small first')]);
    await waitFor(() => events.some((e) => e.type === 'summary.updated'), { what: 'the first summary' });
    // 20 KB of bullets: over the 8 KiB limit (half of 16 KiB).
    list.insert(1, [listItem('b'.repeat(10_000)), listItem('c'.repeat(10_000))]);
    const { metrics } = server.app.deps;
    await waitFor(async () => (await counterValue(metrics.eventsTooLarge, { type: 'summary.updated' })) === 1, {
      what: 'the oversized rendering to be refused',
    });
    // Then shortened again: that rendering fits and is published.
    list.delete(1, 2);
    list.insert(1, [listItem('small second')]);
    const last = await waitFor(
      () => events.find((e) => e.type === 'summary.updated' && e.data.bullets.some((b) => b.text === 'small second')),
      { what: 'the summary that fits' },
    );
    expect(last).toBeDefined();
    // No summary event ever carried the oversized bullets, and the reader was never cut.
    expect(JSON.stringify(events)).not.toContain('b'.repeat(1000));
    expect(socket.connected).toBe(true);
  });
});

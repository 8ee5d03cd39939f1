import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  itemTexts,
  listItem,
} from './collab-fixtures.js';

/** Opens a raw WebSocket, sends one frame after the server's first message, resolves with the close code. */
function sendAndWaitClose(url: string, frame: Buffer | string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let sent = false;
    ws.on('message', () => {
      if (sent) return;
      sent = true;
      ws.send(frame);
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', reject);
    setTimeout(() => {
      ws.terminate();
      reject(new Error('no close within 10 s'));
    }, 10_000).unref();
  });
}

describe('collab limits', () => {
  it('closes only the offending connection on garbage, text, oversize and invalid frames', async () => {
    const server = await startServer({ COLLAB_MAX_UPDATE_BYTES: '1024' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const token = people[0]!.token;
    const url = `ws://127.0.0.1:${server.port}/collab/${blogId}?token=${token}`;
    const healthy = connectEditor(server, blogId, people[1]!.token);
    await waitFor(() => healthy.provider.synced, { what: 'healthy editor sync' });
    bulletList(healthy.doc).insert(0, [listItem('before')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 1, { what: 'stored' });

    const cases: [string, Buffer | string, number][] = [
      ['unknown message type', Buffer.from([9, 1, 2, 3]), 4400],
      ['truncated sync frame', Buffer.from([0, 2, 200]), 4400],
      ['undecodable update', Buffer.from([0, 2, 5, 1, 2, 3, 4, 5]), 4400],
      ['undecodable awareness', Buffer.from([1, 4, 1, 1, 1, 200]), 4400],
      ['text frame', 'hello', 4400],
      ['oversize frame', Buffer.concat([Buffer.from([0, 2, 0x80, 0x10]), Buffer.alloc(2048, 1)]), 4413],
    ];
    for (const [what, frame, code] of cases) {
      const closed = await sendAndWaitClose(url, frame);
      expect(closed.code, what).toBe(code);
      expect(closed.reason.length, what).toBeGreaterThan(0);
    }
    expect(await counterValue(server.app.deps.metrics.refusedFrames, {})).toBeGreaterThanOrEqual(cases.length);

    // The doc is untouched and the server keeps serving the healthy editor.
    bulletList(healthy.doc).insert(1, [listItem('after')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 2, { what: 'stored after' });
    expect(itemTexts(await docFromStore(server, blogId))).toEqual(['before', 'after']);
    expect(healthy.closes).toEqual([]);
  });

  it('refuses an update that would grow the doc past the limit, keeping what was stored', async () => {
    const server = await startServer({ COLLAB_MAX_DOC_BYTES: '4096', COLLAB_MAX_UPDATE_BYTES: '2048' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const writer = connectEditor(server, blogId, people[0]!.token);
    const other = connectEditor(server, blogId, people[1]!.token);
    await waitFor(() => writer.provider.synced && other.provider.synced, { what: 'sync' });
    // Bounded: at most 12 inserts of ~900 bytes against a 4 KiB doc limit.
    for (let i = 0; i < 12 && writer.closes.length === 0; i++) {
      bulletList(writer.doc).insert(i, [listItem(`${i} ${'x'.repeat(900)}`)]);
      await waitFor(() => writer.closes.length > 0 || itemTexts(other.doc).length === i + 1, {
        what: `insert ${i} to land or be refused`,
      });
    }
    expect(writer.closes[0]?.code).toBe(4413);
    const stored = await docFromStore(server, blogId);
    const storedCount = itemTexts(stored).length;
    expect(storedCount).toBeGreaterThan(0);
    expect(storedCount).toBeLessThan(12);
    expect(itemTexts(other.doc)).toEqual(itemTexts(stored));
    // Small edits from others still go through.
    bulletList(other.doc).delete(0, 1);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === storedCount - 1, {
      what: 'delete stored',
    });
  });

  it('rate-limits connection attempts per address with 429', async () => {
    const server = await startServer({ RATE_CONNECTS_PER_MIN: '3' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const url = `ws://127.0.0.1:${server.port}/collab/${blogId}?token=${people[0]!.token}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.on('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.on('open', () => {
            resolve(101);
            ws.close();
          });
          ws.on('error', reject);
        }),
      );
    }
    expect(statuses).toEqual([101, 101, 101, 429]);
  });
});

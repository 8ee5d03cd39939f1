import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

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
  it('survives upgrade requests whose target is no valid URL path, and keeps serving', async () => {
    const server = await startServer();
    // `new URL('//', base)` throws: before the fix this crashed the process from the upgrade listener.
    for (const target of ['//', '//[', '/\\']) {
      const ended = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
              'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
          );
        });
        let got = '';
        socket.on('data', (d) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        setTimeout(() => {
          socket.destroy();
          reject(new Error(`no close within 5 s for ${target}`));
        }, 5_000).unref();
      });
      expect(ended, target).not.toContain('101');
    }
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('keeps running and rendering when an editor nests elements thousands deep', async () => {
    const server = await startServer({ SUMMARY_DEBOUNCE_MS: '0', SUMMARY_MAX_WAIT_MS: '0' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const editor = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => editor.provider.synced, { what: 'sync' });
    const item = new Y.XmlElement('listItem');
    bulletList(editor.doc).insert(0, [item]);
    const paragraph = new Y.XmlElement('paragraph');
    item.insert(0, [paragraph]);
    // ~60 KB in one update: each level goes in after its parent is in the doc (no deep prelim).
    editor.doc.transact(() => {
      let parent = paragraph;
      for (let i = 0; i < 5000; i++) {
        const child = new Y.XmlElement('span');
        parent.insert(0, [child]);
        parent = child;
      }
    });
    // Rendered after the deep item is in the doc: the render of the deep doc must not throw.
    bulletList(editor.doc).insert(1, [listItem('plain bullet')]);
    await waitFor(async () => (await server.app.deps.store.getSummary(blogId)).bullets.length > 0, {
      what: 'summary rendered',
      timeoutMs: 10_000,
    });
    expect((await server.app.deps.store.getSummary(blogId)).bullets[0]?.text).toBe('plain bullet');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

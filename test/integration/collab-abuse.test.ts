import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  FAST_SUMMARY,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/** Sync step 1 with an empty state vector: four bytes that ask for the whole document. */
const STEP1 = Buffer.from([0, 0, 1, 0]);
/** queryAwareness: one byte that asks for every editor's presence. */
const QUERY_AWARENESS = Buffer.from([3]);

/** A raw WebSocket to /collab, open; closes (code) are recorded. */
async function rawSocket(server: TestServer, blogId: string, token: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/collab/${blogId}?token=${token}`);
  registerCleanup(() => ws.terminate());
  const closes: number[] = [];
  ws.on('close', (code) => closes.push(code));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { ws, closes };
}

/** Upgrade status of one more connection (101 when accepted), and the socket. */
function upgrade(server: TestServer, blogId: string, token: string): Promise<{ status: number; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/collab/${blogId}?token=${token}`);
    registerCleanup(() => ws.terminate());
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, ws });
      ws.terminate();
    });
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('error', reject);
  });
}
const upgradeStatus = async (server: TestServer, blogId: string, token: string) =>
  (await upgrade(server, blogId, token)).status;

/** Fills the summary with ~`kb` KB through an editor (100 KB per update) and waits until it is stored. */
async function bigDoc(server: TestServer, blogId: string, token: string, kb: number) {
  const writer = connectEditor(server, blogId, token);
  await waitFor(() => writer.provider.synced, { what: 'writer sync' });
  for (let chunk = 0; chunk < Math.ceil(kb / 100); chunk++) {
    writer.doc.transact(() => {
      const list = bulletList(writer.doc);
      for (let i = 0; i < 100; i++) list.insert(list.length, [listItem(`${chunk}.${i} ${'w'.repeat(1000)}`)]);
    });
  }
  const want = itemTexts(writer.doc).length;
  await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === want, {
    what: 'big doc stored',
    timeoutMs: 20_000,
  });
  return writer;
}

const refused = (server: TestServer, reason: string) => counterValue(server.app.deps.metrics.refusedFrames, { reason });

describe('collab amplification', () => {
  it('cuts a client that never reads while it asks for a 600 KB doc 300 times; memory stays bounded, editors unaffected', async () => {
    const server = await startServer(FAST_SUMMARY);
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor']);
    const writer = await bigDoc(server, blogId, people[0]!.token, 600);
    const other = connectEditor(server, blogId, people[1]!.token);
    await waitFor(() => other.provider.synced && itemTexts(other.doc).length === itemTexts(writer.doc).length, {
      what: 'second editor synced',
      timeoutMs: 20_000,
    });
    global.gc?.();
    const before = process.memoryUsage().rss;

    const { ws } = await rawSocket(server, blogId, people[2]!.token);
    ws.pause(); // never reads: everything sent to it stays queued on the server
    for (let i = 0; i < 300; i++) ws.send(STEP1);
    await waitFor(async () => (await refused(server, 'state_answers')) + (await refused(server, 'slow_consumer')) > 0, {
      what: 'the attacker to be cut',
    });
    await waitFor(async () => (await server.app.deps.metrics.editorsConnected.get()).values[0]?.value === 2, {
      what: 'only the two editors left connected',
    });
    const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
    // Unbounded, this was ~215 MB (300 answers of 600 KB each, held for a peer that never reads).
    expect(grown).toBeLessThan(60);

    // The other editors keep editing and seeing each other.
    bulletList(writer.doc).insert(0, [listItem('after the attack')]);
    await waitFor(() => itemTexts(other.doc)[0] === 'after the attack', { what: 'edit reaches the other editor' });
    expect(writer.closes).toEqual([]);
    expect(other.closes).toEqual([]);
  }, 60_000);

  it('answers a bounded number of full-state requests per connection, then closes it with 4429', async () => {
    const server = await startServer({ COLLAB_STATE_ANSWERS_PER_MIN: '5' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    for (const frame of [STEP1, QUERY_AWARENESS]) {
      const { ws, closes } = await rawSocket(server, blogId, people[0]!.token);
      let answers = 0;
      ws.on('message', () => answers++);
      for (let i = 0; i < 20; i++) ws.send(frame);
      await waitFor(() => closes.length > 0, { what: 'close' });
      expect(closes).toEqual([4429]);
    }
    expect(await refused(server, 'state_answers')).toBe(2);
  });

  it('closes a connection that spends its frame budget with 4429', async () => {
    const server = await startServer({ COLLAB_FRAMES_PER_SEC: '10' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const healthy = connectEditor(server, blogId, people[1]!.token);
    await waitFor(() => healthy.provider.synced, { what: 'sync' });
    const { ws, closes } = await rawSocket(server, blogId, people[0]!.token);
    // Awareness of nobody (0 entries): cheap frames, but 100 of them at once is past 3 s × 10/s.
    for (let i = 0; i < 100; i++) ws.send(Buffer.from([1, 1, 0]));
    await waitFor(() => closes.length > 0, { what: 'close' });
    expect(closes).toEqual([4429]);
    expect(await refused(server, 'frame_budget')).toBe(1);
    expect(healthy.closes).toEqual([]);
  });

  it('bounds the updates awaiting their check per connection', async () => {
    const server = await startServer({ COLLAB_MAX_PENDING_UPDATES: '4' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const { ws, closes } = await rawSocket(server, blogId, people[0]!.token);
    // 50 distinct small updates in one burst: far more than 4 can be checked in the meantime.
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 50; i++) source.getText('t').insert(0, 'x');
    for (const u of updates) ws.send(Buffer.concat([Buffer.from([0, 2]), lengthPrefixed(u)]));
    await waitFor(() => closes.length > 0, { what: 'close' });
    expect(closes).toEqual([4429]);
    expect(await refused(server, 'pending_checks')).toBe(1);
  });

  it('caps open /collab connections per user and per address with 429', async () => {
    const server = await startServer({ COLLAB_CONNECTIONS_PER_USER: '2', COLLAB_CONNECTIONS_PER_IP: '3' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const [a, b] = [people[0]!.token, people[1]!.token];
    const first = await upgrade(server, blogId, a);
    expect([first.status, await upgradeStatus(server, blogId, a)]).toEqual([101, 101]);
    expect(await upgradeStatus(server, blogId, a)).toBe(429);
    // Another user from the same address: one more fits under the address cap, then no more.
    expect(await upgradeStatus(server, blogId, b)).toBe(101);
    expect(await upgradeStatus(server, blogId, b)).toBe(429);
    // A closed connection frees its slots.
    first.ws.close();
    await waitFor(async () => (await upgradeStatus(server, blogId, a)) === 101, { what: 'a freed slot' });
    expect(
      await counterValue(server.app.deps.metrics.rateLimited, { limit: 'collab_connections_per_user' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      await counterValue(server.app.deps.metrics.rateLimited, { limit: 'collab_connections_per_ip' }),
    ).toBeGreaterThanOrEqual(1);
  });
});

function lengthPrefixed(u: Uint8Array): Buffer {
  const bytes: number[] = [];
  let n = u.length;
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.concat([Buffer.from(bytes), Buffer.from(u)]);
}

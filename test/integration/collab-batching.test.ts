import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  type Editor,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startOwnPostgres } from '../helpers/own-postgres.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The collab write path batches: every update checked in one worker message is applied to the
 * doc once and everything applied and not yet stored goes into one transaction, sent on only
 * after it committed. These tests send many updates from several connections in one turn.
 */

const synced = (e: Editor) => waitFor(() => e.provider.synced, { what: 'provider sync' });

/** Number of commits (batches written) the server observed so far. */
async function commits(server: { app: { deps: { metrics: { updateCommitSeconds: { get(): Promise<unknown> } } } } }) {
  const h = (await server.app.deps.metrics.updateCommitSeconds.get()) as {
    values: { metricName?: string; value: number }[];
  };
  return h.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
}

/**
 * Follows what a doc receives from the server: per Yjs client, each update must continue
 * exactly where the last one ended (in order, nothing skipped); anything else is recorded.
 */
function watchOrder(doc: Y.Doc): { gaps: string[] } {
  // From what it already holds.
  const last = new Map<number, number>(Y.decodeStateVector(Y.encodeStateVector(doc)));
  const gaps: string[] = [];
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === null) return; // its own local edits
    const meta = Y.parseUpdateMeta(update);
    for (const [client, to] of meta.to) {
      const from = meta.from.get(client) ?? 0;
      const prev = last.get(client) ?? 0;
      if (from !== prev) gaps.push(`client ${client}: got ${from}..${to} after ${prev}`);
      last.set(client, Math.max(prev, to));
    }
  });
  return { gaps };
}

/** A raw WebSocket that is open once the server has sent its first frame (sync step 1). */
async function rawSocket(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(url);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  return { ws, closed };
}

describe('collab batching', () => {
  it('many updates from several editors in one turn: all stored, sent on in order, in fewer commits', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor', 'editor']);
    const writers = people.slice(0, 3).map((p) => connectEditor(server, blogId, p.token));
    const watcher = connectEditor(server, blogId, people[3]!.token);
    await Promise.all([...writers, watcher].map(synced));
    bulletList(writers[0]!.doc).insert(0, [listItem('seed')]);
    await waitFor(() => writers.every((w) => itemTexts(w.doc).length === 1) && itemTexts(watcher.doc).length === 1, {
      what: 'seed everywhere',
    });
    const order = watchOrder(watcher.doc);
    const commitsBefore = await commits(server);
    const rowsBefore = (await server.app.deps.store.loadDoc(blogId)).updates.length;

    // 3 editors × 20 transactions, all written to their sockets within this one synchronous turn.
    const perWriter = 20;
    for (let i = 0; i < perWriter; i++) {
      writers.forEach((w, k) => {
        const list = bulletList(w.doc);
        list.insert(list.length, [listItem(`w${k} #${i}`)]);
      });
    }
    const expected = itemTexts(writers[0]!.doc).length + 2 * perWriter;
    await waitFor(() => itemTexts(watcher.doc).length === expected, {
      what: 'watcher to get all 60',
      timeoutMs: 15_000,
    });
    await waitFor(() => writers.every((w) => itemTexts(w.doc).length === expected), { what: 'writers converge' });

    // Each writer's items are in the order it typed them, everywhere.
    for (let k = 0; k < writers.length; k++) {
      const mine = itemTexts(watcher.doc).filter((t) => t.startsWith(`w${k} `));
      expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => `w${k} #${i}`));
    }
    expect(order.gaps).toEqual([]);
    const stored = await server.app.deps.store.loadDoc(blogId);
    expect(stored.updates.length - rowsBefore).toBe(writers.length * perWriter);
    expect(itemTexts(await docFromStore(server, blogId))).toEqual(itemTexts(watcher.doc));
    // Batched: 60 updates arrived within a turn or two and did not take 60 commits.
    const used = (await commits(server)) - commitsBefore;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(writers.length * perWriter);
  });

  it('an undecodable update in a batch is refused alone; the good ones of other connections land', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor']);
    const good = people.slice(0, 2).map((p) => connectEditor(server, blogId, p.token));
    await Promise.all(good.map(synced));
    const bad = await rawSocket(`ws://127.0.0.1:${server.port}/collab/${blogId}?token=${people[2]!.token}`);

    // In one turn: good updates, a frame whose update does not decode, more good updates.
    bulletList(good[0]!.doc).insert(0, [listItem('a1')]);
    bad.ws.send(Buffer.from([0, 2, 5, 1, 2, 3, 4, 5]));
    bulletList(good[0]!.doc).insert(1, [listItem('a2')]);
    expect(await bad.closed).toBe(4400);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 2, { what: 'good ones stored' });
    await waitFor(() => itemTexts(good[1]!.doc).join() === 'a1,a2', { what: 'good ones sent on' });
    expect(good.every((g) => g.closes.length === 0)).toBe(true);
    expect(await counterValue(server.app.deps.metrics.refusedFrames, { reason: 'invalid_update' })).toBe(1);
  });

  it('the size cap holds when one batch carries several large updates', async () => {
    const server = await startServer({ COLLAB_MAX_DOC_BYTES: '4096', COLLAB_MAX_UPDATE_BYTES: '2048' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor', 'editor', 'editor']);
    const writers = people.slice(0, 4).map((p) => connectEditor(server, blogId, p.token));
    const watcher = connectEditor(server, blogId, people[4]!.token);
    await Promise.all([...writers, watcher].map(synced));
    // Each writer makes its own list so no update depends on another writer's.
    // 4 × ~1.5 KB in one turn against a 4 KiB doc: at most two fit.
    writers.forEach((w, k) => {
      w.doc.getXmlFragment(`extra${k}`).insert(0, [listItem(`${k} ${'x'.repeat(1500)}`)]);
    });
    await waitFor(() => writers.filter((w) => w.closes.some((c) => c.code === 4413)).length >= 2, {
      what: 'the writers over the cap to be refused',
    });
    const refused = writers.filter((w) => w.closes.some((c) => c.code === 4413)).length;
    expect(refused).toBeLessThan(4);
    const has = (doc: Y.Doc) => [0, 1, 2, 3].filter((k) => doc.getXmlFragment(`extra${k}`).length > 0);
    // The others land (sent on once committed); what the watcher has is exactly what is stored.
    await waitFor(() => has(watcher.doc).length === 4 - refused, { what: 'the accepted ones to reach the watcher' });
    const stored = await docFromStore(server, blogId);
    expect(Y.encodeStateAsUpdate(stored).length).toBeLessThanOrEqual(4096);
    expect(has(stored)).toEqual(has(watcher.doc));
    // Nobody refused has content anywhere but in its own doc.
    writers.forEach((w, k) => {
      if (w.closes.some((c) => c.code === 4413)) expect(has(stored)).not.toContain(k);
    });
  });

  it('while the store is down, nothing is sent on; once it is back the held updates commit and go out', async () => {
    const pg = await startOwnPostgres();
    const server = await startServer({ DATABASE_URL: pg.url });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor']);
    const writer = connectEditor(server, blogId, people[0]!.token);
    const other = connectEditor(server, blogId, people[1]!.token);
    await Promise.all([writer, other].map(synced));
    // A raw connection that will ask for the whole doc while the store is down.
    const late = await rawSocket(`ws://127.0.0.1:${server.port}/collab/${blogId}?token=${people[2]!.token}`);
    bulletList(writer.doc).insert(0, [listItem('before')]);
    await waitFor(() => itemTexts(other.doc).length === 1, { what: 'first edit sent on' });

    await pg.stop();
    const failures = () => counterValue(server.app.deps.metrics.updateCommitFailures, {});
    bulletList(writer.doc).insert(1, [listItem('while down')]);
    await waitFor(async () => (await failures()) >= 2, { what: 'commits to fail and be retried', timeoutMs: 15_000 });
    // Not stored, so not sent: neither to the editor in the room nor in answer to a sync request.
    expect(itemTexts(other.doc)).toEqual(['before']);
    const answers: Y.Doc[] = [];
    late.ws.on('message', (data: Buffer) => {
      // messageSync (0), syncStep2 (1): the answer to our step 1.
      if (data[0] !== 0 || data[1] !== 1) return;
      const doc = new Y.Doc();
      const decoder = decoding.createDecoder(new Uint8Array(data));
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
      Y.applyUpdate(doc, decoding.readVarUint8Array(decoder));
      answers.push(doc);
    });
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    syncProtocol.writeSyncStep1(step1, new Y.Doc());
    late.ws.send(encoding.toUint8Array(step1));
    const seen = await failures();
    await waitFor(async () => (await failures()) > seen, { what: 'another failed retry', timeoutMs: 15_000 });
    expect(answers).toEqual([]);

    await pg.start();
    await waitFor(() => itemTexts(other.doc).join() === 'before,while down', {
      what: 'held update sent on after its commit',
      timeoutMs: 20_000,
    });
    await waitFor(() => answers.length === 1, { what: 'the sync request answered' });
    expect(itemTexts(answers[0]!)).toEqual(['before', 'while down']);
    expect(itemTexts(await docFromStore(server, blogId))).toEqual(['before', 'while down']);
    expect(writer.closes).toEqual([]);
  }, 60_000);
});

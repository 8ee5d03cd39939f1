import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { CheckedAppend } from '../../src/store/types.js';
import { tempDataDir } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

const log = createLogger('silent');

/** Stand-ins for yjs#687: an update starting with 7 hangs the check, one starting with 9 bloats it. */
const HOSTILE_CHECK = `
function checkUpdate(Y, update) {
  if (update[0] === 7) for (;;) {}
  if (update[0] === 9) { const hoard = []; for (;;) hoard.push(new Array(1e6).fill(Math.random())); }
  try { const doc = new Y.Doc(); Y.applyUpdate(doc, update); doc.destroy(); return true; } catch { return false; }
}`;

async function storeWithBlog(source?: string) {
  const store = new SqliteStore({
    file: join(tempDataDir(), 'writer.sqlite'),
    synchronous: 'FULL',
    log,
    check: { deadlineMs: 300, maxHeapMb: 32, ...(source ? { source } : {}) },
  });
  registerCleanup(() => store.close());
  await store.migrate();
  const blogId = newId();
  await store.createBlog(
    { id: blogId, slug: `w-${blogId}`, title: 't', description: '', status: 'live', allowedOrigins: [] },
    new Date().toISOString(),
  );
  return { store, blogId };
}

/** n real Yjs updates (one keystroke each). */
function realUpdates(n: number, from = 0): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < from + n; i++) doc.getText('t').insert(i, 'x');
  return out.slice(from);
}

const verdicts = (r: CheckedAppend[]) => r.map((x) => x.verdict);
const openFds = () => readdirSync('/proc/self/fd').length;

describe('SQLite doc writer: check and append in one round trip', () => {
  it('stores the updates that decode, in order, and refuses garbage without a row', async () => {
    const { store, blogId } = await storeWithBlog();
    const good = realUpdates(3);
    const result = await store.checkAndAppendDocUpdates?.(blogId, [
      good[0]!,
      new Uint8Array([0xff, 0xff, 0xff]),
      good[1]!,
      good[2]!,
    ]);
    expect(result && verdicts(result)).toEqual(['ok', 'invalid', 'ok', 'ok']);
    const state = await store.loadDoc(blogId);
    expect(state.updates.map((u) => u.id)).toEqual(result?.flatMap((r) => (r.verdict === 'ok' ? [r.rowId] : [])));
    expect(state.updates.map((u) => Buffer.from(u.data).toString('hex'))).toEqual(
      [good[0], good[1], good[2]].map((u) => Buffer.from(u!).toString('hex')),
    );
    // A blog that does not exist: refused as such, nothing stored.
    await expect(store.checkAndAppendDocUpdates?.(newId(), realUpdates(1))).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('a missing blog among jobs sent together fails that job alone; the others are stored', async () => {
    const { store, blogId } = await storeWithBlog();
    const updates = realUpdates(4);
    // Sent in one turn, so the worker usually finds them queued together (one commit, a
    // savepoint each); written one by one, the outcome must be the same.
    const [a, missing, b, c] = await Promise.allSettled([
      store.checkAndAppendDocUpdates!(blogId, [updates[0]!]),
      store.checkAndAppendDocUpdates!(newId(), [updates[1]!]),
      store.appendDocUpdates(blogId, [updates[2]!]),
      store.checkAndAppendDocUpdates!(blogId, [updates[3]!]),
    ]);
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 'not_found' } });
    for (const r of [a, b, c]) expect(r.status).toBe('fulfilled');
    const state = await store.loadDoc(blogId);
    expect(state.updates.map((u) => Buffer.from(u.data).toString('hex'))).toEqual(
      [updates[0], updates[2], updates[3]].map((u) => Buffer.from(u!).toString('hex')),
    );
  });

  it('a check past its deadline costs a restart: only the culprit is refused, jobs in flight with it are written, the writer keeps serving', async () => {
    const { store, blogId } = await storeWithBlog(HOSTILE_CHECK);
    const good = realUpdates(6);
    const fdsBefore = openFds();
    const [batch, plain, after] = await Promise.all([
      store.checkAndAppendDocUpdates?.(blogId, [good[0]!, new Uint8Array([7, 1, 2]), good[1]!]),
      // A plain append queued behind the hanging check: sent again to the new worker.
      store.appendDocUpdates(blogId, [good[2]!]),
      store.checkAndAppendDocUpdates?.(blogId, [good[3]!]),
    ]);
    expect(batch && verdicts(batch)).toEqual(['ok', 'timeout', 'ok']);
    expect(plain).toHaveLength(1);
    expect(after && verdicts(after)).toEqual(['ok']);
    const later = await store.checkAndAppendDocUpdates?.(blogId, [good[4]!, good[5]!]);
    expect(later && verdicts(later)).toEqual(['ok', 'ok']);
    const stored = (await store.loadDoc(blogId)).updates.map((u) => Buffer.from(u.data).toString('hex'));
    expect(stored.sort()).toEqual(good.map((u) => Buffer.from(u).toString('hex')).sort());
    // Two more hangs: the killed workers' connections do not pile up open files.
    for (let i = 0; i < 2; i++) {
      const r = await store.checkAndAppendDocUpdates?.(blogId, [new Uint8Array([7])]);
      expect(r && verdicts(r)).toEqual(['timeout']);
    }
    await store.appendDocUpdates(blogId, realUpdates(1, 6));
    // A killed worker closes its files as its thread tears down, which can end after its
    // successor is serving: wait for that (a leak would never come back down).
    await waitFor(() => openFds() <= fdsBefore + 4, {
      timeoutMs: 5_000,
      what: () => `open files back to at most ${fdsBefore + 4} (now ${openFds()})`,
    });
  });

  it('a check that runs the writer out of memory refuses that update alone', async () => {
    const { store, blogId } = await storeWithBlog(HOSTILE_CHECK);
    const good = realUpdates(2);
    const result = await store.checkAndAppendDocUpdates?.(blogId, [good[0]!, new Uint8Array([9]), good[1]!]);
    expect(result && verdicts(result)).toEqual(['ok', 'invalid', 'ok']);
    expect((await store.loadDoc(blogId)).updates).toHaveLength(2);
  });
});

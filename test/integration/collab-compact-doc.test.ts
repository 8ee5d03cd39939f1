import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { compactDoc } from '../../src/collab/compaction.js';
import { createLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/lib/metrics.js';
import { bulletList, createBlogWith, itemTexts, listItem } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';

describe('compactDoc', () => {
  it('rebuilds from the store and keeps rows appended while it ran', async () => {
    const server = await startServer();
    const { store } = server.app.deps;
    const { blogId } = await createBlogWith(server, []);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    bulletList(doc).insert(0, [listItem('a'), listItem('b'), listItem('c')]);
    bulletList(doc).delete(1, 1);
    await store.appendDocUpdates(blogId, updates.splice(0));

    const deps = { store, metrics: createMetrics(), log: createLogger('silent') };
    // A row appended while it runs: after compaction read the log, before it writes the snapshot
    // (a store whose loadDoc appends one once it has read; racing a real writer thread is not
    // deterministic).
    const appendingAfterRead = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'loadDoc') {
          return async (...args: Parameters<typeof store.loadDoc>) => {
            const state = await target.loadDoc(...args);
            bulletList(doc).insert(2, [listItem('d')]);
            await target.appendDocUpdates(blogId, updates.splice(0));
            return state;
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const result = await compactDoc(blogId, { ...deps, store: appendingAfterRead });
    expect(result?.rowsMerged).toBe(3);

    const state = await store.loadDoc(blogId);
    const rebuilt = new Y.Doc();
    if (state.snapshot) Y.applyUpdate(rebuilt, state.snapshot);
    for (const row of state.updates) Y.applyUpdate(rebuilt, row.data);
    expect(itemTexts(rebuilt)).toEqual(['a', 'c', 'd']);
    expect(state.updates.length).toBe(1);
    expect(await compactDoc(blogId, deps)).not.toBeNull();
    expect(await compactDoc(blogId, deps)).toBeNull();
  });
});

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
    const running = compactDoc(blogId, deps);
    bulletList(doc).insert(2, [listItem('d')]);
    await store.appendDocUpdates(blogId, updates.splice(0));
    const result = await running;
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

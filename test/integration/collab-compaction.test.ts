import { describe, expect, it } from 'vitest';
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

describe('collab compaction', () => {
  it('compacts the log while three editors keep typing, and loses nothing', async () => {
    const server = await startServer({ COLLAB_COMPACT_AFTER: '5' });
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'editor']);
    const editors = people.map((p) => connectEditor(server, blogId, p.token));
    await waitFor(() => editors.every((e) => e.provider.synced), { what: 'sync' });
    bulletList(editors[0]!.doc).insert(0, [listItem('start')]);
    await waitFor(() => editors.every((e) => itemTexts(e.doc).length === 1), { what: 'skeleton' });

    const compactions = () => counterValue(server.app.deps.metrics.compactions, { outcome: 'ok' });
    // 40 rounds × 3 editors, each edit its own event-loop turn or batched with others.
    for (let round = 0; round < 40; round++) {
      editors.forEach((e, i) => {
        const list = bulletList(e.doc);
        list.insert(list.length, [listItem(`e${i}-${round}`)]);
        if (round % 4 === i) list.delete(0, 1);
      });
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(
      () => editors.every((e) => JSON.stringify(itemTexts(e.doc)) === JSON.stringify(itemTexts(editors[0]!.doc))),
      { what: 'editors to converge', timeoutMs: 15_000 },
    );
    expect(await compactions()).toBeGreaterThanOrEqual(2);
    const final = itemTexts(editors[0]!.doc);
    expect(final).toContain('e0-39');
    expect(final).toContain('e2-39');
    await waitFor(async () => JSON.stringify(itemTexts(await docFromStore(server, blogId))) === JSON.stringify(final), {
      what: 'store to match the editors',
    });
    const state = await server.app.deps.store.loadDoc(blogId);
    expect(state.snapshot).not.toBeNull();
    expect(state.updates.length).toBeLessThan(120);

    // A restarted server serves the same doc from snapshot + remaining rows.
    for (const e of editors) e.destroy();
    await server.stop();
    const again = await startServer({ DATA_DIR: server.dataDir, COLLAB_COMPACT_AFTER: '5' });
    const late = connectEditor(again, blogId, people[0]!.token);
    await waitFor(() => itemTexts(late.doc).length === final.length, { what: 'doc after restart' });
    expect(itemTexts(late.doc)).toEqual(final);
  });
});

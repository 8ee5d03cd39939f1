import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  createPerson,
  docFromStore,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const synced = (e: { provider: { synced: boolean } }) => waitFor(() => e.provider.synced, { what: 'provider sync' });
const same = (a: Y.Doc, b: Y.Doc) => JSON.stringify(itemTexts(a)) === JSON.stringify(itemTexts(b));

/** HTTP status of a refused upgrade (or 101 when it was accepted). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

describe('collab sync', () => {
  it('three editors inserting and deleting concurrently converge, and the store holds the same doc', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'owner']);
    const editors = people.map((p) => connectEditor(server, blogId, p.token));
    await Promise.all(editors.map(synced));
    // One editor creates the list skeleton; the others wait for it (as TipTap editors would).
    bulletList(editors[0]!.doc).insert(0, [listItem('seed A'), listItem('seed B')]);
    await waitFor(() => editors.every((e) => itemTexts(e.doc).length === 2), { what: 'skeleton everywhere' });

    // Bounded rounds of concurrent edits: each editor inserts, some delete, all in the same turn.
    for (let round = 0; round < 15; round++) {
      editors.forEach((e, i) => {
        const list = bulletList(e.doc);
        list.insert(round % 2 === 0 ? 0 : list.length, [listItem(`e${i} r${round}`)]);
        if (round % 3 === i && list.length > 3) list.delete(1, 1);
      });
      if (round % 5 === 4) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => same(editors[0]!.doc, editors[1]!.doc) && same(editors[1]!.doc, editors[2]!.doc), {
      what: 'editors to converge',
      timeoutMs: 15_000,
    });
    const texts = itemTexts(editors[0]!.doc);
    expect(texts.length).toBeGreaterThan(30);
    expect(texts).toContain('e2 r14');
    await waitFor(async () => same(await docFromStore(server, blogId), editors[0]!.doc), {
      what: 'store to hold the converged doc',
    });
  });

  it('a late joiner gets everything, by id or by slug', async () => {
    const server = await startServer();
    const { blogId, slug, people } = await createBlogWith(server, ['editor', 'editor']);
    const first = connectEditor(server, blogId, people[0]!.token);
    await synced(first);
    bulletList(first.doc).insert(0, [listItem('one'), listItem([{ text: 'two', bold: true }])]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 2, { what: 'stored' });
    const late = connectEditor(server, slug, people[1]!.token);
    await synced(late);
    await waitFor(() => same(late.doc, first.doc), { what: 'late joiner content' });
    expect(itemTexts(late.doc)).toEqual(['one', 'two']);
  });

  it('refuses a missing or wrong token, strangers and unknown blogs before any sync', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const stranger = await createPerson(server, 'Stranger');
    const base = `ws://127.0.0.1:${server.port}/collab`;
    expect(await upgradeStatus(`${base}/${blogId}`)).toBe(401);
    expect(await upgradeStatus(`${base}/${blogId}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${base}/${blogId}?token=${stranger.token}`)).toBe(403);
    expect(await upgradeStatus(`${base}/no-such-blog?token=${people[0]!.token}`)).toBe(404);
    expect(await upgradeStatus(`${base}/${blogId}?token=${people[0]!.token}`)).toBe(101);
    await expect(upgradeStatus(`ws://127.0.0.1:${server.port}/elsewhere`)).rejects.toThrow();

    const good = connectEditor(server, blogId, people[0]!.token);
    const bad = connectEditor(server, blogId, 'not-a-token');
    const none = connectEditor(server, blogId, null);
    await synced(good);
    bulletList(good.doc).insert(0, [listItem('secret')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 1, { what: 'stored' });
    // Both refused providers have tried (and been turned away) at least twice by now.
    await waitFor(() => bad.closes.length >= 2 && none.closes.length >= 2, { what: 'refused attempts' });
    expect(bad.provider.synced).toBe(false);
    expect(none.provider.synced).toBe(false);
    expect(itemTexts(bad.doc)).toEqual([]);
    expect(itemTexts(none.doc)).toEqual([]);
  });

  it('syncs a contributor read-only: its edits reach neither the server nor other editors', async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'contributor', 'editor']);
    const [editor, contributor, other] = people.map((p) => connectEditor(server, blogId, p.token));
    await Promise.all([editor, contributor, other].map((e) => synced(e!)));
    bulletList(editor!.doc).insert(0, [listItem('by editor')]);
    await waitFor(() => itemTexts(contributor!.doc).length === 1, { what: 'contributor to see the edit' });

    const refused = () => counterValue(server.app.deps.metrics.refusedFrames, { reason: 'read_only' });
    const before = await refused();
    bulletList(contributor!.doc).insert(1, [listItem('by contributor')]);
    await waitFor(async () => (await refused()) > before, { what: 'contributor update refused' });
    // A later editor change goes through, so anything the contributor sent earlier would have too.
    bulletList(editor!.doc).insert(1, [listItem('second by editor')]);
    await waitFor(() => itemTexts(other!.doc).length === 2, { what: 'second edit at the other editor' });
    expect(itemTexts(other!.doc)).toEqual(['by editor', 'second by editor']);
    expect(itemTexts(await docFromStore(server, blogId))).toEqual(['by editor', 'second by editor']);
    expect(contributor!.closes).toEqual([]);
  });

  it("shares presence with the user field forced to the connection's own user", async () => {
    const server = await startServer();
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const [a, b] = people.map((p) => connectEditor(server, blogId, p.token));
    await Promise.all([a, b].map((e) => synced(e!)));
    let awarenessFramesToA = 0;
    a!.provider.ws!.addEventListener('message', (e: { data: unknown }) => {
      if (new Uint8Array(e.data as ArrayBuffer)[0] === 1) awarenessFramesToA++;
    });
    a!.provider.awareness.setLocalState({ user: { name: 'Impostor', color: '#000000' }, cursor: 7 });
    const seen = await waitFor(
      () => b!.provider.awareness.getStates().get(a!.doc.clientID) as Record<string, unknown> | undefined,
      { what: "a in b's awareness" },
    );
    expect(seen.cursor).toBe(7);
    expect(seen.user).toEqual({ name: people[0]!.name, color: people[0]!.color });
    // The sender hears its own state back (keeps the provider's 30 s watchdog fed).
    await waitFor(() => awarenessFramesToA > 0, { what: 'echo to sender' });
    a!.destroy();
    await waitFor(() => !b!.provider.awareness.getStates().has(a!.doc.clientID), { what: 'a to leave' });
  });
});

describe('collab restart', () => {
  it('keeps the doc across a server restart on the same data dir', async () => {
    const first = await startServer();
    const { blogId, people } = await createBlogWith(first, ['editor']);
    const editor = connectEditor(first, blogId, people[0]!.token);
    await synced(editor);
    bulletList(editor.doc).insert(0, [listItem('survives'), listItem([{ text: 'restarts', italic: true }])]);
    await waitFor(async () => itemTexts(await docFromStore(first, blogId)).length === 2, { what: 'stored' });
    await first.stop();
    // Shutdown tells editors to come back later (1012), which the provider does by itself.
    expect(editor.closes.map((c) => c.code)).toContain(1012);
    editor.destroy();

    const second = await startServer({ DATA_DIR: first.dataDir });
    const again = connectEditor(second, blogId, people[0]!.token);
    await synced(again);
    await waitFor(() => itemTexts(again.doc).length === 2, { what: 'doc after restart' });
    expect(itemTexts(again.doc)).toEqual(['survives', 'restarts']);
    // And the skeleton was not seeded twice.
    expect(again.doc.getXmlFragment('summary').length).toBe(1);
    expect(Y.encodeStateAsUpdate(again.doc).length).toBeGreaterThan(10);
  });

  it('unloads an idle doc and loads it again, whole, on the next connection', async () => {
    const server = await startServer({ COLLAB_IDLE_UNLOAD_MS: '100' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const loaded = async () => (await server.app.deps.metrics.docsLoaded.get()).values[0]?.value ?? 0;
    const editor = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => editor.provider.synced, { what: 'sync' });
    expect(await loaded()).toBe(1);
    bulletList(editor.doc).insert(0, [listItem('kept while unloaded')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 1, { what: 'stored' });
    editor.destroy();
    await waitFor(async () => (await loaded()) === 0, { what: 'doc unloaded' });
    const again = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => itemTexts(again.doc).length === 1, { what: 'reloaded doc' });
    expect(itemTexts(again.doc)).toEqual(['kept while unloaded']);
    expect(await loaded()).toBe(1);
  });

  it('picks up rows written to the store without a bus message (periodic re-read)', async () => {
    const server = await startServer({ COLLAB_RESYNC_MS: '200' });
    const { blogId, people } = await createBlogWith(server, ['editor']);
    const editor = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => editor.provider.synced, { what: 'sync' });
    bulletList(editor.doc).insert(0, [listItem('via socket')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).length === 1, { what: 'stored' });
    // Another node's row whose doorbell was lost: only the store has it.
    const elsewhere = await docFromStore(server, blogId);
    const rows: Uint8Array[] = [];
    elsewhere.on('update', (u: Uint8Array) => rows.push(u));
    bulletList(elsewhere).insert(1, [listItem('only in the store')]);
    await server.app.deps.store.appendDocUpdates(blogId, rows);
    await waitFor(() => itemTexts(editor.doc).length === 2, { what: 'store-only row at the editor' });
    expect(itemTexts(editor.doc)).toEqual(['via socket', 'only in the store']);
  });
});

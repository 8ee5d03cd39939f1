import { describe, expect, it } from 'vitest';
import { createApi } from '../helpers/api.js';
import {
  bulletList,
  connectEditor,
  counterValue,
  createBlogWith,
  docFromStore,
  type Editor,
  FAST_SUMMARY,
  itemTexts,
  listItem,
} from '../helpers/collab.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Archiving a blog makes it read-only for editors too, and that reaches connections already
 * open: the archive publishes `blog.access`, every node re-judges every open /collab
 * connection to the blog, and from then on what they type is refused. The sockets stay open.
 */

const readOnlyRefusals = (server: TestServer) =>
  counterValue(server.app.deps.metrics.refusedFrames, { reason: 'read_only' });

/** Types into `editor` until `servedBy` refuses it as read-only; resolves with how long that took. */
async function typeUntilRefused(servedBy: TestServer, editor: Editor, label: string): Promise<number> {
  const before = await readOnlyRefusals(servedBy);
  const started = Date.now();
  let n = 0;
  await waitFor(
    async () => {
      bulletList(editor.doc).insert(0, [listItem(`${label} ${n++}`)]);
      return (await readOnlyRefusals(servedBy)) > before;
    },
    { what: `${label}: refused as read-only`, intervalMs: 50, timeoutMs: 5000 },
  );
  return Date.now() - started;
}

/** One more update after the verdict: counted as refused, so it was dropped, not queued. */
async function expectDropped(servedBy: TestServer, editor: Editor, text: string): Promise<void> {
  const before = await readOnlyRefusals(servedBy);
  bulletList(editor.doc).insert(0, [listItem(text)]);
  await waitFor(async () => (await readOnlyRefusals(servedBy)) > before, { what: `${text} refused` });
}

describe('archiving a blog reaches open collab connections', () => {
  it('makes every open connection read-only at once, the admin token’s too; sockets stay; a reopened blog takes edits from new connections', async () => {
    const server = await startServer(FAST_SUMMARY);
    const admin = createApi(server.url, server.adminToken);
    const { blogId, people } = await createBlogWith(server, ['editor', 'owner']);
    const editor = connectEditor(server, blogId, people[0]!.token);
    const owner = connectEditor(server, blogId, people[1]!.token);
    const adminConn = connectEditor(server, blogId, server.adminToken);
    await waitFor(() => editor.provider.synced && owner.provider.synced && adminConn.provider.synced, {
      what: 'all synced',
    });
    bulletList(editor.doc).insert(0, [listItem('before the archive')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).includes('before the archive'), {
      what: 'edit stored',
    });
    await waitFor(() => itemTexts(adminConn.doc).includes('before the archive'), { what: 'shared list' });

    await admin.patchBlog(blogId, { status: 'archived' });
    // The re-judge started before the answer (the bus delivers on this node synchronously).
    const ms = await typeUntilRefused(server, editor, 'typed after the archive');
    expect(ms).toBeLessThan(1000);
    await expectDropped(server, owner, 'owner after the archive');
    await expectDropped(server, adminConn, 'admin after the archive');
    await expectDropped(server, editor, 'editor again');
    const stored = itemTexts(await docFromStore(server, blogId));
    expect(stored).toEqual(['before the archive']);
    expect(itemTexts(owner.doc)).not.toContain('typed after the archive 0');
    for (const e of [editor, owner, adminConn]) {
      expect(e.closes).toEqual([]);
      expect(e.provider.wsconnected).toBe(true);
    }

    // Reopened: a new connection edits again (the old ones stay read-only until they reconnect).
    await admin.patchBlog(blogId, { status: 'live' });
    const fresh = connectEditor(server, blogId, people[0]!.token);
    await waitFor(() => fresh.provider.synced, { what: 'fresh synced' });
    bulletList(fresh.doc).insert(bulletList(fresh.doc).length, [listItem('after reopening')]);
    await waitFor(async () => itemTexts(await docFromStore(server, blogId)).includes('after reopening'), {
      what: 'edit after reopening stored',
    });
  });

  it('on two PostgreSQL nodes with Redis: archived through node A, an editor on node B loses edit rights within a second', async () => {
    const env = { ...FAST_SUMMARY, DATABASE_URL: await freshPostgresDatabase(), REDIS_URL: REDIS_TEST_URL };
    const nodeA = await startServer({ ...env, NODE_ID: 'archive-a' });
    const nodeB = await startServer({ ...env, NODE_ID: 'archive-b' });
    const admin = createApi(nodeA.url, nodeA.adminToken);
    const { blogId, people } = await createBlogWith(nodeA, ['editor']);
    const onB = connectEditor(nodeB, blogId, people[0]!.token);
    await waitFor(() => onB.provider.synced, { what: 'synced on B' });
    bulletList(onB.doc).insert(0, [listItem('before the archive')]);
    await waitFor(async () => itemTexts(await docFromStore(nodeA, blogId)).includes('before the archive'), {
      what: 'edit stored',
    });

    await admin.patchBlog(blogId, { status: 'archived' });
    const ms = await typeUntilRefused(nodeB, onB, 'typed on B after the archive');
    console.log(`[collab-archive] node B refused edits ${ms} ms after the archive answered on node A`);
    expect(ms).toBeLessThan(1000);
    await expectDropped(nodeB, onB, 'again on B');
    expect(itemTexts(await docFromStore(nodeA, blogId))).not.toContain('again on B');
    expect(onB.closes).toEqual([]);
  });
});

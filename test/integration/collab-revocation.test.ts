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

const summaryTexts = async (server: TestServer, blogId: string) =>
  (await server.app.deps.store.getSummary(blogId)).bullets.map((b) => b.text);

/**
 * After `change()` (an HTTP call on `changedOn`), `target`'s socket on `servedBy` closes with
 * `code` within a second; a bullet it types afterwards reaches neither the store nor readers,
 * while `witness` (still an editor) keeps publishing.
 */
async function expectCut(opts: {
  servedBy: TestServer;
  blogId: string;
  target: Editor;
  witness: Editor;
  code: number;
  change: () => Promise<unknown>;
}) {
  const { servedBy, blogId, target, witness, code } = opts;
  await waitFor(() => target.provider.synced && witness.provider.synced, { what: 'both synced' });
  await opts.change();
  // From the moment the change is committed and answered (the HTTP round trip itself is not
  // part of the promise; on a loaded CI machine it alone can take most of a second).
  const started = Date.now();
  await waitFor(() => target.closes.some((c) => c.code === code), {
    what: () => `close ${code} (got ${JSON.stringify(target.closes)})`,
    timeoutMs: 5000,
  });
  expect(Date.now() - started).toBeLessThan(1000);

  bulletList(target.doc).insert(0, [listItem('typed after losing the right')]);
  bulletList(witness.doc).insert(bulletList(witness.doc).length, [listItem('marker')]);
  await waitFor(async () => (await summaryTexts(servedBy, blogId)).includes('marker'), { what: 'marker published' });
  expect(await summaryTexts(servedBy, blogId)).not.toContain('typed after losing the right');
  expect(itemTexts(await docFromStore(servedBy, blogId))).not.toContain('typed after losing the right');
  expect(itemTexts(witness.doc)).not.toContain('typed after losing the right');
}

describe('access changes reach open collab sockets', () => {
  it('removing a member closes their socket with 4403 within a second; their typing reaches nobody', async () => {
    const server = await startServer(FAST_SUMMARY);
    const admin = createApi(server.url, server.adminToken);
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const [stays, removed] = [people[0]!, people[1]!];
    const witness = connectEditor(server, blogId, stays.token);
    const target = connectEditor(server, blogId, removed.token);
    await expectCut({
      servedBy: server,
      blogId,
      target,
      witness,
      code: 4403,
      change: () => admin.removeMember(blogId, removed.id),
    });
    // It cannot come back: the provider's reconnects are refused before any sync.
    expect(target.provider.wsconnected).toBe(false);
    expect(witness.closes).toEqual([]);
  });

  it('a downgrade to a read-only role keeps the socket, read-only: it follows, its typing reaches nobody', async () => {
    const server = await startServer(FAST_SUMMARY);
    const admin = createApi(server.url, server.adminToken);
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor']);
    const [stays, downgraded] = [people[0]!, people[1]!];
    const witness = connectEditor(server, blogId, stays.token);
    const target = connectEditor(server, blogId, downgraded.token);
    await waitFor(() => target.provider.synced && witness.provider.synced, { what: 'both synced' });
    // One shared list first: otherwise each side's first insert creates a list of its own.
    bulletList(witness.doc).insert(0, [listItem('before')]);
    await waitFor(() => itemTexts(target.doc).includes('before'), { what: 'shared list' });
    const readOnlyRefusals = () => counterValue(server.app.deps.metrics.refusedFrames, { reason: 'read_only' });
    await admin.addMember(blogId, downgraded.id, 'contributor');
    // Within a second of the answer its updates are refused (the bus message is handled on this node at once).
    const started = Date.now();
    await waitFor(
      async () => {
        bulletList(target.doc).insert(0, [listItem('typed after the downgrade')]);
        return (await readOnlyRefusals()) > 0;
      },
      { what: 'updates refused as read-only', intervalMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(1000);
    bulletList(witness.doc).insert(bulletList(witness.doc).length, [listItem('marker')]);
    await waitFor(async () => (await summaryTexts(server, blogId)).includes('marker'), { what: 'marker published' });
    await waitFor(() => itemTexts(target.doc).includes('marker'), {
      what: () =>
        `the contributor still follows: ${JSON.stringify(target.closes)} ${target.provider.wsconnected} ${itemTexts(target.doc).length} ${JSON.stringify(itemTexts(witness.doc))}`,
    });
    expect(await summaryTexts(server, blogId)).not.toContain('typed after the downgrade');
    expect(itemTexts(witness.doc)).not.toContain('typed after the downgrade');
    expect(target.closes).toEqual([]);
    expect(witness.closes).toEqual([]);
  });

  it('leaves sockets alone when the role still allows editing, and other users alone', async () => {
    const server = await startServer(FAST_SUMMARY);
    const admin = createApi(server.url, server.adminToken);
    const { blogId, people } = await createBlogWith(server, ['editor', 'editor', 'contributor']);
    const a = connectEditor(server, blogId, people[0]!.token);
    const b = connectEditor(server, blogId, people[1]!.token);
    await waitFor(() => a.provider.synced && b.provider.synced, { what: 'sync' });
    await admin.addMember(blogId, people[0]!.id, 'owner');
    await admin.removeMember(blogId, people[2]!.id);
    bulletList(a.doc).insert(0, [listItem('still an owner')]);
    await waitFor(async () => (await summaryTexts(server, blogId)).includes('still an owner'), { what: 'edit lands' });
    expect(a.closes).toEqual([]);
    expect(b.closes).toEqual([]);
  });

  it('on two PostgreSQL nodes with Redis: an editor removed on node A loses their socket on node B', async () => {
    const env = { ...FAST_SUMMARY, DATABASE_URL: await freshPostgresDatabase(), REDIS_URL: REDIS_TEST_URL };
    const nodeA = await startServer({ ...env, NODE_ID: 'revoke-a' });
    const nodeB = await startServer({ ...env, NODE_ID: 'revoke-b' });
    const admin = createApi(nodeA.url, nodeA.adminToken);
    const { blogId, people } = await createBlogWith(nodeA, ['editor', 'editor']);
    const [stays, removed] = [people[0]!, people[1]!];
    const witness = connectEditor(nodeA, blogId, stays.token);
    const target = connectEditor(nodeB, blogId, removed.token);
    await expectCut({
      servedBy: nodeB,
      blogId,
      target,
      witness,
      code: 4403,
      change: () => admin.removeMember(blogId, removed.id),
    });
    // Readers on either node see the same summary, without the removed editor's bullet.
    await waitFor(async () => (await summaryTexts(nodeA, blogId)).includes('marker'), { what: 'marker on A' });
    expect(await summaryTexts(nodeA, blogId)).not.toContain('typed after losing the right');
  });
});

import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { bulletList, connectEditor, createBlogWith, docFromStore, itemTexts, listItem } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/** Two nodes on one PostgreSQL database with Redis between them (fails when either is missing). */
describe('collab across two nodes', () => {
  it('editors on different nodes converge, see each other, and readers get the summary', async () => {
    const env = {
      DATABASE_URL: await freshPostgresDatabase(),
      REDIS_URL: REDIS_TEST_URL,
      SUMMARY_DEBOUNCE_MS: '50',
      SUMMARY_MAX_WAIT_MS: '300',
      COLLAB_COMPACT_AFTER: '10',
    };
    const nodeA = await startServer({ ...env, NODE_ID: 'collab-a' });
    const nodeB = await startServer({ ...env, NODE_ID: 'collab-b' });
    const { blogId, people } = await createBlogWith(nodeA, ['editor', 'editor']);
    const onA = connectEditor(nodeA, blogId, people[0]!.token);
    const onB = connectEditor(nodeB, blogId, people[1]!.token);
    await waitFor(() => onA.provider.synced && onB.provider.synced, { what: 'sync on both nodes' });

    const reader = io(nodeB.url, {
      path: '/socket.io',
      reconnection: false,
      forceNew: true,
      transports: ['websocket'],
    });
    registerCleanup(() => {
      reader.disconnect();
    });
    const events: LiveEvent[] = [];
    reader.on('event', (e: LiveEvent) => events.push(e));
    const ack = (await reader.timeout(10_000).emitWithAck('subscribe', { blogId })) as { ok: boolean };
    expect(ack.ok).toBe(true);

    bulletList(onA.doc).insert(0, [listItem('from A')]);
    await waitFor(() => itemTexts(onB.doc).length === 1, { what: 'A edit on B' });
    for (let i = 0; i < 20; i++) {
      bulletList(onA.doc).insert(bulletList(onA.doc).length, [listItem(`a${i}`)]);
      bulletList(onB.doc).insert(0, [listItem(`b${i}`)]);
      if (i % 5 === 0) bulletList(onB.doc).delete(1, 1);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => JSON.stringify(itemTexts(onA.doc)) === JSON.stringify(itemTexts(onB.doc)), {
      what: 'convergence across nodes',
      timeoutMs: 15_000,
    });
    const final = itemTexts(onA.doc);
    expect(final).toContain('a19');
    expect(final).toContain('b19');
    await waitFor(async () => JSON.stringify(itemTexts(await docFromStore(nodeA, blogId))) === JSON.stringify(final), {
      what: 'store to match',
    });
    await waitFor(
      () =>
        events.some(
          (e) =>
            e.type === 'summary.updated' && JSON.stringify(e.data.bullets.map((b) => b.text)) === JSON.stringify(final),
        ),
      { what: 'reader on B to get the final summary' },
    );

    // Presence crosses nodes with the server-assigned user.
    onA.provider.awareness.setLocalStateField('cursor', 3);
    const seen = await waitFor(
      () => onB.provider.awareness.getStates().get(onA.doc.clientID) as { cursor?: number; user?: unknown } | undefined,
      { what: 'A presence on B' },
    );
    await waitFor(
      () => (onB.provider.awareness.getStates().get(onA.doc.clientID) as { cursor?: number })?.cursor === 3,
      {
        what: 'cursor on B',
      },
    );
    expect(seen.user).toEqual({ name: people[0]!.name, color: people[0]!.color });
  });
  it('a node that loads the doc while another node commits does not miss that update', async () => {
    const env = { DATABASE_URL: await freshPostgresDatabase(), REDIS_URL: REDIS_TEST_URL };
    const nodeA = await startServer({ ...env, NODE_ID: 'load-a' });
    const nodeB = await startServer({ ...env, NODE_ID: 'load-b' });
    const { blogId, people } = await createBlogWith(nodeA, ['editor', 'editor']);
    const onA = connectEditor(nodeA, blogId, people[0]!.token);
    await waitFor(() => onA.provider.synced, { what: 'sync on A' });
    bulletList(onA.doc).insert(0, [listItem('before')]);
    await waitFor(async () => itemTexts(await docFromStore(nodeA, blogId)).length === 1, { what: 'first stored' });

    // Holds B's load between its read and its return: the real store answers, only later.
    const storeB = nodeB.app.deps.store;
    const realLoad = storeB.loadDoc.bind(storeB);
    let readDone = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    storeB.loadDoc = async (id, opts) => {
      const state = await realLoad(id, opts);
      if (!opts?.afterId) {
        readDone = true;
        await gate;
      }
      return state;
    };
    let busSeen = 0;
    const unsubscribe = nodeB.app.deps.bus.subscribe(({ msg }) => {
      if (msg.kind === 'doc.update' && msg.blogId === blogId) busSeen++;
    });
    registerCleanup(unsubscribe);

    const onB = connectEditor(nodeB, blogId, people[1]!.token);
    await waitFor(() => readDone, { what: 'B to read the store' });
    bulletList(onA.doc).insert(1, [listItem('during load')]);
    await waitFor(() => busSeen > 0, { what: 'the bus message to reach B while it loads' });
    release();
    // The periodic re-read (20 s by default) is not what delivers it.
    await waitFor(() => itemTexts(onB.doc).includes('during load'), {
      what: 'the update committed during the load on B',
      timeoutMs: 5_000,
    });
    expect(itemTexts(onB.doc)).toEqual(['before', 'during load']);
  });
});

import { describe, expect, it } from 'vitest';
import { text } from '../helpers/api.js';
import { startCluster, startRoundRobinProxy } from '../helpers/cluster.js';
import { bulletList, connectEditor, type Editor, itemTexts, listItem } from '../helpers/collab.js';
import {
  allPosts,
  expectSamePosts,
  followBlog,
  openReaderClient,
  postsFromEvents,
  range,
  subscribed,
} from '../helpers/scaleout.js';
import { waitFor } from '../helpers/wait.js';

/** The local port of a y-websocket provider's current connection (`ws` keeps its net.Socket in `_socket`). */
function editorPort(editor: Editor): number | undefined {
  return (editor.provider.ws as unknown as { _socket?: { localPort?: number } } | null)?._socket?.localPort;
}

/** Quick reconnects: the default backoff (1–5 s) would only make the test slower. */
const RECONNECT = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500, transports: ['websocket'] };

/**
 * Three processes behind a round-robin TCP balancer of the test's own. One is killed with
 * SIGKILL (no goodbye, no flush) while posts keep coming: its readers reconnect through the
 * balancer to a surviving node and catch up from their last seq, with no gap.
 */
describe('scale-out: a node killed with SIGKILL (3 processes behind a balancer)', () => {
  it("the killed node's readers reconnect elsewhere and catch up with no gap", async () => {
    const cluster = await startCluster({
      nodes: 3,
      namePrefix: 'kill',
      env: { HEARTBEAT_MS: '300', SUMMARY_DEBOUNCE_MS: '50', SUMMARY_MAX_WAIT_MS: '300' },
    });
    const [a] = cluster.nodes;
    if (!a) throw new Error('no nodes');
    const proxy = await startRoundRobinProxy(() => cluster.nodes.filter((n) => n.alive()));
    const blog = await a.api.createBlog({ title: 'Kill one' });

    const raw = range(1, 6).map((i) => followBlog(`raw ${i}`, proxy.url, blog.id, RECONNECT));
    const clients = range(1, 4).map(() => openReaderClient(proxy.url, blog.slug, RECONNECT));
    await waitFor(() => raw.every(subscribed), { timeoutMs: 20_000, what: 'raw readers subscribed' });
    await Promise.all(clients.map((cl) => cl.ready));

    // The victim is the node serving the first raw reader (whichever the balancer picked).
    const first = raw[0]!;
    const victimPort = proxy.backendOf(first.localPort() ?? -1);
    const victim = cluster.nodes.find((n) => n.port === victimPort);
    if (!victim) throw new Error('could not tell which node serves the first reader');
    const survivors = cluster.nodes.filter((n) => n !== victim);
    const onVictim = () => proxy.openConnections().get(victim.port) ?? 0;
    const victimReaders = raw.filter((r) => proxy.backendOf(r.localPort() ?? -1) === victim.port);
    expect(victimReaders).toContain(first);

    // Co-editing through the balancer too: one editor lands on the victim (round robin: within
    // three tries), the other works on a survivor directly.
    const people = [];
    for (const name of ['editor behind the balancer', 'editor on a survivor']) {
      const u = await a.api.createUser({ name });
      await a.api.addMember(blog.id, u.id, 'editor');
      people.push(u);
    }
    let onVictimEditor: Editor | null = null;
    for (let i = 0; i < 3 && !onVictimEditor; i++) {
      const e = connectEditor(proxy, blog.id, people[0]!.token);
      await waitFor(() => e.provider.synced, { what: 'editor behind the balancer synced' });
      if (proxy.backendOf(editorPort(e) ?? -1) === victim.port) onVictimEditor = e;
      else e.destroy();
    }
    if (!onVictimEditor) throw new Error('no editor landed on the victim');
    const movingEditor = onVictimEditor;
    const stayingEditor = connectEditor(survivors[0]!, blog.id, people[1]!.token);
    await waitFor(() => stayingEditor.provider.synced, { what: 'editor on a survivor synced' });
    bulletList(movingEditor.doc).insert(0, [listItem('before the kill')]);
    await waitFor(() => itemTexts(stayingEditor.doc).includes('before the kill'), { what: 'edit across nodes' });

    const total = 24;
    const killAfter = 8;
    let written = 0;
    for (; written < killAfter; written++) {
      await survivors[written % 2]!.api.createPost(blog.id, { blocks: [text(`<p>post ${written}</p>`)] });
    }
    await victim.proc.kill();
    expect(victim.alive()).toBe(false);
    // Edits made while the connection is gone are sent once the provider is back (elsewhere).
    bulletList(movingEditor.doc).insert(1, [listItem('moving editor, during the kill')]);
    bulletList(stayingEditor.doc).insert(0, [listItem('staying editor, during the kill')]);
    // Writes go on through the survivors while the victim's readers are reconnecting.
    for (; written < total; written++) {
      await survivors[written % 2]!.api.createPost(blog.id, { blocks: [text(`<p>post ${written}</p>`)] });
    }
    const api = survivors[0]!.api;
    const newest = await api.listPosts(blog.id, { limit: 1 });
    await api.deletePost(blog.id, newest.posts[0]!.id);

    // The editors converge through the survivors, and the store has the converged summary.
    await waitFor(
      () =>
        itemTexts(movingEditor.doc).length === 3 &&
        JSON.stringify(itemTexts(movingEditor.doc)) === JSON.stringify(itemTexts(stayingEditor.doc)),
      { timeoutMs: 20_000, what: 'editors to converge after the kill' },
    );
    const final = itemTexts(stayingEditor.doc);
    await waitFor(
      async () => JSON.stringify((await api.getSummary(blog.id)).bullets.map((x) => x.text)) === JSON.stringify(final),
      { timeoutMs: 15_000, what: 'the converged summary in the store' },
    );
    expect(survivors.map((n) => n.port)).toContain(proxy.backendOf(editorPort(movingEditor) ?? -1));

    const head = (await api.getBlog(blog.id)).seq;
    expect(head).toBeGreaterThan(total + 1);
    await waitFor(() => raw.every((r) => r.lastSeq() >= head) && clients.every((cl) => cl.state.seq >= head), {
      timeoutMs: 30_000,
      what: 'every reader to catch up after the kill',
    });
    // Nobody is left on the dead node; its readers really moved to a survivor.
    expect(onVictim()).toBe(0);
    for (const r of victimReaders) {
      expect(r.connects, r.name).toBeGreaterThanOrEqual(2);
      expect(survivors.map((n) => n.port)).toContain(proxy.backendOf(r.localPort() ?? -1));
    }

    const expected = await allPosts(api, blog.id);
    expect(expected).toHaveLength(total - 1);
    for (const r of raw) {
      expect(r.seqs(), r.name).toEqual(range(1, r.events.length));
      expectSamePosts(postsFromEvents(r.events), expected, r.name);
    }
    for (const cl of clients) {
      expect(cl.state.seq).toBeGreaterThanOrEqual(head);
      expectSamePosts(cl.state.posts, expected, 'reader client');
    }
    // Reader totals recover too: the dead node's last report goes stale, its readers count where they are now.
    const everyone = raw.length + clients.length;
    await waitFor(() => raw.every((r) => r.heartbeats.at(-1)?.readers === everyone), {
      timeoutMs: 15_000,
      what: `heartbeats on the survivors to count ${everyone} readers`,
    });
    for (const node of cluster.nodes) if (node !== victim) expect(node.alive()).toBe(true);
  }, 90_000);
});

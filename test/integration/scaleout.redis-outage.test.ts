import { describe, expect, it } from 'vitest';
import { text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { bulletList, connectEditor, itemTexts, listItem } from '../helpers/collab.js';
import {
  allPosts,
  expectSamePosts,
  type FollowingReader,
  followBlog,
  openReaderClient,
  postsFromEvents,
  range,
  subscribed,
} from '../helpers/scaleout.js';
import { startOwnRedis } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

/** Contiguous from 1 and at least `head` long: no gap, no duplicate, nothing out of order. */
const caughtUp = (r: FollowingReader, head: number) => r.lastSeq() >= head;
const expectGapFree = (r: FollowingReader) => expect(r.seqs(), r.name).toEqual(range(1, r.events.length));

/**
 * Two processes whose only link is a Redis of the test's own, which the test stops and
 * starts again. Redis is a doorbell: writes must keep succeeding while it is away, and when it
 * comes back every node re-reads the store so readers and editors catch up.
 */
describe('scale-out: Redis outage (2 processes, own Redis, PostgreSQL)', () => {
  it('writes keep succeeding; afterwards readers catch up with no gap and editors converge', async () => {
    const redis = await startOwnRedis();
    const cluster = await startCluster({
      nodes: 2,
      namePrefix: 'outage',
      REDIS_URL: redis.url,
      env: { HEARTBEAT_MS: '300', SUMMARY_DEBOUNCE_MS: '50', SUMMARY_MAX_WAIT_MS: '300' },
    });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('no nodes');
    const blog = await a.api.createBlog({ title: 'Outage' });
    const editors = [];
    for (const name of ['editor on A', 'editor on B']) {
      const u = await a.api.createUser({ name });
      await a.api.addMember(blog.id, u.id, 'editor');
      editors.push(u);
    }
    const onA = connectEditor(a, blog.id, editors[0]!.token);
    const onB = connectEditor(b, blog.id, editors[1]!.token);
    await waitFor(() => onA.provider.synced && onB.provider.synced, { what: 'editors synced' });

    const readers = [
      followBlog('A/ws', a.url, blog.id, { transports: ['websocket'] }),
      followBlog('B/ws', b.url, blog.id, { transports: ['websocket'] }),
      followBlog('B/polling', b.url, blog.id, { transports: ['polling'] }),
    ];
    const client = openReaderClient(b.url, blog.slug, { transports: ['websocket'] });
    await waitFor(() => readers.every(subscribed), { what: 'readers subscribed' });
    await client.ready;

    // Before the outage: both directions work.
    await a.api.createPost(blog.id, { blocks: [text('<p>before, from A</p>')] });
    await b.api.createPost(blog.id, { blocks: [text('<p>before, from B</p>')] });
    bulletList(onA.doc).insert(0, [listItem('before the outage')]);
    await waitFor(() => itemTexts(onB.doc).includes('before the outage'), { what: 'edit crossing nodes' });
    const before = (await a.api.getBlog(blog.id)).seq;
    await waitFor(() => readers.every((r) => caughtUp(r, before)), { what: 'readers at the pre-outage head' });

    await redis.stop();
    await waitFor(() => cluster.nodes.every((n) => /redis bus connection error/.test(n.proc.output())), {
      timeoutMs: 15_000,
      what: 'both nodes to notice Redis is gone',
    });

    // While Redis is down: writes on both nodes still succeed (createPost throws on non-2xx).
    const during = await Promise.all(
      [a, b].map(async (node) => {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await node.api.raw('POST', `/api/v1/blogs/${blog.id}/posts`, {
            body: { blocks: [text(`<p>during, ${node.id} #${i}</p>`)] },
          });
          statuses.push(res.status);
        }
        return statuses;
      }),
    );
    expect(during.flat()).toEqual(Array(10).fill(201));
    bulletList(onA.doc).insert(bulletList(onA.doc).length, [listItem('A during the outage')]);
    bulletList(onB.doc).insert(0, [listItem('B during the outage')]);
    await b.api.patchBlog(blog.id, { title: 'Outage (updated while Redis was down)' });

    await redis.start();
    await waitFor(() => cluster.nodes.every((n) => /redis bus resubscribed/.test(n.proc.output())), {
      timeoutMs: 20_000,
      what: 'both nodes to resubscribe',
    });

    // Editors converge, the summary is rendered from the converged doc.
    await waitFor(
      () =>
        JSON.stringify(itemTexts(onA.doc)) === JSON.stringify(itemTexts(onB.doc)) && itemTexts(onA.doc).length === 3,
      { timeoutMs: 20_000, what: 'editors on both nodes to converge' },
    );
    const final = itemTexts(onA.doc);
    expect(final).toEqual(expect.arrayContaining(['before the outage', 'A during the outage', 'B during the outage']));
    await waitFor(
      async () =>
        JSON.stringify((await b.api.getSummary(blog.id)).bullets.map((x) => x.text)) === JSON.stringify(final),
      { timeoutMs: 15_000, what: 'the summary of the converged doc' },
    );

    // Readers on both nodes catch up from the store: every seq once, in order.
    const head = (await a.api.getBlog(blog.id)).seq;
    expect(head).toBeGreaterThanOrEqual(before + 11);
    await waitFor(() => readers.every((r) => caughtUp(r, head)) && client.state.seq >= head, {
      timeoutMs: 20_000,
      what: 'readers to catch up after the outage',
    });
    for (const r of readers) expectGapFree(r);
    const expected = await allPosts(a.api, blog.id);
    expect(expected).toHaveLength(12);
    for (const r of readers) expectSamePosts(postsFromEvents(r.events), expected, r.name);
    expectSamePosts(client.state.posts, expected, 'reader client');
    expect(client.state.blog?.title).toBe('Outage (updated while Redis was down)');
    await waitFor(() => JSON.stringify(client.state.summary?.bullets.map((x) => x.text)) === JSON.stringify(final), {
      what: 'reader client summary',
    });

    // The bus works again in both directions: a new write reaches the other node's readers.
    const after = await b.api.createPost(blog.id, { blocks: [text('<p>after, from B</p>')] });
    await waitFor(() => readers.every((r) => caughtUp(r, after.seq)), { what: 'a post after the outage' });
    for (const r of readers) expectGapFree(r);
    for (const node of cluster.nodes) expect(node.alive()).toBe(true);
  }, 90_000);
});

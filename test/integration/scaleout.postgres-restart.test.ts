import { describe, expect, it } from 'vitest';
import { text } from '../helpers/api.js';
import { startCluster } from '../helpers/cluster.js';
import { bulletList, connectEditor, itemTexts, listItem } from '../helpers/collab.js';
import { startOwnPostgres } from '../helpers/own-postgres.js';
import { allPosts, expectSamePosts, followBlog, openReaderClient, range, subscribed } from '../helpers/scaleout.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Two processes on a PostgreSQL of the test's own, which the test stops abruptly (immediate
 * mode: connections are cut like in a crash) and starts again. Meanwhile every request that
 * needs the database answers 503 `unavailable` (never 500, never a crash), and afterwards the
 * nodes recover by themselves: no restart of theirs, no manual step.
 */
describe('scale-out: PostgreSQL restart (2 processes, own PostgreSQL, Redis)', () => {
  it('answers 503 while the database is down and recovers by itself', async () => {
    const pg = await startOwnPostgres();
    const cluster = await startCluster({
      nodes: 2,
      namePrefix: 'pgrestart',
      DATABASE_URL: pg.url,
      env: { HEARTBEAT_MS: '300', SUMMARY_DEBOUNCE_MS: '50', SUMMARY_MAX_WAIT_MS: '300' },
    });
    const [a, b] = cluster.nodes;
    if (!a || !b) throw new Error('no nodes');
    const blog = await a.api.createBlog({ title: 'Database restart' });
    for (let i = 0; i < 3; i++) await a.api.createPost(blog.id, { blocks: [text(`<p>before ${i}</p>`)] });
    const reader = followBlog('B/ws', b.url, blog.id, { transports: ['websocket'] });
    const client = openReaderClient(b.url, blog.slug, { transports: ['websocket'] });
    await waitFor(() => subscribed(reader) && reader.lastSeq() === 3, { what: 'reader on B at seq 3' });
    await client.ready;
    const people = [];
    for (const name of ['editor on A', 'editor on B']) {
      const u = await a.api.createUser({ name });
      await a.api.addMember(blog.id, u.id, 'editor');
      people.push(u);
    }
    const onA = connectEditor(a, blog.id, people[0]!.token);
    const onB = connectEditor(b, blog.id, people[1]!.token);
    await waitFor(() => onA.provider.synced && onB.provider.synced, { what: 'editors synced' });
    bulletList(onA.doc).insert(0, [listItem('before the restart')]);
    await waitFor(() => itemTexts(onB.doc).includes('before the restart'), { what: 'edit across nodes' });
    await waitFor(async () => (await b.api.getSummary(blog.id)).bullets.length === 1, { what: 'first summary' });
    const seqBefore = (await a.api.getBlog(blog.id)).seq;

    await pg.stop();
    // An edit while the database is away cannot be stored yet; it must not be lost either.
    bulletList(onA.doc).insert(1, [listItem('during the restart')]);

    // Every route that needs the store, on both nodes, several rounds: the first round meets
    // pooled connections that died with the server, the next ones meet a refused connect.
    const base = `/api/v1/blogs/${blog.id}`;
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/blogs'],
      ['GET', base],
      ['GET', `${base}/posts`],
      ['GET', `${base}/changes?since=1`],
      ['GET', `${base}/summary`],
      ['POST', `${base}/posts`, { blocks: [text('<p>during</p>')] }],
      ['PATCH', base, { title: 'renamed while down' }],
    ];
    const seen: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (const node of cluster.nodes) {
        for (const [method, path, body] of requests) {
          const res = await node.api.raw(method, path, { body });
          seen.push(`${node.id} ${method} ${path} → ${res.status}`);
          expect(res.status, `${node.id} ${method} ${path} (round ${round})`).toBe(503);
          expect((res.body as { error?: { code?: string } }).error?.code).toBe('unavailable');
        }
        const ready = await node.api.raw('GET', '/ready');
        expect(ready.status).toBe(503);
        // Liveness stays green: the process is fine, only its database is away.
        expect((await node.api.raw('GET', '/health')).status).toBe(200);
      }
    }
    // A new reader asking while the database is down gets an answer, not silence or a crash.
    const late = followBlog('A/late', a.url, blog.id, { transports: ['websocket'] });
    const firstAck = await waitFor(() => late.acks[0], { what: 'an ack during the outage' });
    if (!firstAck.ok) expect(firstAck.error.code).toBe('unavailable');
    for (const node of cluster.nodes) expect(node.alive(), node.id).toBe(true);

    await pg.start();
    // Recovery by itself: the first successful write on each node, polled with a bound.
    for (const node of cluster.nodes) {
      await waitFor(async () => (await node.api.raw('GET', '/ready')).status === 200, {
        timeoutMs: 20_000,
        what: `${node.id} ready again`,
      });
    }
    for (const node of cluster.nodes)
      await node.api.createPost(blog.id, { blocks: [text(`<p>after, ${node.id}</p>`)] });

    // The edit made during the outage reaches the other editor and the store.
    bulletList(onB.doc).insert(0, [listItem('after the restart')]);
    await waitFor(
      () =>
        itemTexts(onA.doc).length === 3 && JSON.stringify(itemTexts(onA.doc)) === JSON.stringify(itemTexts(onB.doc)),
      { timeoutMs: 20_000, what: 'editors to converge after the restart' },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}: A=${itemTexts(onA.doc)} B=${itemTexts(onB.doc)}`);
    });
    const final = itemTexts(onA.doc);
    expect(final).toContain('during the restart');
    await waitFor(
      async () =>
        JSON.stringify((await b.api.getSummary(blog.id)).bullets.map((x) => x.text)) === JSON.stringify(final),
      { timeoutMs: 15_000, what: 'the summary with the edit made during the restart' },
    );
    const head = (await b.api.getBlog(blog.id)).seq;
    expect(head).toBeGreaterThanOrEqual(seqBefore + 3);
    const expected = await allPosts(a.api, blog.id);
    expect(expected).toHaveLength(5);
    expect(expected.some((p) => JSON.stringify(p.blocks).includes('during'))).toBe(false);

    await waitFor(() => reader.lastSeq() >= head && late.lastSeq() >= head && client.state.seq >= head, {
      timeoutMs: 20_000,
      what: 'readers to get the writes after the restart',
    }).catch((err: unknown) => {
      const state = { reader: reader.seqs(), late: late.seqs(), lateAcks: late.acks, client: client.state.seq, head };
      throw new Error(`${(err as Error).message}: ${JSON.stringify(state)}`);
    });
    expect(reader.seqs()).toEqual(range(1, reader.events.length));
    expect(late.seqs()).toEqual(range(1, late.events.length));
    expectSamePosts(client.state.posts, expected, 'reader client');
    for (const node of cluster.nodes) {
      expect(node.alive(), node.id).toBe(true);
      expect(node.proc.output()).not.toMatch(/unhandled|uncaught|"level":60/i);
    }
  }, 90_000);
});

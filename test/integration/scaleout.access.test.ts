import { beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/domain/index.js';
import { type Api, createApi, setupBlog, text } from '../helpers/api.js';
import { type ClusterNode, startCluster } from '../helpers/cluster.js';
import { openReader, type RawReader } from '../helpers/realtime.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Issue 13 items 2, 5 and 6 across two server processes on PostgreSQL + Redis: a member
 * removed on one node stops reading drafts on every node within a second; a blog taken back
 * to draft drops non-members on every node; a takedown is scrubbed from every node's ring.
 */
const SECRET = 'defamatory claim';

/** Saves a draft, then publishes a post (both on `owner`'s node): did the draft reach `reader` first? */
async function probe(owner: Api, blogId: string, readers: RawReader[], tag: string): Promise<boolean[]> {
  const draft = await owner.createPost(blogId, { blocks: [text(`<p>draft ${tag}</p>`)], status: 'draft' });
  const pub = await owner.createPost(blogId, { blocks: [text(`<p>public ${tag}</p>`)] });
  for (const r of readers) {
    await waitFor(() => r.events.some((e) => e.type === 'post.created' && e.data.id === pub.id), {
      what: `public post ${tag}`,
      timeoutMs: 15_000,
    });
  }
  return readers.map((r) => r.drafts.some((d) => (d.data as { id: string }).id === draft.id));
}

let a: ClusterNode;
let b: ClusterNode;
let adminToken: string;

beforeAll(async () => {
  const cluster = await startCluster({ nodes: 2, namePrefix: 'access' });
  const [first, second] = cluster.nodes;
  if (!first || !second) throw new Error('two nodes expected');
  a = first;
  b = second;
  adminToken = cluster.adminToken;
}, 60_000);

describe('scale-out: access changes and takedowns reach every node (2 processes, PostgreSQL + Redis)', () => {
  it('item 2: a member removed through node A stops reading drafts on both nodes within a second', async () => {
    const cast = await setupBlog(a.url, adminToken);
    const owner = cast.owner;

    // Item 2: the editor follows drafts on both nodes; the owner removes them through node A.
    const onA = openReader(a.url, { auth: { token: cast.users.editor.token }, transports: ['websocket'] });
    const onB = openReader(b.url, { auth: { token: cast.users.editor.token }, transports: ['websocket'] });
    const ownerOnB = openReader(b.url, { auth: { token: cast.users.owner.token }, transports: ['websocket'] });
    for (const r of [onA, onB, ownerOnB]) {
      expect(await r.subscribe({ blogId: cast.blog.id, drafts: true })).toMatchObject({ ok: true });
    }
    expect(await probe(owner, cast.blog.id, [onA, onB], 'before')).toEqual([true, true]);
    await owner.removeMember(cast.blog.id, cast.users.editor.id);
    const removedAt = Date.now();
    let leftAt: number | null = null;
    for (let i = 0; i < 20 && leftAt === null; i++) {
      const got = await probe(owner, cast.blog.id, [onA, onB], `after ${i}`);
      if (got.every((g) => !g)) leftAt = Date.now();
    }
    expect(leftAt).not.toBeNull();
    expect((leftAt ?? Number.POSITIVE_INFINITY) - removedAt).toBeLessThan(1000);
    expect(await probe(owner, cast.blog.id, [onA, onB, ownerOnB], 'later')).toEqual([false, false, true]);
  });

  it('item 6: a blog taken back to draft through node A drops non-members on node B, keeps members', async () => {
    const cast = await setupBlog(a.url, adminToken);
    const owner = cast.owner;
    const ownerOnB = openReader(b.url, { auth: { token: cast.users.owner.token }, transports: ['websocket'] });
    expect(await ownerOnB.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: true });
    const anonOnB = openReader(b.url, { transports: ['websocket'] });
    expect(await anonOnB.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: true });
    await cast.admin.patchBlog(cast.blog.id, { status: 'draft' });
    const hidden = await owner.createPost(cast.blog.id, { blocks: [text('<p>members only</p>')] });
    await waitFor(() => ownerOnB.events.some((e) => e.type === 'post.created' && e.data.id === hidden.id), {
      what: 'the member on node B to get the members-only post',
      timeoutMs: 15_000,
    });
    expect(anonOnB.events.some((e) => e.type === 'post.created' && e.data.id === hidden.id)).toBe(false);
    expect(await openReader(b.url).subscribe({ blogId: cast.blog.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it("item 5: a takedown through node A is scrubbed from both nodes' rings", async () => {
    const cast = await setupBlog(a.url, adminToken);
    const owner = cast.owner;
    const watchers = [a, b].map((n) => openReader(n.url, { transports: ['websocket'] }));
    for (const w of watchers) expect(await w.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: true });
    await owner.createPost(cast.blog.id, { blocks: [text('<p>fine</p>')] });
    const bad = await owner.createPost(cast.blog.id, { blocks: [text(`<p>${SECRET}</p>`)] });
    await owner.patchPost(cast.blog.id, bad.id, { blocks: [text(`<p>${SECRET} (edited)</p>`)] });
    await owner.deletePost(cast.blog.id, bad.id);
    const head = (await owner.getBlog(cast.blog.id)).seq;
    for (const w of watchers) {
      await waitFor(() => w.events.some((e) => e.seq === head), { what: 'both nodes at head', timeoutMs: 15_000 });
    }
    for (const node of [a, b]) {
      const late = openReader(node.url, { transports: ['websocket'] });
      const ack = await late.subscribe({ blogId: cast.blog.id, sinceSeq: 0 });
      const events: LiveEvent[] = ack.ok && 'events' in ack ? ack.events : [];
      expect(
        events.map((e) => e.seq),
        node.id,
      ).toEqual(Array.from({ length: head }, (_, i) => i + 1));
      expect(JSON.stringify(events), node.id).not.toContain(SECRET);
      expect(events.filter((e) => 'id' in e.data && e.data.id === bad.id).every((e) => e.type === 'post.deleted')).toBe(
        true,
      );
      // And the store's own replay (PostgreSQL tombstones the earlier events in the same transaction).
      expect(JSON.stringify(await createApi(node.url).changes(cast.blog.id, 0)), node.id).not.toContain(SECRET);
    }
  });
});

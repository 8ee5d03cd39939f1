import { describe, expect, it } from 'vitest';
import type { LoginResult } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import { bulletList, connectEditor, FAST_SUMMARY, itemTexts, listItem } from '../helpers/collab.js';
import { call, createPerson } from '../helpers/identity.js';
import { openReader, type RawReader } from '../helpers/realtime.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Deactivation is `access.changed` with `blogId: null`: every node re-judges every open
 * connection of that person. Two nodes on one PostgreSQL and one Redis; the person is
 * connected to node B only, the admin deactivates them through node A.
 */

async function signIn(server: TestServer, email: string, password: string): Promise<string> {
  const res = await call<LoginResult>(server.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login ${res.status}`);
  return res.body.token;
}

/** Saves a draft and publishes a post through `writer`: which readers got the draft before the post? */
async function probe(writer: Api, blogId: string, readers: RawReader[], tag: string): Promise<boolean[]> {
  const draft = await writer.createPost(blogId, { blocks: [text(`<p>draft ${tag}</p>`)], status: 'draft' });
  const pub = await writer.createPost(blogId, { blocks: [text(`<p>public ${tag}</p>`)] });
  for (const r of readers) {
    await waitFor(() => r.events.some((e) => e.type === 'post.created' && e.data.id === pub.id), {
      what: `public post ${tag}`,
      timeoutMs: 15_000,
    });
  }
  return readers.map((r) => r.drafts.some((d) => (d.data as { id: string }).id === draft.id));
}

describe('deactivation across nodes (PostgreSQL + Redis)', () => {
  it('drops the person’s /collab socket (4401) and drafts subscription on the other node within a second', async () => {
    const env = { ...FAST_SUMMARY, DATABASE_URL: await freshPostgresDatabase(), REDIS_URL: REDIS_TEST_URL };
    const nodeA = await startServer({ ...env, NODE_ID: 'deact-a' });
    const nodeB = await startServer({ ...env, NODE_ID: 'deact-b' });
    const admin = createApi(nodeA.url, nodeA.adminToken);
    const blog = await admin.createBlog({ title: 'Deactivation across nodes' });
    await admin.patchBlog(blog.id, { status: 'live' });
    const stays = await createPerson(nodeA, {
      name: 'Stays',
      email: 'stays@desk.test',
      password: 'amber falcon river 31',
    });
    const leaves = await createPerson(nodeA, {
      name: 'Leaves',
      email: 'leaves@desk.test',
      password: 'cobalt meadow wind 57',
    });
    await admin.addMember(blog.id, stays.id, 'editor');
    await admin.addMember(blog.id, leaves.id, 'editor');
    const staysToken = await signIn(nodeA, 'stays@desk.test', 'amber falcon river 31');
    // The person signs in (a session, the editor page's credential) and stays on node B.
    const leavesToken = await signIn(nodeB, 'leaves@desk.test', 'cobalt meadow wind 57');

    const witness = connectEditor(nodeA, blog.id, staysToken);
    const target = connectEditor(nodeB, blog.id, leavesToken);
    const targetDrafts = openReader(nodeB.url, { auth: { token: leavesToken }, transports: ['websocket'] });
    const witnessDrafts = openReader(nodeB.url, { auth: { token: staysToken }, transports: ['websocket'] });
    for (const r of [targetDrafts, witnessDrafts]) {
      expect(await r.subscribe({ blogId: blog.id, drafts: true })).toMatchObject({ ok: true });
    }
    const writer = createApi(nodeA.url, staysToken);
    expect(await probe(writer, blog.id, [targetDrafts, witnessDrafts], 'before')).toEqual([true, true]);
    await waitFor(() => target.provider.synced && witness.provider.synced, { what: 'both editors synced' });

    const res = await call(nodeA.url, 'PATCH', `/api/v1/users/${leaves.id}`, {
      token: nodeA.adminToken,
      body: { active: false },
    });
    expect(res.status).toBe(200);
    const deactivatedAt = Date.now();
    await waitFor(() => target.closes.some((c) => c.code === 4401), {
      what: () => `close 4401 on node B (got ${JSON.stringify(target.closes)})`,
      timeoutMs: 5000,
    });
    const collabMs = Date.now() - deactivatedAt;
    // Drafts: the first probe after the change that no longer reaches the person, within a second.
    let draftsMs: number | null = null;
    for (let i = 0; i < 20 && draftsMs === null; i++) {
      const [got] = await probe(writer, blog.id, [targetDrafts], `after ${i}`);
      if (!got) draftsMs = Date.now() - deactivatedAt;
    }
    console.log(
      `[deactivation.multinode] node B: collab closed after ${collabMs} ms, drafts stopped by ${draftsMs} ms`,
    );
    expect(collabMs).toBeLessThan(1000);
    expect(draftsMs).not.toBeNull();
    expect(draftsMs as number).toBeLessThan(1000);
    // The socket itself stays, as a public reader: it still gets published posts.
    expect(targetDrafts.socket.connected).toBe(true);
    // The other editor on node B is untouched.
    expect(await probe(writer, blog.id, [witnessDrafts], 'witness')).toEqual([true]);

    // What the dropped socket types reaches nobody; the witness keeps publishing.
    bulletList(target.doc).insert(0, [listItem('typed after deactivation')]);
    bulletList(witness.doc).insert(bulletList(witness.doc).length, [listItem('marker')]);
    await waitFor(
      async () => (await nodeB.app.deps.store.getSummary(blog.id)).bullets.some((b) => b.text === 'marker'),
      { what: 'marker published' },
    );
    expect((await nodeB.app.deps.store.getSummary(blog.id)).bullets.map((b) => b.text)).not.toContain(
      'typed after deactivation',
    );
    expect(itemTexts(witness.doc)).not.toContain('typed after deactivation');
    expect(witness.closes).toEqual([]);
    // It cannot come back on either node.
    const again = connectEditor(nodeB, blog.id, leavesToken);
    await waitFor(() => again.closes.length > 0 || again.provider.shouldConnect === false, {
      what: 'reconnect refused',
      timeoutMs: 5000,
    });
    expect(again.provider.synced).toBe(false);
  });

  it('reaches an admin account’s collab connection and drafts subscription too (an admin account is a person; the admin token is not)', async () => {
    const server = await startServer(FAST_SUMMARY);
    const admin = createApi(server.url, server.adminToken);
    const blog = await admin.createBlog({ title: 'Admin account deactivated' });
    const chief = await createPerson(server, {
      name: 'Chief',
      email: 'chief@desk.test',
      password: 'granite willow ember 64',
      admin: true,
    });
    const token = await signIn(server, 'chief@desk.test', 'granite willow ember 64');
    const conn = connectEditor(server, blog.id, token);
    const bare = connectEditor(server, blog.id, server.adminToken);
    await waitFor(() => conn.provider.synced && bare.provider.synced, { what: 'both synced' });
    const drafts = openReader(server.url, { auth: { token }, transports: ['websocket'] });
    expect(await drafts.subscribe({ blogId: blog.id, drafts: true })).toMatchObject({ ok: true });
    const writer = createApi(server.url, server.adminToken);
    expect(await probe(writer, blog.id, [drafts], 'before')).toEqual([true]);
    const res = await call(server.url, 'PATCH', `/api/v1/users/${chief.id}`, {
      token: server.adminToken,
      body: { active: false },
    });
    expect(res.status).toBe(200);
    await waitFor(() => conn.closes.some((c) => c.code === 4401), {
      what: () => `close 4401 (got ${JSON.stringify(conn.closes)})`,
      timeoutMs: 5000,
    });
    expect(bare.closes).toEqual([]);
    expect(await probe(writer, blog.id, [drafts], 'after')).toEqual([false]);
  });
});

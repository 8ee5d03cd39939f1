import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { type Api, setupBlog, text } from '../helpers/api.js';
import { openReader, type RawReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Live revocation on the reader hub (issue 13 items 2 and 6): a member removed from a blog
 * stops receiving its drafts within a second, a blog taken back to draft drops non-members
 * with one role read per user, and a subscribe that awaited while access changed is judged
 * again in the step that joins.
 */

/** Saves a draft, then publishes a post: the post's event proves whether the draft came first. */
async function probe(owner: Api, blogId: string, reader: RawReader, tag: string): Promise<boolean> {
  const draft = await owner.createPost(blogId, { blocks: [text(`<p>draft ${tag}</p>`)], status: 'draft' });
  const pub = await owner.createPost(blogId, { blocks: [text(`<p>public ${tag}</p>`)] });
  await waitFor(() => reader.events.some((e) => e.type === 'post.created' && e.data.id === pub.id), {
    what: `public post ${tag}`,
  });
  return reader.drafts.some((d) => (d.data as { id: string }).id === draft.id);
}

/** Counts calls of one store method (the real store underneath still answers). */
function countCalls(store: Store, method: 'getRole' | 'listChanges'): { n: number } {
  const counter = { n: 0 };
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
  (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    counter.n += 1;
    return original(...args);
  };
  return counter;
}

describe('reader hub: access changes reach open sockets', () => {
  it('a removed member leaves the drafts room within a second; a downgraded contributor keeps reading drafts', async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    const editor = openReader(srv.url, { auth: { token: cast.users.editor.token } });
    const contributor = openReader(srv.url, { auth: { token: cast.users.contributor.token } });
    for (const r of [editor, contributor]) {
      expect(await r.subscribe({ blogId: cast.blog.id, drafts: true })).toMatchObject({ ok: true });
    }
    expect(await probe(cast.owner, cast.blog.id, editor, 'before')).toBe(true);

    // Downgrade the editor to contributor: drafts.read remains.
    await cast.owner.addMember(cast.blog.id, cast.users.editor.id, 'contributor');
    expect(await probe(cast.owner, cast.blog.id, editor, 'downgraded')).toBe(true);

    await cast.owner.removeMember(cast.blog.id, cast.users.editor.id);
    const removedAt = Date.now();
    let leftAt: number | null = null;
    for (let i = 0; i < 20 && leftAt === null; i++) {
      if (!(await probe(cast.owner, cast.blog.id, editor, `after ${i}`))) leftAt = Date.now();
    }
    expect(leftAt).not.toBeNull();
    expect((leftAt ?? Number.POSITIVE_INFINITY) - removedAt).toBeLessThan(1000);
    // For good, and the public stream goes on; the other member is untouched.
    expect(await probe(cast.owner, cast.blog.id, editor, 'later')).toBe(false);
    expect(await probe(cast.owner, cast.blog.id, contributor, 'other')).toBe(true);
    expect(editor.socket.connected).toBe(true);
    // Subscribing to drafts again is refused now.
    expect(await editor.subscribe({ blogId: cast.blog.id, drafts: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });

  it("re-judges all of a user's sockets with one credential check and one role read per blog", async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    const sockets = Array.from({ length: 8 }, () => openReader(srv.url, { auth: { token: cast.users.editor.token } }));
    for (const r of sockets)
      expect(await r.subscribe({ blogId: cast.blog.id, drafts: true })).toMatchObject({ ok: true });
    const roleReads = countCalls(srv.app.deps.store, 'getRole');
    const store = srv.app.deps.store;
    const byToken = store.getUserByTokenHash.bind(store);
    let tokenChecks = 0;
    store.getUserByTokenHash = (h) => {
      tokenChecks += 1;
      return byToken(h);
    };
    // The admin removes the editor (the admin's own request reads no role and no user token).
    await cast.admin.removeMember(cast.blog.id, cast.users.editor.id);
    for (const [i, r] of sockets.entries()) {
      expect(await probe(cast.admin, cast.blog.id, r, `s${i}`)).toBe(false);
    }
    expect(tokenChecks).toBe(1);
    expect(roleReads.n).toBe(1);
  });

  it('a member removed from a draft blog leaves its room altogether', async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    await cast.admin.patchBlog(cast.blog.id, { status: 'draft' });
    const editor = openReader(srv.url, { auth: { token: cast.users.editor.token } });
    const owner = openReader(srv.url, { auth: { token: cast.users.owner.token } });
    for (const r of [editor, owner]) expect(await r.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: true });
    await cast.owner.removeMember(cast.blog.id, cast.users.editor.id);
    // The owner still gets the blog's events; the removed editor gets none after the removal.
    for (let i = 0; i < 5; i++) await cast.owner.createPost(cast.blog.id, { blocks: [text(`<p>${i}</p>`)] });
    await waitFor(() => owner.events.filter((e) => e.type === 'post.created').length === 5, { what: 'owner events' });
    expect(editor.events.filter((e) => e.type === 'post.created')).toHaveLength(0);
    expect(await editor.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a blog taken back to draft drops non-members with one role read per user, not per socket', async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    const outsiders = Array.from({ length: 6 }, () =>
      openReader(srv.url, { auth: { token: cast.users.outsider.token } }),
    );
    const editors = Array.from({ length: 6 }, () => openReader(srv.url, { auth: { token: cast.users.editor.token } }));
    const anon = openReader(srv.url);
    for (const r of [...outsiders, ...editors, anon]) {
      expect(await r.subscribe({ blogId: cast.blog.id })).toMatchObject({ ok: true });
    }
    const roleReads = countCalls(srv.app.deps.store, 'getRole');
    // The admin's requests read no role: every read counted is the hub's.
    await cast.admin.patchBlog(cast.blog.id, { status: 'draft' });
    await cast.admin.createPost(cast.blog.id, { blocks: [text('<p>members only</p>')] });
    for (const r of editors) {
      await waitFor(() => r.events.some((e) => e.type === 'post.created'), { what: 'member event' });
    }
    for (const r of [...outsiders, anon]) expect(r.events.some((e) => e.type === 'post.created')).toBe(false);
    // Two users in the room (outsider, editor): two role reads, not twelve.
    expect(roleReads.n).toBe(2);
  });

  it('a subscribe that awaited the store while the blog went back to draft is refused, not let in', async () => {
    const srv = await startServer({ REPLAY_MEMORY: '2' });
    const cast = await setupBlog(srv.url, srv.adminToken);
    for (let i = 0; i < 6; i++) await cast.owner.createPost(cast.blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const watcher = openReader(srv.url, { auth: { token: cast.users.owner.token } });
    await watcher.subscribe({ blogId: cast.blog.id });

    // Hold the catch-up read (sinceSeq older than the ring) until the blog is a draft.
    const store = srv.app.deps.store;
    const listChanges = store.listChanges.bind(store);
    let entered!: () => void;
    const readStarted = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    store.listChanges = async (...args) => {
      entered();
      await released;
      return listChanges(...args);
    };
    const stranger = openReader(srv.url);
    const pending = stranger.subscribe({ blogId: cast.blog.id, sinceSeq: 1 });
    await readStarted;
    store.listChanges = listChanges;
    await cast.admin.patchBlog(cast.blog.id, { status: 'draft' });
    await waitFor(() => watcher.events.some((e) => e.type === 'blog.updated' && e.data.status === 'draft'), {
      what: 'the feed to see the blog go draft',
    });
    release();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'not_found' } });
    await cast.owner.createPost(cast.blog.id, { blocks: [text('<p>members only</p>')] });
    await waitFor(() => watcher.events.some((e) => e.type === 'post.created' && e.seq > 7), { what: 'member event' });
    expect(stranger.events.filter((e) => e.type === 'post.created' && e.seq > 7)).toHaveLength(0);
  });
});

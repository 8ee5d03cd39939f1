import { describe, expect, it } from 'vitest';
import { newId } from '../../src/lib/ids.js';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { openReader, range } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

async function metricValue(url: string, name: string, labels = ''): Promise<number> {
  const body = await (await fetch(`${url}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('reader hub', () => {
  it('acks a subscribe by id or slug, and refuses bad payloads and unknown blogs without crashing', async () => {
    const srv = await startServer();
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Acks' });
    await admin.createPost(blog.id, { blocks: [text('<p>one</p>')] });

    const r = openReader(srv.url);
    const byId = await r.subscribe({ blogId: blog.id, sinceSeq: 0 });
    expect(byId).toMatchObject({ ok: true, blogId: blog.id, seq: 1 });
    expect(byId.ok && 'events' in byId && byId.events.map((e) => e.type)).toEqual(['post.created']);

    const bySlug = await r.subscribe({ blogId: blog.slug });
    expect(bySlug).toEqual({ ok: true, blogId: blog.id, seq: 1, events: [] });

    const unknown = await r.subscribe({ blogId: 'no-such-blog' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad = await r.subscribe({ blogId: blog.id, sinceSeq: -3 } as never);
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const extra = await r.subscribe({ blogId: blog.id, evil: true } as never);
    expect(extra).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    // Garbage without an ack function and non-object payloads: the socket stays usable.
    r.socket.emit('subscribe', 42 as never, undefined as never);
    r.socket.emit('unsubscribe', 'x' as never);
    const still = await r.subscribe({ blogId: blog.id, sinceSeq: 1 });
    expect(still).toEqual({ ok: true, blogId: blog.id, seq: 1, events: [] });
    expect(r.socket.connected).toBe(true);
  });

  it('delivers every seq once and in order to every reader while writers post concurrently', async () => {
    const srv = await startServer({ HEARTBEAT_MS: '200' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Ordering' });
    const readers = Array.from({ length: 6 }, (_, i) =>
      openReader(srv.url, { transports: i % 2 ? ['polling'] : ['websocket'] }),
    );
    for (const r of readers) expect(await r.subscribe({ blogId: blog.id, sinceSeq: 0 })).toMatchObject({ ok: true });

    const writers = 5;
    const perWriter = 8;
    await Promise.all(
      range(1, writers).map(async (w) => {
        for (let i = 0; i < perWriter; i++) {
          await admin.createPost(blog.id, { blocks: [text(`<p>w${w} #${i}</p>`)] });
        }
      }),
    );
    const n = writers * perWriter;
    for (const r of readers) {
      await waitFor(() => r.events.length >= n, { what: 'all events', timeoutMs: 15_000 });
      expect(r.seqs()).toEqual(range(1, n));
    }
    // Heartbeats report the head and the reader count.
    await waitFor(() => readers[0]?.heartbeats.some((h) => h.seq === n && h.readers === readers.length), {
      what: 'heartbeat at head',
    });
  });

  it('serves a reconnecting reader the events it missed, contiguous with the live ones', async () => {
    const srv = await startServer({ REPLAY_MEMORY: '5' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Catch-up' });
    for (let i = 0; i < 12; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const live = openReader(srv.url);
    await live.subscribe({ blogId: blog.id });

    const memoryBefore = await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="memory"');
    const storeBefore = await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="store"');
    // Within the last five: from memory.
    const recent = openReader(srv.url);
    const ackRecent = await recent.subscribe({ blogId: blog.id, sinceSeq: 9 });
    expect(ackRecent.ok && 'events' in ackRecent && ackRecent.events.map((e) => e.seq)).toEqual([10, 11, 12]);
    // Older than the ring: from the store, then the ring, with no hole at the seam.
    const old = openReader(srv.url);
    const ackOld = await old.subscribe({ blogId: blog.id, sinceSeq: 2 });
    expect(ackOld.ok && 'events' in ackOld && ackOld.events.map((e) => e.seq)).toEqual(range(3, 12));
    expect(await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="memory"')).toBe(memoryBefore + 1);
    expect(await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="store"')).toBe(storeBefore + 1);

    await admin.createPost(blog.id, { blocks: [text('<p>next</p>')] });
    await waitFor(() => old.events.length === 11 && recent.events.length === 4, { what: 'live event' });
    expect(old.seqs()).toEqual(range(3, 13));
    expect(recent.seqs()).toEqual(range(10, 13));
  });

  it('answers reset when sinceSeq is older than the replay window or ahead of the head', async () => {
    const srv = await startServer({ REPLAY_WINDOW: '3', REPLAY_MEMORY: '2' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Reset' });
    for (let i = 0; i < 6; i++) await admin.createPost(blog.id, { blocks: [text(`<p>${i}</p>`)] });
    const r = openReader(srv.url);
    expect(await r.subscribe({ blogId: blog.id, sinceSeq: 1 })).toEqual({
      ok: true,
      blogId: blog.id,
      seq: 6,
      reset: true,
    });
    expect(await r.subscribe({ blogId: blog.id, sinceSeq: 99 })).toEqual({
      ok: true,
      blogId: blog.id,
      seq: 6,
      reset: true,
    });
    const ack = await r.subscribe({ blogId: blog.id, sinceSeq: 3 });
    expect(ack.ok && 'events' in ack && ack.events.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="reset"')).toBe(2);
    // Still subscribed after a reset: live events flow.
    await admin.createPost(blog.id, { blocks: [text('<p>after</p>')] });
    await waitFor(() => r.events.some((e) => e.seq === 7), { what: 'live event after reset' });
  });

  it('catches its feed up from the store for a reader ahead of it, instead of answering reset', async () => {
    // A reader that read the blog over HTTP (or came from a node that heard the bus sooner)
    // can be ahead of this node's feed: the store has the event, the bus has not brought it.
    const srv = await startServer({ SEQUENCER_GAP_MS: '50' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Ahead' });
    await admin.createPost(blog.id, { blocks: [text('<p>1</p>')] });
    const live = openReader(srv.url);
    await live.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const now = new Date().toISOString();
    const { event } = await srv.app.deps.store.createPost({
      id: newId(),
      blogId: blog.id,
      createdAt: now,
      updatedAt: now,
      author: { id: 'admin', name: 'Admin' },
      status: 'published',
      pinned: false,
      keyEvent: false,
      blocks: [{ type: 'text', html: '<p>not on the bus yet</p>' }],
    });
    expect(event?.seq).toBe(2);

    const ahead = openReader(srv.url);
    expect(await ahead.subscribe({ blogId: blog.id, sinceSeq: 2 })).toEqual({
      ok: true,
      blogId: blog.id,
      seq: 2,
      events: [],
    });
    await admin.createPost(blog.id, { blocks: [text('<p>3</p>')] });
    await waitFor(() => live.events.length >= 3 && ahead.events.length >= 1, { what: 'live events' });
    expect(live.seqs()).toEqual([1, 2, 3]);
    expect(ahead.seqs()).toEqual([3]);
  });

  it('hides a draft blog from readers who are not its members, as the HTTP API does', async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    const { blog } = cast;
    await cast.admin.patchBlog(blog.id, { status: 'draft' });
    await cast.editor.createPost(blog.id, { blocks: [text('<p>embargoed</p>')] });

    const anon = openReader(srv.url);
    const outsider = openReader(srv.url, { auth: { token: cast.users.outsider.token } });
    const member = openReader(srv.url, { auth: { token: cast.users.contributor.token } });
    for (const r of [anon, outsider]) {
      for (const ref of [blog.id, blog.slug]) {
        expect(await r.subscribe({ blogId: ref, sinceSeq: 0 })).toMatchObject({
          ok: false,
          error: { code: 'not_found' },
        });
      }
    }
    expect(await member.subscribe({ blogId: blog.slug, sinceSeq: 0 })).toMatchObject({ ok: true, seq: 2 });

    // Once live, it is public; and a feed loaded while it was a draft learns that.
    await cast.admin.patchBlog(blog.id, { status: 'live' });
    await waitFor(() => member.events.some((e) => e.type === 'blog.updated' && e.data.status === 'live'), {
      what: 'blog goes live',
    });
    expect(await anon.subscribe({ blogId: blog.slug, sinceSeq: 0 })).toMatchObject({ ok: true, seq: 3 });
    expect(anon.seqs()).toEqual([1, 2, 3]);
  });

  it('stops sending to non-members once a live blog is taken back to draft', async () => {
    const srv = await startServer({ HEARTBEAT_MS: '200' });
    const cast = await setupBlog(srv.url, srv.adminToken);
    const { blog } = cast;
    const anon = openReader(srv.url);
    const member = openReader(srv.url, { auth: { token: cast.users.contributor.token } });
    for (const r of [anon, member])
      expect(await r.subscribe({ blogId: blog.id, sinceSeq: 0 })).toMatchObject({ ok: true });

    await cast.admin.patchBlog(blog.id, { status: 'draft' });
    await cast.editor.createPost(blog.id, { blocks: [text('<p>embargoed again</p>')] });
    // The member sees the change and what follows; the anonymous reader only the change itself.
    await waitFor(() => member.events.some((e) => e.type === 'post.created'), { what: 'member gets the post' });
    expect(member.seqs()).toEqual([1, 2]);
    await waitFor(() => anon.events.some((e) => e.type === 'blog.updated'), { what: 'anon gets blog.updated' });
    // A heartbeat to the room comes after the post: by then the anonymous reader would have had it.
    const hbs = member.heartbeats.length;
    await waitFor(() => member.heartbeats.length > hbs, { what: 'a heartbeat after the post' });
    expect(anon.seqs()).toEqual([1]);
    expect(anon.events.some((e) => e.type === 'post.created')).toBe(false);
  });

  it('shows drafts to an editor who asks for them, never to public readers', async () => {
    const srv = await startServer();
    const cast = await setupBlog(srv.url, srv.adminToken);
    const blog = cast.blog;
    const pub = openReader(srv.url);
    await pub.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const editor = openReader(srv.url, { auth: { token: cast.users.editor.token } });
    expect(await editor.subscribe({ blogId: blog.id, sinceSeq: 0, drafts: true })).toMatchObject({ ok: true });
    const outsider = openReader(srv.url, { auth: { token: cast.users.outsider.token } });
    expect(await outsider.subscribe({ blogId: blog.id, drafts: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const sneaky = openReader(srv.url);
    expect(await sneaky.subscribe({ blogId: blog.id, drafts: true })).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });

    const draft = await cast.editor.createPost(blog.id, { blocks: [text('<p>secret</p>')], status: 'draft' });
    await waitFor(() => editor.drafts.some((d) => d.data.id === draft.id), { what: 'draft to editor' });
    // Publishing it is the readers' post.created; the published post reaches everyone.
    await cast.editor.patchPost(blog.id, draft.id, { status: 'published' });
    await waitFor(() => pub.events.length === 1 && editor.events.length === 1, { what: 'publication' });
    expect(pub.events[0]).toMatchObject({ seq: 1, type: 'post.created', data: { id: draft.id } });
    expect(pub.drafts).toEqual([]);
    expect(sneaky.drafts).toEqual([]);
    expect(outsider.drafts).toEqual([]);
  });

  it('refuses bad tokens, too many subscriptions per socket and too many connections per IP', async () => {
    const srv = await startServer({ MAX_SUBSCRIPTIONS_PER_SOCKET: '2', MAX_CONNECTIONS_PER_IP: '3' });
    const admin = createApi(srv.url, srv.adminToken);
    const blogs = await Promise.all(range(1, 3).map((i) => admin.createBlog({ title: `Cap ${i}` })));

    const badToken = openReader(srv.url, { auth: { token: 'not-a-token' } });
    const refusedAuth = await new Promise<Error>((resolve) => badToken.socket.once('connect_error', resolve));
    expect(refusedAuth.message).toMatch(/invalid token/);

    const a = openReader(srv.url);
    expect(await a.subscribe({ blogId: blogs[0]?.id ?? '' })).toMatchObject({ ok: true });
    expect(await a.subscribe({ blogId: blogs[1]?.id ?? '' })).toMatchObject({ ok: true });
    expect(await a.subscribe({ blogId: blogs[2]?.id ?? '' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    // Re-subscribing to a blog it already follows is not a new subscription.
    expect(await a.subscribe({ blogId: blogs[1]?.id ?? '' })).toMatchObject({ ok: true });
    // Unsubscribing frees a slot.
    const unsub = await new Promise((resolve) => a.socket.emit('unsubscribe', { blogId: blogs[0]?.id ?? '' }, resolve));
    expect(unsub).toEqual({ ok: true });
    expect(await a.subscribe({ blogId: blogs[2]?.id ?? '' })).toMatchObject({ ok: true });

    const b = openReader(srv.url);
    const c = openReader(srv.url);
    await waitFor(() => b.socket.connected && c.socket.connected, { what: 'two more connections' });
    const d = openReader(srv.url);
    const refused = await new Promise<Error>((resolve) => d.socket.once('connect_error', resolve));
    expect(refused.message).toMatch(/too many connections/);
    expect(await metricValue(srv.url, 'liveblog_refused_connections_total', 'reason="per_ip"')).toBeGreaterThanOrEqual(
      1,
    );
    // A slot freed by a disconnect can be used again.
    b.socket.disconnect();
    await waitFor(
      async () => {
        const e = openReader(srv.url);
        return new Promise<boolean>((resolve) => {
          e.socket.once('connect', () => resolve(true));
          e.socket.once('connect_error', () => resolve(false));
        });
      },
      { what: 'slot freed', intervalMs: 50 },
    );
  });

  it('orders bus events that arrive late, twice or never: the missing ones come from the store', async () => {
    const srv = await startServer({ SEQUENCER_GAP_MS: '50' });
    const { store, bus } = srv.app.deps;
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Sequencer' });
    const r = openReader(srv.url);
    await r.subscribe({ blogId: blog.id, sinceSeq: 0 });
    const gapReadsBefore = await metricValue(srv.url, 'liveblog_sequencer_store_reads_total', 'why="gap"');

    // Three commits whose bus messages go astray: the first never arrives, the others arrive
    // reversed and twice.
    const commit = async (i: number) => {
      const now = new Date().toISOString();
      const { event } = await store.createPost({
        id: newId(),
        blogId: blog.id,
        createdAt: now,
        updatedAt: now,
        author: { id: 'admin', name: 'Admin' },
        status: 'published',
        pinned: false,
        keyEvent: false,
        blocks: [{ type: 'text', html: `<p>direct ${i}</p>` }],
      });
      if (!event) throw new Error('no event');
      return event;
    };
    await commit(1);
    const e2 = await commit(2);
    const e3 = await commit(3);
    bus.publish({ kind: 'event', event: e3 });
    bus.publish({ kind: 'event', event: e2 });
    bus.publish({ kind: 'event', event: e3 });
    await waitFor(() => r.events.length >= 3, { what: 'gap filled from the store' });
    bus.publish({ kind: 'event', event: e2 });
    await admin.createPost(blog.id, { blocks: [text('<p>normal</p>')] });
    await waitFor(() => r.events.length >= 4, { what: 'next live event' });
    expect(r.seqs()).toEqual([1, 2, 3, 4]);
    expect(await metricValue(srv.url, 'liveblog_sequencer_store_reads_total', 'why="gap"')).toBeGreaterThan(
      gapReadsBefore,
    );
  });

  it('on close tells readers to reconnect elsewhere, disconnects them and refuses new ones', async () => {
    const srv = await startServer();
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'Closing' });
    const ws = openReader(srv.url, { transports: ['websocket'] });
    const polling = openReader(srv.url, { transports: ['polling'] });
    await ws.subscribe({ blogId: blog.id });
    await polling.subscribe({ blogId: blog.id });
    const hint = new Promise<{ reason: string }>((resolve) => ws.socket.once('reconnect_hint', resolve));
    const gone = Promise.all(
      [ws, polling].map(
        (r) => new Promise<string>((resolve) => r.socket.once('disconnect', (reason) => resolve(reason))),
      ),
    );
    const stopping = srv.stop();
    expect((await hint).reason).toMatch(/shutting down/);
    expect(await gone).toHaveLength(2);
    await stopping;
    expect(srv.app.deps.lifecycle.draining).toBe(true);
  });

  it('counts connections per forwarded address only behind a trusted proxy', async () => {
    const connects = (url: string, xff: string) => {
      const r = openReader(url, { transports: ['polling'], extraHeaders: { 'x-forwarded-for': xff } });
      return new Promise<boolean>((resolve) => {
        r.socket.once('connect', () => resolve(true));
        r.socket.once('connect_error', () => resolve(false));
      });
    };
    // The proxy appends the address it saw: that last hop is the client. Earlier hops are
    // whatever the client sent, so changing them must not buy another slot.
    const trusted = await startServer({ TRUST_PROXY: 'true', MAX_CONNECTIONS_PER_IP: '1' });
    expect(await connects(trusted.url, '10.9.9.1, 203.0.113.1')).toBe(true);
    expect(await connects(trusted.url, '203.0.113.2')).toBe(true);
    expect(await connects(trusted.url, '10.9.9.2, 203.0.113.1')).toBe(false);
    expect(await connects(trusted.url, '203.0.113.1')).toBe(false);
    // Untrusted: the header is ignored, every client is 127.0.0.1.
    const untrusted = await startServer({ MAX_CONNECTIONS_PER_IP: '1' });
    expect(await connects(untrusted.url, '203.0.113.1')).toBe(true);
    expect(await connects(untrusted.url, '203.0.113.2')).toBe(false);
  });

  it('with no replay memory, serves every catch-up from the store', async () => {
    const srv = await startServer({ REPLAY_MEMORY: '0' });
    const admin = createApi(srv.url, srv.adminToken);
    const blog = await admin.createBlog({ title: 'No memory' });
    await admin.createPost(blog.id, { blocks: [text('<p>1</p>')] });
    const live = openReader(srv.url);
    await live.subscribe({ blogId: blog.id, sinceSeq: 0 });
    await admin.createPost(blog.id, { blocks: [text('<p>2</p>')] });
    await waitFor(() => live.events.length === 2, { what: 'live' });
    const late = openReader(srv.url);
    const ack = await late.subscribe({ blogId: blog.id, sinceSeq: 0 });
    expect(ack.ok && 'events' in ack && ack.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(live.seqs()).toEqual([1, 2]);
    expect(await metricValue(srv.url, 'liveblog_catchups_total', 'outcome="store"')).toBe(2);
  });
});

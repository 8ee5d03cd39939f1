import { beforeAll, describe, expect, test } from 'vitest';
import type { BusMessage } from '../../src/bus/types.js';
import type { Post } from '../../src/domain/index.js';
import { type Api, ApiError, createApi, setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** The whole JSON API on a real server: resources, roles, and what each write publishes. */
let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
const busLog: BusMessage[] = [];

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
}

beforeAll(async () => {
  server = await startServer();
  server.app.deps.bus.subscribe((env) => busLog.push(env.msg));
  cast = await setupBlog(server.url, server.adminToken, 'Storm over the coast');
});

describe('users', () => {
  test('only the admin creates and lists users; the token works once created', async () => {
    const u = await cast.admin.createUser({ name: 'Zed', color: '#123456' });
    expect(u).toMatchObject({ name: 'Zed', color: '#123456' });
    expect(u.token.length).toBeGreaterThan(20);
    expect(await createApi(server.url, u.token).me()).toEqual({ kind: 'user', user: { ...u, token: undefined } });
    const { users } = await cast.admin.listUsers();
    expect(users.map((x) => x.id)).toContain(u.id);
    expect(JSON.stringify(users)).not.toContain(u.token);
    expect(await status(cast.owner.createUser({ name: 'nope' }))).toBe(403);
    expect(await status(cast.owner.listUsers())).toBe(403);
    expect(await status(cast.anon.createUser({ name: 'nope' }))).toBe(401);
    expect(await cast.admin.me()).toEqual({ kind: 'admin' });
    expect(await status(cast.anon.me())).toBe(401);
  });

  test('a bad token is 401 even on public reads', async () => {
    const bad = createApi(server.url, 'not-a-real-token');
    const err = await bad.listBlogs().catch((e: ApiError) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).code).toBe('unauthorized');
    expect((err as ApiError).headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('blogs and members', () => {
  test('blog creation is a right the admin grants: without it 403 and nothing created', async () => {
    const me = createApi(server.url, cast.users.outsider.token);
    const before = (await cast.admin.listBlogs({ limit: 100 })).blogs.length;
    // No right by default, and a role on some blog (even owner) does not give it.
    for (const who of [me, cast.owner, cast.editor, cast.contributor]) {
      const err = (await who.createBlog({ title: 'Under our name' }).catch((e) => e)) as ApiError;
      expect(err.status).toBe(403);
      expect(err.code).toBe('forbidden');
    }
    expect(await status(cast.anon.createBlog({ title: 'x' }))).toBe(401);
    expect((await cast.admin.listBlogs({ limit: 100 })).blogs).toHaveLength(before);
    expect(await me.me()).toMatchObject({ user: { canCreateBlogs: false } });

    const granted = await cast.admin.patchUser(cast.users.outsider.id, { canCreateBlogs: true });
    expect(granted).toMatchObject({ id: cast.users.outsider.id, canCreateBlogs: true });
    expect(JSON.stringify(granted)).not.toContain(cast.users.outsider.token);
    expect((await cast.admin.listUsers()).users.find((u) => u.id === granted.id)).toEqual(granted);

    const blog = await me.createBlog({ title: 'Élection présidentielle : la soirée' });
    expect(blog).toMatchObject({ slug: 'election-presidentielle-la-soiree', status: 'live', seq: 0 });
    expect(blog.summary).toEqual({ seq: 0, bullets: [], updatedAt: null });
    const { members } = await me.listMembers(blog.slug);
    expect(members).toEqual([expect.objectContaining({ userId: cast.users.outsider.id, role: 'owner' })]);
    // Same title again: a free slug with a suffix.
    const again = await me.createBlog({ title: 'Élection présidentielle : la soirée' });
    expect(again.slug).not.toBe(blog.slug);
    expect(again.slug.startsWith('election-presidentielle-la-soiree-')).toBe(true);
    // An explicit slug that is taken is a conflict.
    const err = (await me.createBlog({ title: 'x', slug: blog.slug }).catch((e) => e)) as ApiError;
    expect(err.status).toBe(409);

    // Withdrawn: refused again at once; the blogs already made stay theirs.
    await cast.admin.patchUser(cast.users.outsider.id, { canCreateBlogs: false });
    expect(await status(me.createBlog({ title: 'One more' }))).toBe(403);
    expect((await me.listMembers(blog.id)).members[0]?.role).toBe('owner');
  });

  test('PATCH /users/:userId: admin only, 404 for an unknown user, 400 for a bad body, nothing changed', async () => {
    const target = cast.users.editor;
    const path = `/api/v1/users/${target.id}`;
    expect(await status(cast.owner.patchUser(target.id, { canCreateBlogs: true }))).toBe(403);
    expect(await status(cast.editor.patchUser(target.id, { canCreateBlogs: true }))).toBe(403);
    expect(await status(cast.anon.patchUser(target.id, { canCreateBlogs: true }))).toBe(401);
    // A stranger learns nothing about bodies: 403 even for a bad one.
    expect((await cast.owner.raw('PATCH', path, { body: { nope: 1 } })).status).toBe(403);
    expect(await status(cast.admin.patchUser('no-such-user', { canCreateBlogs: true }))).toBe(404);
    for (const body of [{}, { canCreateBlogs: 'yes' }, { canCreateBlogs: true, name: 'x' }, [], null]) {
      const res = await cast.admin.raw('PATCH', path, { body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const notJson = await cast.admin.raw('PATCH', path, {
      body: 'canCreateBlogs=true',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ error: { code: 'bad_request' } });
    expect((await cast.admin.raw('PATCH', '/api/v1/users/bad%20id', { body: { canCreateBlogs: true } })).status).toBe(
      400,
    );
    expect((await cast.admin.listUsers()).users.find((u) => u.id === target.id)?.canCreateBlogs).toBe(false);
  });

  test('GET by id or slug; PATCH by the owner emits blog.updated', async () => {
    const byId = await cast.anon.getBlog(cast.blog.id);
    const bySlug = await cast.anon.getBlog(cast.blog.slug);
    expect(bySlug).toEqual(byId);
    const before = byId.seq;
    expect(await status(cast.editor.patchBlog(cast.blog.id, { title: 'x' }))).toBe(403);
    expect(await status(cast.anon.patchBlog(cast.blog.id, { title: 'x' }))).toBe(401);
    const updated = await cast.owner.patchBlog(cast.blog.slug, {
      description: 'Live updates',
      allowedOrigins: ['https://partner.example'],
    });
    expect(updated).toMatchObject({
      description: 'Live updates',
      allowedOrigins: ['https://partner.example'],
      seq: before + 1,
    });
    const changes = await cast.anon.changes(cast.blog.id, before);
    expect(changes).toMatchObject({ seq: before + 1, events: [{ type: 'blog.updated', seq: before + 1 }] });
    expect(busLog).toContainEqual({
      kind: 'event',
      event: expect.objectContaining({ type: 'blog.updated', seq: before + 1 }),
    });
  });

  test('draft blogs are hidden from the public and listed for members', async () => {
    await cast.admin.patchUser(cast.users.owner.id, { canCreateBlogs: true });
    const hidden = await cast.owner.createBlog({ title: 'Embargoed', status: 'draft' });
    expect(await status(cast.anon.getBlog(hidden.id))).toBe(404);
    expect(await status(cast.editor.getBlog(hidden.id))).toBe(404);
    expect((await cast.owner.getBlog(hidden.slug)).id).toBe(hidden.id);
    expect((await cast.anon.listBlogs()).blogs.map((b) => b.id)).not.toContain(hidden.id);
    expect((await cast.owner.listBlogs()).blogs.map((b) => b.id)).toContain(hidden.id);
    expect((await cast.admin.listBlogs()).blogs.map((b) => b.id)).toContain(hidden.id);
  });

  test('owners manage members; others may not; the last owner stays', async () => {
    const newbie = await cast.admin.createUser({ name: 'newbie' });
    expect(await status(cast.editor.addMember(cast.blog.id, newbie.id, 'editor'))).toBe(403);
    expect(await status(cast.outsider.listMembers(cast.blog.id))).toBe(403);
    const m = await cast.owner.addMember(cast.blog.slug, newbie.id, 'contributor');
    expect(m).toMatchObject({ blogId: cast.blog.id, userId: newbie.id, role: 'contributor', name: 'newbie' });
    expect((await cast.contributor.listMembers(cast.blog.id)).members).toHaveLength(4);
    await cast.owner.removeMember(cast.blog.id, newbie.id);
    expect(await status(cast.owner.removeMember(cast.blog.id, newbie.id))).toBe(404);
    expect(await status(cast.owner.addMember(cast.blog.id, 'no-such-user', 'editor'))).toBe(404);
    expect(await status(cast.owner.addMember(cast.blog.id, cast.users.owner.id, 'editor'))).toBe(409);
    expect(await status(cast.owner.removeMember(cast.blog.id, cast.users.owner.id))).toBe(409);
    expect((await cast.owner.listMembers(cast.blog.id)).members.find((x) => x.role === 'owner')?.userId).toBe(
      cast.users.owner.id,
    );
  });
});

describe('posts and roles', () => {
  let blogId: string;
  beforeAll(() => {
    blogId = cast.blog.id;
  });

  test('an editor publishes; the post is sanitised, readable by anyone, and emitted once', async () => {
    const seq0 = (await cast.anon.getBlog(blogId)).seq;
    const post = await cast.editor.createPost(blogId, {
      blocks: [
        text('<p>Wind <b>gusts</b> of 130 km/h<script>alert(1)</script></p>'),
        { type: 'quote', text: 'Stay home', attribution: 'Mayor' },
        { type: 'image', url: 'https://img.example/a.jpg', alt: 'Waves', credit: 'AP' },
        { type: 'embed', url: 'https://youtu.be/dQw4w9WgXcQ' },
      ],
    });
    expect(post).toMatchObject({ status: 'published', seq: seq0 + 1, pinned: false, keyEvent: false });
    expect(post.author).toEqual({ id: cast.users.editor.id, name: 'editor user' });
    expect(post.blocks[0]).toEqual({ type: 'text', html: '<p>Wind <strong>gusts</strong> of 130 km/h</p>' });
    expect(post.blocks[3]).toMatchObject({
      type: 'embed',
      provider: 'youtube',
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    });
    expect(await cast.anon.getPost(cast.blog.slug, post.id)).toEqual(post);
    const changes = await cast.anon.changes(blogId, seq0);
    expect(changes).toEqual({
      seq: seq0 + 1,
      events: [expect.objectContaining({ type: 'post.created', seq: seq0 + 1, data: post })],
    });
    expect(
      busLog.filter((m) => m.kind === 'event' && m.event.seq === seq0 + 1 && m.event.blogId === blogId),
    ).toHaveLength(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/liveblog_events_committed_total\{type="post.created"\} [1-9]/);
  });

  test('contributors: own drafts only', async () => {
    const c = cast.contributor;
    expect(await status(c.createPost(blogId, { blocks: [text('publish?')] }))).toBe(403);
    expect(await status(c.createPost(blogId, { blocks: [text('pin?')], status: 'draft', pinned: true }))).toBe(403);
    const seqBefore = (await cast.anon.getBlog(blogId)).seq;
    const draft = await c.createPost(blogId, { blocks: [text('first draft')], status: 'draft' });
    expect(draft).toMatchObject({ status: 'draft', seq: 0 });
    expect(busLog).toContainEqual({
      kind: 'draft',
      event: expect.objectContaining({ type: 'draft.saved', data: draft }),
    });
    const edited = await c.patchPost(blogId, draft.id, { blocks: [text('second draft')] });
    expect(edited.blocks).toEqual([{ type: 'text', html: 'second draft' }]);
    expect(await status(c.patchPost(blogId, draft.id, { status: 'published' }))).toBe(403);
    expect(await status(c.patchPost(blogId, draft.id, { keyEvent: true }))).toBe(403);
    // Drafts use no reader seq.
    expect((await cast.anon.getBlog(blogId)).seq).toBe(seqBefore);

    const editorsDraft = await cast.editor.createPost(blogId, { blocks: [text('editor draft')], status: 'draft' });
    expect(await status(c.patchPost(blogId, editorsDraft.id, { blocks: [text('hijack')] }))).toBe(403);
    expect(await status(c.deletePost(blogId, editorsDraft.id))).toBe(403);
    const published = await cast.editor.createPost(blogId, { blocks: [text('live')] });
    expect(await status(c.patchPost(blogId, published.id, { blocks: [text('edit live')] }))).toBe(403);
    expect(await status(c.deletePost(blogId, published.id))).toBe(403);

    const mine = await c.createPost(blogId, { blocks: [text('to delete')], status: 'draft' });
    await c.deletePost(blogId, mine.id);
    expect(await status(c.getPost(blogId, mine.id))).toBe(404);
    expect(busLog).toContainEqual({
      kind: 'draft',
      event: expect.objectContaining({ type: 'draft.deleted', data: { id: mine.id } }),
    });
    expect((await cast.anon.getBlog(blogId)).seq).toBe(seqBefore + 1);
  });

  test('drafts are invisible to the public and visible to members', async () => {
    const draft = await cast.contributor.createPost(blogId, { blocks: [text('secret')], status: 'draft' });
    expect(await status(cast.anon.getPost(blogId, draft.id))).toBe(404);
    expect(await status(cast.outsider.getPost(blogId, draft.id))).toBe(404);
    expect((await cast.editor.getPost(blogId, draft.id)).id).toBe(draft.id);
    const publicPage = await cast.anon.listPosts(blogId, { limit: 100 });
    expect(publicPage.posts.map((p) => p.id)).not.toContain(draft.id);
    expect(publicPage.posts.every((p) => p.status === 'published')).toBe(true);
    expect(await status(cast.anon.listPosts(blogId, { status: 'draft' }))).toBe(401);
    expect(await status(cast.outsider.listPosts(blogId, { status: 'draft' }))).toBe(403);
    const drafts = await cast.contributor.listPosts(blogId, { status: 'draft', limit: 100 });
    expect(drafts.posts.map((p) => p.id)).toContain(draft.id);
    expect(drafts.posts.every((p) => p.status === 'draft')).toBe(true);
  });

  test('publishing a draft later: posted-at is the publish time and readers see post.created', async () => {
    const draft = await cast.contributor.createPost(blogId, { blocks: [text('breaking')], status: 'draft' });
    const seq0 = (await cast.anon.getBlog(blogId)).seq;
    await waitForClockTick(draft.createdAt);
    const live = await cast.editor.patchPost(blogId, draft.id, { status: 'published', keyEvent: true });
    expect(live).toMatchObject({ status: 'published', keyEvent: true, seq: seq0 + 1 });
    expect(live.author.id).toBe(cast.users.contributor.id);
    expect(live.createdAt > draft.createdAt).toBe(true);
    expect(live.createdAt).toBe(live.updatedAt);
    const { events } = (await cast.anon.changes(blogId, seq0)) as { events: { type: string; data: Post }[] };
    expect(events.map((e) => e.type)).toEqual(['post.created']);
    expect(events[0]?.data.createdAt).toBe(live.createdAt);

    // Editing it later keeps its place in the stream.
    const edited = await cast.editor.patchPost(blogId, draft.id, { pinned: true });
    expect(edited).toMatchObject({ pinned: true, createdAt: live.createdAt, seq: seq0 + 2 });
    // Unpublishing is a deletion for readers.
    const back = await cast.editor.patchPost(blogId, draft.id, { status: 'draft' });
    expect(back.status).toBe('draft');
    const tail = (await cast.anon.changes(blogId, seq0 + 2)) as { events: { type: string }[] };
    expect(tail.events.map((e) => e.type)).toEqual(['post.deleted']);
    expect(await status(cast.anon.getPost(blogId, draft.id))).toBe(404);
  });

  test('editors delete published posts: 204, then 404, and post.deleted', async () => {
    const post = await cast.editor.createPost(blogId, { blocks: [text('mistake')] });
    const res = await cast.editor.raw('DELETE', `/api/v1/blogs/${blogId}/posts/${post.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await status(cast.anon.getPost(blogId, post.id))).toBe(404);
    expect(await status(cast.editor.deletePost(blogId, post.id))).toBe(404);
    expect(await status(cast.editor.patchPost(blogId, post.id, { pinned: true }))).toBe(404);
    const { events } = (await cast.anon.changes(blogId, post.seq)) as { events: { type: string; data: unknown }[] };
    expect(events.at(-1)).toMatchObject({ type: 'post.deleted', data: { id: post.id } });
  });

  test('outsiders and anonymous callers may not write', async () => {
    const seq0 = (await cast.anon.getBlog(blogId)).seq;
    expect(await status(cast.outsider.createPost(blogId, { blocks: [text('x')], status: 'draft' }))).toBe(403);
    expect(await status(cast.anon.createPost(blogId, { blocks: [text('x')] }))).toBe(401);
    expect((await cast.anon.getBlog(blogId)).seq).toBe(seq0);
  });

  test('the summary routes answer the empty summary', async () => {
    expect(await cast.anon.getSummary(blogId)).toEqual({ seq: 0, bullets: [], updatedAt: null });
    expect(await cast.anon.summaryHistory(cast.blog.slug)).toEqual({ history: [] });
  });
});

describe('role matrix', () => {
  type Who = 'anon' | 'outsider' | 'contributor' | 'editor' | 'owner' | 'admin';
  const WHO: Who[] = ['anon', 'outsider', 'contributor', 'editor', 'owner', 'admin'];
  // Expected status per caller, in WHO order.
  const matrix: [string, (api: Api, blogId: string, postId: string) => Promise<unknown>, number[]][] = [
    ['create a published post', (api, b) => api.createPost(b, { blocks: [text('x')] }), [401, 403, 403, 200, 200, 200]],
    [
      'create a draft',
      (api, b) => api.createPost(b, { blocks: [text('x')], status: 'draft' }),
      [401, 403, 200, 200, 200, 200],
    ],
    ['pin a published post', (api, b, p) => api.patchPost(b, p, { pinned: true }), [401, 403, 403, 200, 200, 200]],
    ['mark a key event', (api, b, p) => api.patchPost(b, p, { keyEvent: true }), [401, 403, 403, 200, 200, 200]],
    ['delete a published post', (api, b, p) => api.deletePost(b, p), [401, 403, 403, 200, 200, 200]],
    ['read drafts', (api, b) => api.listPosts(b, { status: 'draft' }), [401, 403, 200, 200, 200, 200]],
    ['list members', (api, b) => api.listMembers(b), [401, 403, 200, 200, 200, 200]],
    ['change blog settings', (api, b) => api.patchBlog(b, { description: 'd' }), [401, 403, 403, 403, 200, 200]],
    [
      'manage members',
      (api, b) => api.addMember(b, cast.users.contributor.id, 'contributor'),
      [401, 403, 403, 403, 200, 200],
    ],
    ['read a published post', (api, b, p) => api.getPost(b, p), [200, 200, 200, 200, 200, 200]],
  ];

  test.each(matrix)('%s', async (_name, act, expected) => {
    const got: number[] = [];
    for (const who of WHO) {
      // A fresh published post per caller, so one caller's delete does not change the next one's answer.
      const post = await cast.editor.createPost(cast.blog.id, { blocks: [text('target')] });
      got.push(await status(act(cast[who], cast.blog.id, post.id)));
    }
    expect(Object.fromEntries(WHO.map((w, i) => [w, got[i]]))).toEqual(
      Object.fromEntries(WHO.map((w, i) => [w, expected[i]])),
    );
  });
});

/** Waits until the wall clock has moved past an ISO time (timestamps have ms resolution). */
async function waitForClockTick(iso: string): Promise<void> {
  await waitFor(() => new Date().toISOString() > iso, { what: 'the clock to move' });
}

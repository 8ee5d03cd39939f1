import { beforeAll, describe, expect, it } from 'vitest';
import type { Blog, Post, Revision } from '../../src/domain/index.js';
import { type Api, createApi, text } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The newsroom workflow over the real HTTP API and Socket.IO: scheduling (published at
 * publishAt, seq only then), review (submit, approve, return with a note), corrections with
 * revisions, tags and filters, both orders, archived blogs, and the 4xx for bad input.
 */
let server: TestServer;
let admin: Api;
let editor: Api;
let contributor: Api;
let contributorId: string;
let blog: Blog;

async function call<T = Post>(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await api.raw(method, `/api/v1${path}`, body === undefined ? {} : { body });
  return { status: res.status, body: res.body as T };
}
const posts = (b: Blog) => `/blogs/${b.id}/posts`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  server = await startServer({ SCHEDULER_POLL_MS: '1000' });
  admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Cup final' });
  const ed = await admin.createUser({ name: 'Eda Editor' });
  const co = await admin.createUser({ name: 'Cole Contributor' });
  contributorId = co.id;
  await admin.addMember(blog.id, ed.id, 'editor');
  await admin.addMember(blog.id, co.id, 'contributor');
  editor = admin.as(ed.token);
  contributor = admin.as(co.token);
});

describe('scheduled posts', () => {
  it('goes out at publishAt (±1 s) with its seq only then, readers see nothing before', async () => {
    const reader = openReader(server.url);
    await reader.subscribe({ blogId: blog.id, sinceSeq: (await admin.getBlog(blog.id)).seq });
    const at = inMs(1500);
    const created = await call(editor, 'POST', posts(blog), { blocks: [text('<p>Half time.</p>')], publishAt: at });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'scheduled', publishAt: at, seq: 0 });
    // Hidden from readers until then: not in the public list, not a single direct read.
    expect((await admin.as(undefined).listPosts(blog.id)).posts.map((p) => p.id)).not.toContain(created.body.id);
    expect((await call(admin.as(undefined), 'GET', `${posts(blog)}/${created.body.id}`)).status).toBe(404);
    const scheduled = await call<{ posts: Post[] }>(editor, 'GET', `${posts(blog)}?status=scheduled`);
    expect(scheduled.body.posts.map((p) => p.id)).toEqual([created.body.id]);

    const event = await waitFor(
      () => reader.events.find((e) => e.type === 'post.created' && e.data.id === created.body.id),
      {
        timeoutMs: 5000,
        what: 'the scheduled post to be published',
      },
    );
    const late = Date.parse(event.at) - Date.parse(at);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1000);
    expect(event.data).toMatchObject({ status: 'published', publishAt: null });
    // Its seq is the blog's next one at publication: no hole, no reorder.
    const seqs = reader.seqs();
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('is editable and cancellable until then', async () => {
    const p = await call(editor, 'POST', posts(blog), { blocks: [text('<p>Later.</p>')], publishAt: inMs(60_000) });
    const moved = await call(editor, 'PATCH', `${posts(blog)}/${p.body.id}`, { publishAt: inMs(120_000) });
    expect(moved.body.status).toBe('scheduled');
    const cancelled = await call(editor, 'PATCH', `${posts(blog)}/${p.body.id}`, { publishAt: null });
    expect(cancelled.body).toMatchObject({ status: 'draft', publishAt: null, seq: 0 });
  });

  it('refuses a publishAt in the past, too far ahead, or on a published post, changing nothing', async () => {
    const before = (await admin.getBlog(blog.id)).seq;
    for (const publishAt of [inMs(-60_000), inMs(400 * 86_400_000), 'soon']) {
      const r = await call<{ error: { code: string } }>(editor, 'POST', posts(blog), {
        blocks: [text('<p>x</p>')],
        publishAt,
      });
      expect(r.status, publishAt).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    const live = await admin.createPost(blog.id, { blocks: [text('<p>Out already.</p>')] });
    const r = await call<{ error: { code: string } }>(editor, 'PATCH', `${posts(blog)}/${live.id}`, {
      publishAt: inMs(60_000),
    });
    expect(r.status).toBe(400);
    expect((await admin.getPost(blog.id, live.id)).status).toBe('published');
    expect((await admin.getBlog(blog.id)).seq).toBe(before + 1);
  });

  it('a contributor cannot schedule', async () => {
    const r = await call(contributor, 'POST', posts(blog), { blocks: [text('<p>x</p>')], publishAt: inMs(60_000) });
    expect(r.status).toBe(403);
  });
});

describe('review before publication', () => {
  it('submit, see it in the queue, return with a note the contributor sees, resubmit, approve', async () => {
    const editors = openReader(server.url, { auth: { token: server.adminToken } });
    await editors.subscribe({ blogId: blog.id, drafts: true });
    const draft = await call(contributor, 'POST', posts(blog), {
      blocks: [text('<p>Fans gather.</p>')],
      status: 'draft',
    });
    const submitted = await call(contributor, 'POST', `${posts(blog)}/${draft.body.id}/submit`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('submitted');
    await waitFor(() =>
      editors.drafts.some((d) => 'status' in d.data && d.data.id === draft.body.id && d.data.status === 'submitted'),
    );
    const queue = await call<{ posts: Post[] }>(editor, 'GET', `${posts(blog)}?status=submitted`);
    expect(queue.body.posts.map((p) => p.id)).toContain(draft.body.id);

    // A contributor may neither publish nor return (approve) it.
    expect((await call(contributor, 'POST', `${posts(blog)}/${draft.body.id}/publish`, {})).status).toBe(403);
    expect((await call(contributor, 'POST', `${posts(blog)}/${draft.body.id}/return`, { note: 'x' })).status).toBe(403);
    expect((await call(contributor, 'PATCH', `${posts(blog)}/${draft.body.id}`, { status: 'published' })).status).toBe(
      403,
    );
    expect((await call(editor, 'POST', `${posts(blog)}/${draft.body.id}/return`, {})).status).toBe(400);

    const returned = await call(editor, 'POST', `${posts(blog)}/${draft.body.id}/return`, { note: 'Which gate?' });
    expect(returned.body).toMatchObject({
      status: 'draft',
      review: { note: 'Which gate?', by: { name: 'Eda Editor' } },
    });
    const mine = await call(contributor, 'GET', `${posts(blog)}/${draft.body.id}`);
    expect(mine.body.review?.note).toBe('Which gate?');

    await call(contributor, 'PATCH', `${posts(blog)}/${draft.body.id}`, {
      blocks: [text('<p>Fans gather at gate 4.</p>')],
    });
    await call(contributor, 'POST', `${posts(blog)}/${draft.body.id}/submit`, {});
    const approved = await call(editor, 'POST', `${posts(blog)}/${draft.body.id}/publish`, {});
    expect(approved.body).toMatchObject({
      status: 'published',
      author: { id: contributorId, name: 'Cole Contributor' },
      approvedBy: { name: 'Eda Editor' },
      review: null,
    });
    expect(approved.body.seq).toBeGreaterThan(0);
    // A published post cannot go back to review.
    expect((await call(contributor, 'POST', `${posts(blog)}/${draft.body.id}/submit`, {})).status).toBe(409);
    expect((await call(editor, 'POST', `${posts(blog)}/${draft.body.id}/submit`, {})).status).toBe(409);
  });
});

describe('corrections and revisions', () => {
  it('keeps a revision for every change to a published post; a correction is public and never moves the post', async () => {
    const p = await editor.createPost(blog.id, { blocks: [text('<p>2–0 to the home side.</p>')] });
    const fixed = await call(editor, 'PATCH', `${posts(blog)}/${p.id}`, {
      blocks: [text('<p>2–1 to the home side.</p>')],
      correction: { note: 'An earlier version gave the wrong score.' },
    });
    expect(fixed.body.correction).toMatchObject({ note: 'An earlier version gave the wrong score.' });
    expect(fixed.body.createdAt).toBe(p.createdAt);
    await call(editor, 'PATCH', `${posts(blog)}/${p.id}`, { pinned: true });
    const revs = await call<{ revisions: Revision[] }>(editor, 'GET', `${posts(blog)}/${p.id}/revisions`);
    expect(revs.status).toBe(200);
    expect(revs.body.revisions).toHaveLength(2);
    const [pin, correction] = revs.body.revisions;
    expect(pin?.changed).toEqual(['pinned']);
    expect(correction).toMatchObject({
      by: { name: 'Eda Editor' },
      changed: ['blocks', 'correction'],
      correction: { note: 'An earlier version gave the wrong score.' },
      before: [{ type: 'text', html: '<p>2–0 to the home side.</p>' }],
      after: [{ type: 'text', html: '<p>2–1 to the home side.</p>' }],
    });
    // Readers may not read revisions; a draft cannot carry a correction.
    expect((await call(admin.as(undefined), 'GET', `${posts(blog)}/${p.id}/revisions`)).status).toBe(401);
    const d = await editor.createPost(blog.id, { blocks: [text('<p>d</p>')], status: 'draft' });
    expect((await call(editor, 'PATCH', `${posts(blog)}/${d.id}`, { correction: { note: 'x' } })).status).toBe(400);
    expect((await call(editor, 'GET', `${posts(blog)}/nope/revisions`)).status).toBe(404);
  });
});

describe('tags, filters and orders', () => {
  it('normalises tags, filters by tag and key events, pages both ways', async () => {
    const b = await admin.createBlog({ title: 'Tagged', order: 'oldest', language: 'de-at' });
    expect(b).toMatchObject({ order: 'oldest', language: 'de-AT' });
    const made: Post[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(admin, 'POST', posts(b), {
        blocks: [text(`<p>${i}</p>`)],
        tags: i % 2 ? ['Goals', ' goals '] : ['VAR'],
        keyEvent: i === 3,
      });
      made.push(r.body);
    }
    expect(made[1]?.tags).toEqual(['goals']);
    const goals = await call<{ posts: Post[] }>(admin, 'GET', `${posts(b)}?tag=GOALS`);
    expect(goals.body.posts.map((p) => p.id)).toEqual([made[3]?.id, made[1]?.id]);
    const key = await call<{ posts: Post[] }>(admin, 'GET', `${posts(b)}?keyEvents=true`);
    expect(key.body.posts.map((p) => p.id)).toEqual([made[3]?.id]);
    const none = await call<{ posts: Post[]; nextCursor: null }>(admin, 'GET', `${posts(b)}?tag=nothing`);
    expect(none).toEqual({ status: 200, body: { posts: [], nextCursor: null } });
    // Oldest first, two per page, every post once.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 5; i++) {
      const q: string = `${posts(b)}?order=oldest&limit=2${cursor ? `&before=${cursor}` : ''}`;
      const page = await call<{ posts: Post[]; nextCursor: string | null }>(admin, 'GET', q);
      seen.push(...page.body.posts.map((p) => p.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(made.map((p) => p.id));
    // A post that loses the tag leaves the filtered list.
    await call(admin, 'PATCH', `${posts(b)}/${made[1]?.id}`, { tags: [] });
    const after = await call<{ posts: Post[] }>(admin, 'GET', `${posts(b)}?tag=goals`);
    expect(after.body.posts.map((p) => p.id)).toEqual([made[3]?.id]);
  });

  it('refuses bad tags and bad filters with 400, changing nothing', async () => {
    const before = (await admin.getBlog(blog.id)).seq;
    for (const tags of [Array.from({ length: 11 }, (_, i) => `t${i}`), ['x'.repeat(41)], ['<b>bold</b>'], ['']]) {
      const r = await call<{ error: { code: string } }>(admin, 'POST', posts(blog), {
        blocks: [text('<p>x</p>')],
        tags,
      });
      expect(r.status, JSON.stringify(tags)).toBe(400);
    }
    for (const q of ['tag=%3Cscript%3E', 'keyEvents=yes', 'order=sideways', 'status=deleted']) {
      expect((await call(admin, 'GET', `${posts(blog)}?${q}`)).status, q).toBe(400);
    }
    expect((await admin.getBlog(blog.id)).seq).toBe(before);
  });
});

describe("a story's end and archive", () => {
  it('ended sets endedAt; archived refuses every write but reopening', async () => {
    const b = await admin.createBlog({ title: 'Over' });
    const p = await admin.createPost(b.id, { blocks: [text('<p>x</p>')] });
    const ended = await admin.patchBlog(b.id, { status: 'ended' });
    expect(ended.endedAt).toBe(ended.updatedAt);
    const archived = await admin.patchBlog(b.id, { status: 'archived' });
    expect(archived).toMatchObject({ status: 'archived', endedAt: ended.endedAt });
    expect((await call(admin, 'POST', posts(b), { blocks: [text('<p>y</p>')] })).status).toBe(409);
    expect((await call(admin, 'PATCH', `${posts(b)}/${p.id}`, { pinned: true })).status).toBe(409);
    expect((await call(admin, 'DELETE', `${posts(b)}/${p.id}`)).status).toBe(409);
    expect((await call(admin, 'PATCH', `/blogs/${b.id}`, { title: 'Renamed' })).status).toBe(409);
    const reopened = await admin.patchBlog(b.id, { status: 'live' });
    expect(reopened).toMatchObject({ status: 'live', endedAt: null });
    expect((await call(admin, 'PATCH', `${posts(b)}/${p.id}`, { pinned: true })).status).toBe(200);
  });
});

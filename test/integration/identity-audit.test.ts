import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, Blog, Post } from '../../src/domain/index.js';
import { text } from '../helpers/api.js';
import { call, createPerson, login } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Page = { entries: AuditEntry[]; nextCursor: string | null };
let server: TestServer;
let owner: string;
let editor: string;
let editorId: string;
let blog: Blog;

beforeAll(async () => {
  server = await startServer();
  await createPerson(server, { name: 'Olga Owner', email: 'olga@newsroom.test', password: 'violet harbour seven' });
  const ed = await createPerson(server, {
    name: 'Ed Editor',
    email: 'ed@newsroom.test',
    password: 'eds long phrase x',
  });
  editorId = ed.id;
  owner = (await login(server, 'olga@newsroom.test', 'violet harbour seven')).body.token;
  editor = (await login(server, 'ed@newsroom.test', 'eds long phrase x')).body.token;
  // Olga is not admin: creating a blog makes her its owner.
  const admin = server.adminToken;
  const made = await call<Blog>(server.url, 'POST', '/api/v1/blogs', {
    token: admin,
    body: { title: 'Audited', slug: 'audited' },
  });
  blog = made.body;
  const olgaId = (await call<{ user: { id: string } }>(server.url, 'GET', '/api/v1/me', { token: owner })).body.user.id;
  await call(server.url, 'PUT', `/api/v1/blogs/${blog.id}/members/${olgaId}`, {
    token: admin,
    body: { role: 'owner' },
  });
  await call(server.url, 'PUT', `/api/v1/blogs/${blog.id}/members/${editorId}`, {
    token: owner,
    body: { role: 'editor' },
  });
});

describe('audit trail of content writes', () => {
  it('records post create, update and delete with the person, blog, post, address and credential', async () => {
    const made = await call<Post>(server.url, 'POST', `/api/v1/blogs/${blog.id}/posts`, {
      token: editor,
      body: { blocks: [text('<p>First</p>')], status: 'published' },
    });
    expect(made.status).toBe(201);
    const postId = made.body.id;
    expect(made.body.author.name).toBe('Ed Editor');
    await call(server.url, 'PATCH', `/api/v1/blogs/${blog.id}/posts/${postId}`, {
      token: editor,
      body: { blocks: [text('<p>Corrected</p>')] },
    });
    await call(server.url, 'DELETE', `/api/v1/blogs/${blog.id}/posts/${postId}`, { token: owner });
    const trail = await call<Page>(server.url, 'GET', `/api/v1/blogs/${blog.id}/audit`, { token: owner });
    expect(trail.status).toBe(200);
    const mine = trail.body.entries
      .filter((e) => e.postId === postId)
      .map((e) => [e.action, e.actor.name, e.credential]);
    expect(mine).toEqual([
      ['post.delete', 'Olga Owner', 'password_session'],
      ['post.update', 'Ed Editor', 'password_session'],
      ['post.create', 'Ed Editor', 'password_session'],
    ]);
    const create = trail.body.entries.find((e) => e.action === 'post.create');
    expect(create).toMatchObject({ blogId: blog.id, address: '127.0.0.1' });
    expect(Date.now() - Date.parse(create?.at ?? '')).toBeLessThan(60_000);
    expect(trail.body.entries.map((e) => e.action)).toContain('member.set');
  });

  it('a refused write leaves no audit row (same transaction)', async () => {
    const before = await call<Page>(server.url, 'GET', '/api/v1/audit?limit=200', { token: server.adminToken });
    const clash = await call(server.url, 'POST', '/api/v1/blogs', {
      token: server.adminToken,
      body: { title: 'Again', slug: 'audited' },
    });
    expect(clash.status).toBe(409);
    const missing = await call(server.url, 'PATCH', `/api/v1/blogs/${blog.id}/posts/nosuchpost`, {
      token: editor,
      body: { pinned: true },
    });
    expect(missing.status).toBe(404);
    const after = await call<Page>(server.url, 'GET', '/api/v1/audit?limit=200', { token: server.adminToken });
    expect(after.body.entries.length).toBe(before.body.entries.length);
  });

  it("a blog's trail is for its owners; the whole trail for the admin", async () => {
    expect((await call(server.url, 'GET', `/api/v1/blogs/${blog.id}/audit`, { token: editor })).status).toBe(403);
    expect((await call(server.url, 'GET', `/api/v1/blogs/${blog.id}/audit`)).status).toBe(401);
    expect((await call(server.url, 'GET', '/api/v1/audit', { token: owner })).status).toBe(403);
    const bad = await call(server.url, 'GET', `/api/v1/blogs/${blog.id}/audit?limit=abc`, { token: owner });
    expect(bad.status).toBe(400);
    const unknown = await call(server.url, 'GET', `/api/v1/blogs/${blog.id}/audit?colour=red`, { token: owner });
    expect(unknown.status).toBe(400);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { Account, Blog, Post } from '../../src/domain/index.js';
import { createApi, text } from '../helpers/api.js';
import { startTestCms, type TestCms } from '../helpers/cms.js';
import { connectEditor } from '../helpers/collab.js';
import { call, errorMessage } from '../helpers/identity.js';
import { openReader } from '../helpers/realtime.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

let server: TestServer;
let cms: TestCms;
let blog: Blog;
let other: Blog;

beforeAll(async () => {
  cms = await startTestCms();
  server = await startServer(cms.env);
  const admin = createApi(server.url, server.adminToken);
  blog = await admin.createBlog({ title: 'Election night', slug: 'election-2026' });
  other = await admin.createBlog({ title: 'Sports', slug: 'sports' });
});

const editorToken = (sub = 'cms-ana', extra: Record<string, unknown> = {}) =>
  cms.mint({
    sub,
    name: 'Ana from the CMS',
    email: `${sub}@newsroom.test`,
    liveblog_roles: { 'election-2026': 'editor' },
    ...extra,
  });

describe('tokens minted by the CMS', () => {
  it('are accepted on HTTP: the person is created on first sight with the claimed role', async () => {
    const token = await editorToken();
    const post = await call<Post>(server.url, 'POST', `/api/v1/blogs/${blog.id}/posts`, {
      token,
      body: { blocks: [text('<p>Polls close</p>')], status: 'published' },
    });
    expect(post.status).toBe(201);
    expect(post.body.author.name).toBe('Ana from the CMS');
    const users = await call<{ users: Account[] }>(server.url, 'GET', '/api/v1/users', { token: server.adminToken });
    const ana = users.body.users.filter((u) => u.email === 'cms-ana@newsroom.test');
    expect(ana).toHaveLength(1);
    // Seen again: the same person, not a second one.
    await call(server.url, 'GET', '/api/v1/me', { token: await editorToken() });
    const again = await call<{ users: Account[] }>(server.url, 'GET', '/api/v1/users', { token: server.adminToken });
    expect(again.body.users.filter((u) => u.email === 'cms-ana@newsroom.test')).toHaveLength(1);
    // No role on another blog.
    const elsewhere = await call(server.url, 'POST', `/api/v1/blogs/${other.id}/posts`, {
      token,
      body: { blocks: [text('<p>x</p>')], status: 'published' },
    });
    expect(elsewhere.status).toBe(403);
  });

  it('are refused with a reason when expired, not yet valid, oversized or from a stranger', async () => {
    const expired = await call(server.url, 'GET', '/api/v1/me', { token: await cms.mint({}, { expiresIn: -120 }) });
    expect(expired.status).toBe(401);
    expect(errorMessage(expired)).toMatch(/expired/);
    const early = await call(server.url, 'GET', '/api/v1/me', { token: await cms.mint({}, { notBefore: 600 }) });
    expect(errorMessage(early)).toMatch(/not valid yet/);
    const stranger = await startTestCms();
    const forged = await call(server.url, 'GET', '/api/v1/me', { token: await stranger.mint() });
    expect(forged.status).toBe(401);
    const big = await call(server.url, 'GET', '/api/v1/me', {
      token: await cms.mint({ pad: 'x'.repeat(9000) }),
    });
    expect(big.status).toBe(401);
    expect(errorMessage(big)).toMatch(/too long|too large/);
  });

  it('are accepted on Socket.IO for drafts, and on /collab', async () => {
    const token = await editorToken();
    const reader = openReader(server.url, { auth: { token } });
    const ack = await reader.subscribe({ blogId: blog.id, drafts: true });
    expect(ack.ok).toBe(true);
    const editor = connectEditor(server, blog.id, token);
    await waitFor(() => editor.provider.synced, { what: 'collab sync with a CMS token' });
    editor.destroy();
    const expired = await cms.mint({ sub: 'cms-ana' }, { expiresIn: -120 });
    const refused = openReader(server.url, { auth: { token: expired } });
    const err = await new Promise<Error>((resolve) => refused.socket.once('connect_error', resolve));
    expect(err.message).toMatch(/invalid token|unauthorized/i);
  });

  it("a deactivated person's CMS tokens stop working", async () => {
    const token = await editorToken('cms-leaver');
    const me = await call<{ user: { id: string } }>(server.url, 'GET', '/api/v1/me', { token });
    expect(me.status).toBe(200);
    const off = await call(server.url, 'PATCH', `/api/v1/users/${me.body.user.id}`, {
      token: server.adminToken,
      body: { active: false },
    });
    expect(off.status).toBe(200);
    const after = await call(server.url, 'GET', '/api/v1/me', { token: await editorToken('cms-leaver') });
    expect(after.status).toBe(401);
    expect(errorMessage(after)).toMatch(/deactivated/);
  });
});

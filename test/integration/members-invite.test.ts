import { beforeAll, describe, expect, it } from 'vitest';
import type { Account, AuditPage, BlogInvitationCreated, LoginResult, Member } from '../../src/domain/index.js';
import { setupBlog, text } from '../helpers/api.js';
import { call, createPerson, errorCode } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Owners bring people to their own blog, with a role on it and nothing more. */

let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
let otherBlogId: string;
let owner: string;

const invite = (blogId: string, body: unknown, token: string | undefined) =>
  call<BlogInvitationCreated>(server.url, 'POST', `/api/v1/blogs/${blogId}/invitations`, { body, token });
const userCount = async () =>
  (await call<{ users: Account[] }>(server.url, 'GET', '/api/v1/users', { token: server.adminToken })).body.users
    .length;

beforeAll(async () => {
  server = await startServer();
  cast = await setupBlog(server.url, server.adminToken, 'Owner invites');
  await cast.admin.patchBlog(cast.blog.id, { status: 'live' });
  owner = cast.users.owner.token;
  const other = await cast.admin.createBlog({ title: 'Someone else' });
  await cast.admin.patchBlog(other.id, { status: 'live' });
  otherBlogId = other.id;
});

describe('an owner invites people to their blog', () => {
  it('invites a new email with a role: a single-use link whose person may then act on that blog only', async () => {
    const res = await invite(
      cast.blog.id,
      { name: 'Nadia Freelance', email: 'Nadia@Desk.Example', role: 'editor' },
      owner,
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.member).toMatchObject({ blogId: cast.blog.id, role: 'editor', name: 'Nadia Freelance' });
    const url = res.body.invitation?.url ?? '';
    expect(url).toMatch(/\/editor#invite=[A-Za-z0-9_-]{43}$/);
    const token = url.split('#invite=')[1] ?? '';

    const accepted = await call<LoginResult>(server.url, 'POST', '/api/v1/auth/invitations/accept', {
      body: { token, password: 'sandpiper harbour lights 9' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email: 'nadia@desk.example', admin: false, canCreateBlogs: false });
    const session = accepted.body.token;
    const post = await call(server.url, 'POST', `/api/v1/blogs/${cast.blog.id}/posts`, {
      token: session,
      body: { blocks: [text('<p>from the invited editor</p>')] },
    });
    expect(post.status).toBe(201);
    const elsewhere = await call(server.url, 'POST', `/api/v1/blogs/${otherBlogId}/posts`, {
      token: session,
      body: { blocks: [text('<p>not here</p>')] },
    });
    expect(elsewhere.status).toBe(403);
    expect(
      (
        await call(server.url, 'POST', '/api/v1/auth/invitations/accept', {
          body: { token, password: 'another fine phrase 1' },
        })
      ).status,
    ).toBe(404);

    // The blog's own trail says the owner did it.
    const trail = await call<AuditPage>(server.url, 'GET', `/api/v1/blogs/${cast.blog.id}/audit`, { token: owner });
    const set = trail.body.entries.find((e) => e.action === 'member.set' && e.subjectId === res.body.member.userId);
    expect(set?.actor).toMatchObject({ id: cast.users.owner.id, admin: false });
  });

  it('gives a known person the role without a link, and sets roles of the blog’s members', async () => {
    const known = await createPerson(server, {
      name: 'Known Reporter',
      email: 'known@desk.example',
      password: 'blue heron morning 44',
    });
    const before = await userCount();
    const res = await invite(
      cast.blog.id,
      { name: 'ignored', email: 'known@desk.example', role: 'contributor' },
      owner,
    );
    expect(res.status).toBe(201);
    expect(res.body.invitation).toBeNull();
    expect(res.body.member).toMatchObject({ userId: known.id, role: 'contributor', name: 'Known Reporter' });
    expect(await userCount()).toBe(before);

    const promoted = await call<Member>(server.url, 'PUT', `/api/v1/blogs/${cast.blog.id}/members/${known.id}`, {
      token: owner,
      body: { role: 'editor' },
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('editor');
  });

  it('refuses to make admins, to touch other blogs, and anyone but owners; nothing is created', async () => {
    const before = await userCount();
    const person = { name: 'Mallory', email: 'mallory@desk.example', role: 'editor' };
    // No admin flag, no blog-creation right, no role beyond the three blog roles.
    const asAdmin = await invite(cast.blog.id, { ...person, admin: true }, owner);
    expect(asAdmin.status).toBe(400);
    expect((await invite(cast.blog.id, { ...person, canCreateBlogs: true }, owner)).status).toBe(400);
    expect((await invite(cast.blog.id, { ...person, role: 'admin' }, owner)).status).toBe(400);
    // Another blog, another role, no credential.
    const other = await invite(otherBlogId, person, owner);
    expect(other.status).toBe(403);
    expect(errorCode(other)).toBe('forbidden');
    expect((await invite(cast.blog.id, person, cast.users.editor.token)).status).toBe(403);
    expect((await invite(cast.blog.id, person, cast.users.contributor.token)).status).toBe(403);
    expect((await invite(cast.blog.id, person, undefined)).status).toBe(401);
    // The admin-only people routes stay admin-only for owners.
    expect(
      (await call(server.url, 'POST', '/api/v1/users', { token: owner, body: { name: 'M', email: 'm2@desk.example' } }))
        .status,
    ).toBe(403);
    expect(
      (
        await call(server.url, 'PATCH', `/api/v1/users/${cast.users.owner.id}`, {
          token: owner,
          body: { canCreateBlogs: true },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(server.url, 'PUT', `/api/v1/blogs/${otherBlogId}/members/${cast.users.editor.id}`, {
          token: owner,
          body: { role: 'owner' },
        })
      ).status,
    ).toBe(403);
    expect(await userCount()).toBe(before);
    const members = await call<{ members: Member[] }>(server.url, 'GET', `/api/v1/blogs/${otherBlogId}/members`, {
      token: server.adminToken,
    });
    expect(members.body.members.map((m) => m.userId)).not.toContain(cast.users.editor.id);
  });

  it('keeps the last owner: inviting the only owner’s email as editor is refused', async () => {
    const solo = await cast.admin.createBlog({ title: 'Solo owner' });
    const me = await createPerson(server, {
      name: 'Solo',
      email: 'solo@desk.example',
      password: 'lonely lighthouse 12',
    });
    await cast.admin.addMember(solo.id, me.id, 'owner');
    const signedIn = await call<LoginResult>(server.url, 'POST', '/api/v1/auth/login', {
      body: { email: 'solo@desk.example', password: 'lonely lighthouse 12' },
    });
    const res = await invite(
      solo.id,
      { name: 'Solo', email: 'solo@desk.example', role: 'editor' },
      signedIn.body.token,
    );
    expect(res.status).toBe(409);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '../../src/bus/types.js';
import type { AuditEntry, LoginResult, PersonalToken } from '../../src/domain/index.js';
import { call, createPerson, errorCode, login } from '../helpers/identity.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const bus: BusEnvelope[] = [];

beforeAll(async () => {
  server = await startServer({ LOGIN_FAILURES_PER_PAIR: '3' });
  server.app.deps.bus.subscribe((env) => bus.push(env));
});

const admin = () => server.adminToken;

describe('people, invitations and passwords', () => {
  it('refuses a common or short password and a taken email, naming the field', async () => {
    const common = await call(server.url, 'POST', '/api/v1/users', {
      token: admin(),
      body: { name: 'Weak', email: 'weak@newsroom.test', password: 'password123' },
    });
    expect(common.status).toBe(400);
    expect(JSON.stringify(common.body)).toMatch(/password/);
    const short = await call(server.url, 'POST', '/api/v1/users', {
      token: admin(),
      body: { name: 'Weak', email: 'weak@newsroom.test', password: 'short' },
    });
    expect(short.status).toBe(400);
    await createPerson(server, { name: 'Taken', email: 'taken@newsroom.test', password: 'a long enough secret' });
    const again = await call(server.url, 'POST', '/api/v1/users', {
      token: admin(),
      body: { name: 'Taken 2', email: 'TAKEN@newsroom.test', password: 'another long secret' },
    });
    expect(again.status).toBe(409);
  });

  it('only the admin creates people', async () => {
    await createPerson(server, { name: 'Plain', email: 'plain@newsroom.test', password: 'ordinary person words' });
    const s = await login(server, 'plain@newsroom.test', 'ordinary person words');
    const res = await call(server.url, 'POST', '/api/v1/users', {
      token: s.body.token,
      body: { name: 'X', email: 'x@newsroom.test' },
    });
    expect(res.status).toBe(403);
  });

  it('an invitation link is shown once, works once, and a weak choice does not spend it', async () => {
    const person = await createPerson(server, { name: 'Invited', email: 'invited@newsroom.test' });
    const url = person.invitation?.url ?? '';
    expect(url).toMatch(/\/editor#invite=[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(person.invitation?.expiresAt ?? '') - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const token = url.split('#invite=')[1] ?? '';
    const weak = await call(server.url, 'POST', '/api/v1/auth/invitations/accept', {
      body: { token, password: 'qwertyuiop' },
    });
    expect(weak.status).toBe(400);
    const ok = await call<LoginResult>(server.url, 'POST', '/api/v1/auth/invitations/accept', {
      body: { token, password: 'my own good passphrase' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe('invited@newsroom.test');
    expect(ok.cookie).toMatch(/liveblog_session=/);
    const replay = await call(server.url, 'POST', '/api/v1/auth/invitations/accept', {
      body: { token, password: 'someone elses passphrase' },
    });
    expect(replay.status).toBe(404);
    expect((await login(server, 'invited@newsroom.test', 'my own good passphrase')).status).toBe(200);
    expect((await login(server, 'invited@newsroom.test', 'someone elses passphrase')).status).toBe(401);
  });

  it('limits failed sign-ins per account and address without locking out others at that address', async () => {
    await createPerson(server, { name: 'Target', email: 'target@newsroom.test', password: 'the real secret phrase' });
    await createPerson(server, {
      name: 'Neighbour',
      email: 'neighbour@newsroom.test',
      password: 'next door words fine',
    });
    for (let i = 0; i < 3; i++)
      expect((await login(server, 'target@newsroom.test', `wrong guess ${i}`)).status).toBe(401);
    const limited = await login(server, 'target@newsroom.test', 'the real secret phrase');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Same address, another account: untouched.
    expect((await login(server, 'neighbour@newsroom.test', 'next door words fine')).status).toBe(200);
  });
});

describe('personal tokens', () => {
  it('are shown once, listed by name with last use, and revoked at once', async () => {
    await createPerson(server, { name: 'Bot owner', email: 'bots@newsroom.test', password: 'automation secret 1' });
    const s = await login(server, 'bots@newsroom.test', 'automation secret 1');
    const made = await call<PersonalToken & { token: string }>(server.url, 'POST', '/api/v1/me/tokens', {
      token: s.body.token,
      body: { name: 'CMS importer' },
    });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^lbp_/);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: made.body.token })).status).toBe(200);
    const list = await call<{ tokens: PersonalToken[] }>(server.url, 'GET', '/api/v1/me/tokens', {
      token: s.body.token,
    });
    expect(list.body.tokens).toHaveLength(1);
    expect(list.body.tokens[0]).toMatchObject({ id: made.body.id, name: 'CMS importer' });
    expect(list.body.tokens[0]?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);

    const before = bus.length;
    const del = await call(server.url, 'DELETE', `/api/v1/me/tokens/${made.body.id}`, { token: s.body.token });
    expect(del.status).toBe(204);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: made.body.token })).status).toBe(401);
    const msg = bus.slice(before).find((e) => e.msg.kind === 'access.changed');
    expect(msg?.msg).toEqual({ kind: 'access.changed', userId: s.body.user.id, blogId: null });
    expect(
      (await call(server.url, 'DELETE', `/api/v1/me/tokens/${made.body.id}`, { token: s.body.token })).status,
    ).toBe(404);
  });

  it('the bare admin token has none', async () => {
    const res = await call(server.url, 'POST', '/api/v1/me/tokens', { token: admin(), body: { name: 'x' } });
    expect(res.status).toBe(403);
  });
});

describe('deactivation', () => {
  it('ends every credential of the person at once and tells every node', async () => {
    const p = await createPerson(server, {
      name: 'Leaver',
      email: 'leaver@newsroom.test',
      password: 'leaving secret 99',
    });
    const s = await login(server, 'leaver@newsroom.test', 'leaving secret 99');
    const pt = await call<{ token: string }>(server.url, 'POST', '/api/v1/me/tokens', {
      token: s.body.token,
      body: { name: 'script' },
    });
    const before = bus.length;
    const res = await call<{ active: boolean }>(server.url, 'PATCH', `/api/v1/users/${p.id}`, {
      token: admin(),
      body: { active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(bus.slice(before).map((e) => e.msg)).toContainEqual({ kind: 'access.changed', userId: p.id, blogId: null });
    expect((await call(server.url, 'GET', '/api/v1/me', { token: s.body.token })).status).toBe(401);
    expect((await call(server.url, 'GET', '/api/v1/me', { token: pt.body.token })).status).toBe(401);
    // The same answer as a wrong password: nothing says the account exists.
    const again = await login(server, 'leaver@newsroom.test', 'leaving secret 99');
    expect(again.status).toBe(401);
    // Bad input changes nothing.
    const bad = await call(server.url, 'PATCH', `/api/v1/users/${p.id}`, { token: admin(), body: { active: 'no' } });
    expect(bad.status).toBe(400);
    const missing = await call(server.url, 'PATCH', '/api/v1/users/nosuchuser', {
      token: admin(),
      body: { active: false },
    });
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('not_found');
  });
});

describe('audit trail', () => {
  it('records identity writes with who, what, when, address and credential; admins only', async () => {
    const page = await call<{ entries: AuditEntry[]; nextCursor: string | null }>(
      server.url,
      'GET',
      '/api/v1/audit?limit=200',
      {
        token: admin(),
      },
    );
    expect(page.status).toBe(200);
    const actions = new Set(page.body.entries.map((e) => e.action));
    for (const a of [
      'user.create',
      'auth.login',
      'token.create',
      'token.revoke',
      'user.deactivate',
      'invitation.accept',
    ]) {
      expect(actions, a).toContain(a);
    }
    const signIn = page.body.entries.find((e) => e.action === 'auth.login');
    expect(signIn).toMatchObject({ credential: 'password_session', address: '127.0.0.1' });
    const revoke = page.body.entries.find((e) => e.action === 'token.revoke');
    expect(revoke?.actor.name).toBe('Bot owner');
    const deactivate = page.body.entries.find((e) => e.action === 'user.deactivate');
    expect(deactivate).toMatchObject({ credential: 'admin_token', actor: { admin: true } });
    // Newest first, and pages follow the cursor without overlap.
    const first = await call<{ entries: AuditEntry[]; nextCursor: string }>(
      server.url,
      'GET',
      '/api/v1/audit?limit=2',
      {
        token: admin(),
      },
    );
    const next = await call<{ entries: AuditEntry[] }>(
      server.url,
      'GET',
      `/api/v1/audit?limit=2&before=${first.body.nextCursor}`,
      {
        token: admin(),
      },
    );
    expect(first.body.entries.map((e) => e.id)).toEqual(page.body.entries.slice(0, 2).map((e) => e.id));
    expect(next.body.entries.map((e) => e.id)).toEqual(page.body.entries.slice(2, 4).map((e) => e.id));
    // Nothing in the trail could be replayed.
    expect(JSON.stringify(page.body)).not.toMatch(/lbp_|s1~|secret/);
    const s = await login(server, 'bots@newsroom.test', 'automation secret 1');
    expect((await call(server.url, 'GET', '/api/v1/audit', { token: s.body.token })).status).toBe(403);
    expect((await call(server.url, 'GET', '/api/v1/audit?limit=0', { token: admin() })).status).toBe(400);
  });
});

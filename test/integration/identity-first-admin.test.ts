import { describe, expect, it } from 'vitest';
import type { Account, LoginResult } from '../../src/domain/index.js';
import { call } from '../helpers/identity.js';
import { spawnServer, tempDataDir } from '../helpers/server.js';

/** The first admin account made at first start (ADMIN_EMAIL), on the real process. */

const EMAIL = 'chief@newsroom.example';
const signIn = (url: string, password: string) =>
  call<LoginResult>(url, 'POST', '/api/v1/auth/login', { body: { email: EMAIL, password } });

describe('first admin at first start', () => {
  it('makes the account with a generated password printed once, and never again on later starts', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ DATA_DIR: dataDir, ADMIN_EMAIL: 'Chief@Newsroom.Example' });
    const m = /Password \(shown once[^)]*\): (\S+)/.exec(first.output());
    expect(m, first.output()).not.toBeNull();
    const password = m?.[1] as string;
    expect(password.length).toBeGreaterThanOrEqual(20);
    // Printed once: the structured log line says it was generated, never what it is.
    expect(first.output().split(password).length - 1).toBe(1);

    const res = await signIn(first.url, password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: EMAIL, admin: true, active: true, name: 'Admin' });
    const users = await call<{ users: Account[] }>(first.url, 'GET', '/api/v1/users', { token: res.body.token });
    expect(users.body.users.map((u) => u.email)).toEqual([EMAIL]);
    expect(await first.terminate()).toBe(0);

    const again = await spawnServer({ DATA_DIR: dataDir, ADMIN_EMAIL: EMAIL });
    expect(again.output()).not.toContain('First admin account');
    expect(again.output()).not.toContain(password);
    expect((await signIn(again.url, password)).status).toBe(200);
    const admin = await signIn(again.url, password);
    const still = await call<{ users: Account[] }>(again.url, 'GET', '/api/v1/users', { token: admin.body.token });
    expect(still.body.users).toHaveLength(1);
  });

  it('takes ADMIN_PASSWORD when given, without printing or logging it', async () => {
    const password = 'tundra kettle marigold 7';
    const srv = await spawnServer({ ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: password, ADMIN_NAME: 'Night Desk' });
    expect(srv.output()).not.toContain(password);
    expect(srv.output()).toContain('created the first admin account');
    const res = await signIn(srv.url, password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ name: 'Night Desk', admin: true });
    expect((await signIn(srv.url, 'not the password at all')).status).toBe(401);
  });

  it('makes none when people exist already, and none without ADMIN_EMAIL', async () => {
    const dataDir = tempDataDir();
    const plain = await spawnServer({ DATA_DIR: dataDir });
    const made = await call<Account>(plain.url, 'POST', '/api/v1/users', {
      token: 'test-admin-token-0123456789abcdef',
      body: { name: 'Ana', email: 'ana@newsroom.example', password: 'orchid lantern quarry 42' },
    });
    expect(made.status).toBe(201);
    expect(await plain.terminate()).toBe(0);
    const later = await spawnServer({ DATA_DIR: dataDir, ADMIN_EMAIL: EMAIL });
    expect(later.output()).not.toContain('First admin account');
    const list = await call<{ users: Account[] }>(later.url, 'GET', '/api/v1/users', {
      token: 'test-admin-token-0123456789abcdef',
    });
    expect(list.body.users.map((u) => u.email)).toEqual(['ana@newsroom.example']);
  });

  it('refuses to start when ADMIN_PASSWORD breaks the password policy, naming the variable', async () => {
    await expect(spawnServer({ ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: 'password1' })).rejects.toThrow(
      /ADMIN_PASSWORD: the password/,
    );
  });
});

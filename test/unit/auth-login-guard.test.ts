import { describe, expect, it } from 'vitest';
import { LoginGuard } from '../../src/auth/login-guard.js';
import { DomainError } from '../../src/domain/index.js';

const opts = { perPair: 3, perAccount: 5, perAddress: 6, windowSeconds: 60 };

async function refused(p: Promise<void>): Promise<boolean> {
  try {
    await p;
    return false;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'rate_limited') return true;
    throw err;
  }
}

async function fail(g: LoginGuard, account: string, address: string, n: number) {
  for (let i = 0; i < n; i++) await g.failed(account, address);
}

describe('login failure limits', () => {
  it('locks one account at one address after perPair failures, and a success resets the pair', async () => {
    const g = new LoginGuard(opts);
    await fail(g, 'a@x.org', '10.0.0.1', 2);
    expect(await refused(g.check('a@x.org', '10.0.0.1'))).toBe(false);
    await g.succeeded('a@x.org', '10.0.0.1');
    await fail(g, 'a@x.org', '10.0.0.1', 2);
    expect(await refused(g.check('a@x.org', '10.0.0.1'))).toBe(false);
    await fail(g, 'a@x.org', '10.0.0.1', 1);
    const err = await g.check('a@x.org', '10.0.0.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).details).toMatchObject({ limit: 'login_failures' });
    expect((err as DomainError).details).toHaveProperty('retryAfterSeconds');
  });

  it('never refuses an address because of failures at a different account (a shared NAT address)', async () => {
    const g = new LoginGuard(opts);
    // A colleague (or an attacker) behind the same address sprays many accounts.
    for (let i = 0; i < 40; i++) await fail(g, `victim${i}@x.org`, '10.0.0.9', 1);
    // Another person at that address who has not failed at their own account may still try.
    expect(await refused(g.check('me@x.org', '10.0.0.9'))).toBe(false);
    // The sprayer gets no second guess at an account it already failed at.
    expect(await refused(g.check('victim3@x.org', '10.0.0.9'))).toBe(true);
  });

  it('an account flooded from many addresses stays open to the addresses that signed in to it before', async () => {
    const g = new LoginGuard(opts);
    await g.succeeded('owner@x.org', '192.0.2.10');
    for (let i = 0; i < 8; i++) await g.failed('owner@x.org', `198.51.100.${i}`);
    expect(await refused(g.check('owner@x.org', '198.51.100.200'))).toBe(true);
    expect(await refused(g.check('owner@x.org', '192.0.2.10'))).toBe(false);
    // …and other accounts are untouched by it.
    expect(await refused(g.check('other@x.org', '198.51.100.200'))).toBe(false);
  });

  it('treats an unknown email exactly like an existing one (no hint which emails exist)', async () => {
    const g = new LoginGuard(opts);
    await fail(g, 'nobody@x.org', '10.0.0.2', 3);
    expect(await refused(g.check('nobody@x.org', '10.0.0.2'))).toBe(true);
  });
});

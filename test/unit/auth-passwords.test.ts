import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../src/auth/password-policy.js';
import { createPasswordHasher } from '../../src/auth/passwords.js';

// Small parameters keep the suite fast; the cost at the real defaults is measured by bench/login.ts.
const params = { memoryKiB: 4096, timeCost: 2, parallelism: 1 };

describe('password hashing (argon2id)', () => {
  it('hashes in PHC form with the configured parameters and verifies only the right password', async () => {
    const h = await createPasswordHasher(params);
    const stored = await h.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=4096,t=2,p=1\$/);
    expect(await h.verify(stored, 'correct horse battery staple')).toBe(true);
    expect(await h.verify(stored, 'correct horse battery stapl')).toBe(false);
    // A fresh salt each time.
    expect(await h.hash('correct horse battery staple')).not.toBe(stored);
  });

  it('answers false, without throwing, for no stored hash and for a malformed one', async () => {
    const h = await createPasswordHasher(params);
    expect(await h.verify(null, 'anything at all')).toBe(false);
    expect(await h.verify('not-a-hash', 'anything at all')).toBe(false);
  });

  it('flags hashes made with other parameters for rehashing', async () => {
    const weak = await createPasswordHasher({ ...params, memoryKiB: 2048 });
    const h = await createPasswordHasher(params);
    expect(h.needsRehash(await weak.hash('a passphrase here'))).toBe(true);
    expect(h.needsRehash(await h.hash('a passphrase here'))).toBe(false);
  });

  it('costs about the same for an unknown account as for a wrong password', async () => {
    const h = await createPasswordHasher(params);
    const stored = await h.hash('the real password 1');
    const time = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push(await time(() => h.verify(null, 'a guess that fails')));
      wrong.push(await time(() => h.verify(stored, 'a guess that fails')));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const ratio = median(unknown) / median(wrong);
    // The dummy path runs one full verification too: the same work, so the same order of time.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe('password policy', () => {
  it('refuses short, common, one-character and self-describing passwords', () => {
    expect(passwordProblem('short', 10)).toMatch(/at least 10/);
    expect(passwordProblem('password123', 10)).toMatch(/most common/);
    expect(passwordProblem('QWERTYUIOP', 10)).toMatch(/most common/);
    expect(passwordProblem('aaaaaaaaaaaa', 10)).toMatch(/single character|common/);
    expect(passwordProblem('anna.schmidt-2026', 10, ['anna.schmidt'])).toMatch(/name or email/);
    expect(passwordProblem('x'.repeat(300), 10)).toMatch(/at most 256/);
  });

  it('accepts a long passphrase, counting code points not UTF-16 units', () => {
    expect(passwordProblem('velvet tugboat orchestra', 10)).toBeNull();
    // Ten emoji are ten characters a person typed (twenty UTF-16 units).
    expect(passwordProblem('🦊🐙🦉🐝🦀🐢🦜🐳🦔🐞', 10)).toBeNull();
    expect(passwordProblem('🦊🐙🦉🐝🦀🐢🦜🐳🦔', 10)).toMatch(/at least 10/);
  });
});

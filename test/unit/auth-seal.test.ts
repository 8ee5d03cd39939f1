import { describe, expect, it } from 'vitest';
import { Sealer } from '../../src/auth/seal.js';

describe('sealed values', () => {
  it('round-trips, and refuses tampering, another purpose, another key and junk', () => {
    const s = new Sealer('k1');
    const sealed = s.seal('oidc', { state: 'abc', n: 1 });
    expect(s.open('oidc', sealed)).toEqual({ state: 'abc', n: 1 });
    expect(s.open('other', sealed)).toBeNull();
    expect(new Sealer('k2').open('oidc', sealed)).toBeNull();
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    expect(s.open('oidc', flipped)).toBeNull();
    expect(s.open('oidc', '')).toBeNull();
    expect(s.open('oidc', 'not base64!')).toBeNull();
    expect(s.open('oidc', 'A'.repeat(9000))).toBeNull();
  });
});

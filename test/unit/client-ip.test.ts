import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/lib/client-ip.js';

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless the proxy is trusted', () => {
    expect(clientAddress('6.6.6.6', '10.0.0.2', false)).toBe('10.0.0.2');
  });
  it('takes the entry our proxy appended, not the ones the client wrote', () => {
    expect(clientAddress('1.1.1.1, 6.6.6.6, 203.0.113.9', '10.0.0.2', true)).toBe('203.0.113.9');
    expect(clientAddress(['1.1.1.1', '203.0.113.9'], '10.0.0.2', true)).toBe('203.0.113.9');
  });
  it('falls back to the socket peer', () => {
    expect(clientAddress(' , ', '10.0.0.2', true)).toBe('10.0.0.2');
    expect(clientAddress(undefined, undefined, true)).toBe('unknown');
  });
});

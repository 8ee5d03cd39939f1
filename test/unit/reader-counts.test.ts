import { describe, expect, it } from 'vitest';
import { ReaderCounts } from '../../src/realtime/reader-counts.js';

describe('ReaderCounts', () => {
  it('adds the fresh reports of other nodes to the local count, per blog', () => {
    const counts = new ReaderCounts(1000);
    counts.report('a', { b1: 3, b2: 1 }, 0);
    counts.report('b', { b1: 2 }, 0);
    counts.report('a', { b1: 4 }, 10); // replaces a's previous report
    expect(counts.total('b1', 1, 20)).toBe(7);
    expect(counts.total('b2', 0, 20)).toBe(0);
    expect(counts.total('b1', 1, 1500)).toBe(1); // both reports went stale
  });

  it('forgets nodes that stopped reporting even when nothing asks for a total', () => {
    // A node with no readers of its own never calls total(); nodes that come and go (a new
    // node id after each restart) must not pile up in its memory.
    const counts = new ReaderCounts(1000);
    for (let i = 0; i < 100; i++) counts.report(`node-${i}`, { b1: 1 }, i * 2000);
    expect(counts.size).toBe(1);
  });
});

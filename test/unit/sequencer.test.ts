import { describe, expect, it } from 'vitest';
import type { Changes, LiveEvent } from '../../src/domain/index.js';
import { Sequencer } from '../../src/realtime/sequencer.js';
import { waitFor } from '../helpers/wait.js';

const BLOG = 'blog1';

function event(seq: number): LiveEvent {
  return { blogId: BLOG, seq, at: new Date().toISOString(), type: 'post.deleted', data: { id: `p${seq}` } };
}

/** A log standing in for the store's change list: events 1..n, replayable within `window`. */
function log(n: number, window = 1000) {
  const events = Array.from({ length: n }, (_, i) => event(i + 1));
  const reads: number[] = [];
  return {
    events,
    reads,
    readAfter: async (since: number): Promise<Changes> => {
      reads.push(since);
      const head = events.length;
      if (since < head - window || since > head) return { seq: head, reset: true };
      return { seq: head, events: events.filter((e) => e.seq > since).slice(0, 3) };
    },
  };
}

function setup(opts: { head?: number; n?: number; window?: number; gapMs?: number } = {}) {
  const store = log(opts.n ?? 10, opts.window);
  const delivered: number[] = [];
  const resets: number[] = [];
  const seq = new Sequencer({
    head: opts.head ?? 0,
    gapMs: opts.gapMs ?? 20,
    readAfter: store.readAfter,
    deliver: (e) => delivered.push(e.seq),
    onReset: (s) => resets.push(s),
  });
  return { store, delivered, resets, seq };
}

describe('Sequencer', () => {
  it('delivers in order events that arrive in order, without reading the store', () => {
    const { seq, delivered, store } = setup();
    for (let i = 1; i <= 5; i++) seq.offer(event(i));
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(seq.head).toBe(5);
    expect(store.reads).toEqual([]);
    seq.close();
  });

  it('holds early events until the missing one arrives, then releases them in order', () => {
    const { seq, delivered, store } = setup();
    seq.offer(event(3));
    seq.offer(event(2));
    expect(delivered).toEqual([]);
    expect(seq.waiting).toBe(2);
    seq.offer(event(1));
    expect(delivered).toEqual([1, 2, 3]);
    expect(seq.waiting).toBe(0);
    expect(store.reads).toEqual([]);
    seq.close();
  });

  it('drops duplicates, whether already delivered or still waiting', () => {
    const { seq, delivered } = setup();
    seq.offer(event(1));
    seq.offer(event(1));
    seq.offer(event(3));
    seq.offer(event(3));
    seq.offer(event(2));
    seq.offer(event(2));
    seq.offer(event(1));
    expect(delivered).toEqual([1, 2, 3]);
    seq.close();
  });

  it('reads a missing event from the store after the gap delay', async () => {
    const { seq, delivered, store } = setup({ n: 4, gapMs: 30 });
    seq.offer(event(1));
    seq.offer(event(4)); // 2 and 3 lost on the bus
    expect(delivered).toEqual([1]);
    await waitFor(() => delivered.length === 4, { timeoutMs: 2000, what: 'gap fill' });
    expect(delivered).toEqual([1, 2, 3, 4]);
    expect(store.reads[0]).toBe(1);
    seq.close();
  });

  it('keeps reading the store page by page until the hole is closed', async () => {
    const { seq, delivered, store } = setup({ n: 10, gapMs: 10 });
    seq.offer(event(10)); // 1..9 lost; the fake store pages 3 at a time
    await waitFor(() => delivered.length === 10, { timeoutMs: 2000, what: 'multi-page fill' });
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.reads.length).toBeGreaterThanOrEqual(3);
    seq.close();
  });

  it('does not read the store when the hole closes before the gap delay', async () => {
    const { seq, delivered, store } = setup({ n: 2, gapMs: 50 });
    seq.offer(event(2));
    seq.offer(event(1));
    expect(delivered).toEqual([1, 2]);
    // A later tail check proves the timer was disarmed: it is the only read.
    await seq.checkTail();
    expect(store.reads).toEqual([2]);
    seq.close();
  });

  it('finds a lost tail on checkTail', async () => {
    const { seq, delivered } = setup({ n: 4 });
    seq.offer(event(1));
    await seq.checkTail();
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('jumps ahead on a store reset and keeps only later waiting events', async () => {
    const { seq, delivered, resets, store } = setup({ n: 20, window: 5, gapMs: 10 });
    store.events.push(event(21));
    seq.offer(event(21));
    await waitFor(() => resets.length === 1, { timeoutMs: 2000, what: 'reset' });
    expect(resets).toEqual([21]);
    expect(seq.head).toBe(21);
    expect(delivered).toEqual([]);
    seq.offer(event(22));
    expect(delivered).toEqual([22]);
    seq.close();
  });

  it('survives a failing store read and retries while the hole stays open', async () => {
    const delivered: number[] = [];
    let calls = 0;
    const errors: unknown[] = [];
    const seq = new Sequencer({
      head: 0,
      gapMs: 10,
      readAfter: async (since) => {
        calls += 1;
        if (calls === 1) throw new Error('store down');
        return { seq: 2, events: [event(1), event(2)].filter((e) => e.seq > since) };
      },
      deliver: (e) => delivered.push(e.seq),
      onReset: () => {},
      onError: (e) => errors.push(e),
    });
    seq.offer(event(2));
    await waitFor(() => delivered.length === 2, { timeoutMs: 2000, what: 'retry after error' });
    expect(delivered).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
    seq.close();
  });

  it('delivers every seq exactly once in order under any arrival order with losses', async () => {
    const fc = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 0, maxLength: 60 }), async (arrivals) => {
        const { seq, delivered } = setup({ n: 30, gapMs: 1 });
        for (const s of arrivals) seq.offer(event(s));
        await seq.checkTail();
        seq.close();
        expect(delivered).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      }),
      { numRuns: 100 },
    );
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import {
  BadMessage,
  decodeAwareness,
  encodeAwareness,
  encodeSyncStep1,
  encodeUpdateMessage,
  parseClientMessage,
} from '../../src/collab/protocol.js';
import { Debouncer, Mutex } from '../../src/lib/async.js';
import { waitFor } from '../helpers/wait.js';

describe('parseClientMessage', () => {
  it('reads sync step 1, updates, awareness and awareness queries', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x');
    const step1 = parseClientMessage(encodeSyncStep1(doc));
    expect(step1.kind).toBe('step1');
    const update = Y.encodeStateAsUpdate(doc);
    expect(parseClientMessage(encodeUpdateMessage(update))).toEqual({ kind: 'update', update });
    expect(parseClientMessage(new Uint8Array([3]))).toEqual({ kind: 'queryAwareness' });
    const aw = encodeAwareness([{ clientId: 5, clock: 1, state: { a: 1 } }]);
    expect(parseClientMessage(new Uint8Array([1, aw.length, ...aw])).kind).toBe('awareness');
  });

  it('throws BadMessage on unknown types and truncated frames', () => {
    for (const frame of [[], [9], [2, 0], [0, 7, 0], [0, 2, 10, 1], [0, 0, 3, 255, 255, 255]]) {
      expect(() => parseClientMessage(new Uint8Array(frame)), JSON.stringify(frame)).toThrow(BadMessage);
    }
  });
});

describe('decodeAwareness', () => {
  it('round-trips entries and refuses non-object states and too many entries', () => {
    const entries = [
      { clientId: 1, clock: 2, state: { user: 'x' } },
      { clientId: 3, clock: 4, state: null },
    ];
    expect(decodeAwareness(encodeAwareness(entries), 10)).toEqual(entries);
    expect(() => decodeAwareness(encodeAwareness(entries), 1)).toThrow(BadMessage);
    const bad = encodeAwareness([{ clientId: 1, clock: 1, state: [1] as unknown as Record<string, unknown> }]);
    expect(() => decodeAwareness(bad, 10)).toThrow(BadMessage);
  });
});

describe('Debouncer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once after the last trigger, but no later than the ceiling', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = new Debouncer(fn, 100, 250);
    d.trigger();
    vi.advanceTimersByTime(80);
    d.trigger();
    vi.advanceTimersByTime(80);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30);
    expect(fn).toHaveBeenCalledTimes(1);
    // A steady stream of triggers still fires at the ceiling.
    for (let t = 0; t < 300; t += 50) {
      d.trigger();
      vi.advanceTimersByTime(50);
    }
    expect(fn).toHaveBeenCalledTimes(2);
    d.trigger();
    d.flush();
    expect(fn).toHaveBeenCalledTimes(3);
    expect(d.pending).toBe(false);
  });
});

describe('Mutex', () => {
  it('runs tasks one at a time in order, even when one fails', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await Promise.resolve();
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
      };
    const a = m.run(task('a'));
    const b = m.run(task('b', true));
    const c = m.run(task('c'));
    expect(m.busy).toBe(true);
    await a;
    await expect(b).rejects.toThrow('b');
    await c;
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    await waitFor(() => !m.busy, { what: 'lock to be free' });
  });
});

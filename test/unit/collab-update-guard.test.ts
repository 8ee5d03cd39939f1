import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateGuard } from '../../src/collab/update-guard.js';
import { createLogger } from '../../src/lib/logger.js';
import { registerCleanup } from '../helpers/teardown.js';

const log = createLogger('silent');

function guard(opts: Partial<ConstructorParameters<typeof UpdateGuard>[1]> = {}) {
  const g = new UpdateGuard(log, { deadlineMs: 1000, maxHeapMb: 32, ...opts });
  registerCleanup(() => g.close());
  return g;
}

/**
 * A worker that hangs on updates starting with 7 and answers ok otherwise (stands in for
 * yjs#687). It takes `startMs` of busy work before it is ready, like a worker loading yjs on a
 * loaded machine.
 */
const hanging = (startMs = 0) => `
const { parentPort } = require('node:worker_threads');
const until = Date.now() + ${startMs};
while (Date.now() < until) {}
parentPort.on('message', ({ id, updates }) => {
  if (updates.some((u) => u[0] === 7)) for (;;) {}
  parentPort.postMessage({ id, ok: updates.map(() => true) });
});
parentPort.postMessage({ ready: true });`;

/** A worker whose decoding balloons past its heap limit. */
const BLOATING = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => {
  const hoard = [];
  for (;;) hoard.push(new Array(1e6).fill(Math.random()));
});
parentPort.postMessage({ ready: true });`;

describe('UpdateGuard', () => {
  it('accepts real updates and refuses garbage', async () => {
    const g = guard();
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    expect(await g.check(Y.encodeStateAsUpdate(doc))).toBe('ok');
    expect(await g.check(new Uint8Array([1, 2, 3, 4, 5]))).toBe('invalid');
    expect(await g.check(new Uint8Array([]))).toBe('invalid');
    // Answers stay in order when many are queued.
    const verdicts = await Promise.all([
      g.check(Y.encodeStateAsUpdate(doc)),
      g.check(new Uint8Array([9])),
      g.check(Y.encodeStateAsUpdate(doc)),
    ]);
    expect(verdicts).toEqual(['ok', 'invalid', 'ok']);
  });

  it('kills a worker that runs past the deadline and keeps serving', async () => {
    const g = guard({ deadlineMs: 200, workerSource: hanging() });
    const started = Date.now();
    const [slow, next] = await Promise.all([g.check(new Uint8Array([7])), g.check(new Uint8Array([1]))]);
    expect(slow).toBe('timeout');
    expect(next).toBe('ok');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await g.check(new Uint8Array([2]))).toBe('ok');
  });

  it('starts the deadline when the restarted worker is ready: a slow restart refuses no legitimate update', async () => {
    // The restart takes longer than the deadline (a busy machine): the next update must not pay for it.
    const g = guard({ deadlineMs: 200, workerSource: hanging(500) });
    const [slow, next] = await Promise.all([g.check(new Uint8Array([7])), g.check(new Uint8Array([1]))]);
    expect(slow).toBe('timeout');
    expect(next).toBe('ok');
    expect(await g.check(new Uint8Array([2]))).toBe('ok');
  });

  it('checks a batch in one message; a batch with a hanging update refuses only that one', async () => {
    const g = guard({ deadlineMs: 200, workerSource: hanging() });
    expect(await g.checkAll([new Uint8Array([1]), new Uint8Array([2])])).toEqual(['ok', 'ok']);
    const verdicts = await g.checkAll([new Uint8Array([1]), new Uint8Array([7]), new Uint8Array([3])]);
    expect(verdicts).toEqual(['ok', 'timeout', 'ok']);
    // The real worker: garbage in a batch is refused alone.
    const real = guard();
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const good = Y.encodeStateAsUpdate(doc);
    expect(await real.checkAll([good, new Uint8Array([1, 2, 3]), good])).toEqual(['ok', 'invalid', 'ok']);
  });

  it('survives a worker that runs out of memory', async () => {
    const g = guard({ deadlineMs: 10_000, maxHeapMb: 16, workerSource: BLOATING });
    expect(await g.check(new Uint8Array([1]))).toBe('invalid');
  });
});

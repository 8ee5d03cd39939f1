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

/** A worker that hangs on updates starting with 7 and answers ok otherwise (stands in for yjs#687). */
const HANGING = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ id, update }) => {
  if (update[0] === 7) for (;;) {}
  parentPort.postMessage({ id, ok: true });
});`;

/** A worker whose decoding balloons past its heap limit. */
const BLOATING = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => {
  const hoard = [];
  for (;;) hoard.push(new Array(1e6).fill(Math.random()));
});`;

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
    const g = guard({ deadlineMs: 200, workerSource: HANGING });
    const started = Date.now();
    const [slow, next] = await Promise.all([g.check(new Uint8Array([7])), g.check(new Uint8Array([1]))]);
    expect(slow).toBe('timeout');
    expect(next).toBe('ok');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await g.check(new Uint8Array([2]))).toBe('ok');
  });

  it('survives a worker that runs out of memory', async () => {
    const g = guard({ deadlineMs: 10_000, maxHeapMb: 16, workerSource: BLOATING });
    expect(await g.check(new Uint8Array([1]))).toBe('invalid');
  });
});

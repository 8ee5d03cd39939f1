import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../lib/logger.js';

export type Verdict = 'ok' | 'invalid' | 'timeout';

export interface UpdateGuardOptions {
  /** How long one update may take to decode before the worker is killed. */
  deadlineMs: number;
  /** Heap cap of the worker: a decoder that balloons dies instead of the server. */
  maxHeapMb: number;
  /** Worker code (tests swap in a misbehaving one); the default checks with yjs. */
  workerSource?: string;
}

export const UPDATE_GUARD_DEFAULTS: UpdateGuardOptions = { deadlineMs: 1000, maxHeapMb: 64 };

/*
 * The worker decodes and integrates the update into an empty doc. It is plain CommonJS given
 * as a string so it runs the same under tsx, vitest and a compiled build; it loads its own
 * copy of yjs, which is safe because a worker is a separate isolate.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Y = require(workerData.yjsPath);
parentPort.on('message', ({ id, update }) => {
  let ok = true;
  try {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, update);
    doc.destroy();
  } catch {
    ok = false;
  }
  parentPort.postMessage({ id, ok });
});
`;

interface Job {
  id: number;
  update: Uint8Array;
  resolve: (v: Verdict) => void;
}

/**
 * Checks untrusted Yjs updates off the main thread, one at a time, with a deadline and memory
 * limits: a crafted update that hangs or bloats the decoder (yjs#687) costs a worker restart,
 * not the process. Integration against the live doc is still checked on a throwaway copy.
 */
export class UpdateGuard {
  private worker: Worker | null = null;
  private readonly queue: Job[] = [];
  private current: Job | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;
  private readonly yjsPath = createRequire(import.meta.url).resolve('yjs');

  constructor(
    private readonly log: Logger,
    private readonly opts: UpdateGuardOptions = UPDATE_GUARD_DEFAULTS,
  ) {}

  /** Starts the worker ahead of the first update, so that one does not pay for the start. */
  warm(): void {
    if (!this.closed) this.ensureWorker();
  }

  check(update: Uint8Array): Promise<Verdict> {
    if (this.closed) return Promise.resolve('invalid');
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, update, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve('invalid');
    this.finish('invalid');
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.timer = setTimeout(() => {
      this.log.warn({ deadlineMs: this.opts.deadlineMs }, 'update check ran past its deadline; restarting the worker');
      this.restart();
      this.finish('timeout');
    }, this.opts.deadlineMs);
    // slice(): post only these bytes, not the whole socket buffer the view points into.
    this.ensureWorker().postMessage({ id: job.id, update: job.update.slice() });
  }

  private finish(verdict: Verdict): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const job = this.current;
    this.current = null;
    job?.resolve(verdict);
    this.pump();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.opts.workerSource ?? WORKER_SOURCE, {
      eval: true,
      workerData: { yjsPath: this.yjsPath },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (msg: { id: number; ok: boolean }) => {
      if (worker !== this.worker || msg.id !== this.current?.id) return;
      this.finish(msg.ok ? 'ok' : 'invalid');
    });
    worker.on('error', (err) => {
      if (worker !== this.worker) return;
      // Out of memory (resourceLimits) or a crash: the update in hand is the suspect.
      this.log.warn({ err }, 'update check worker failed; restarting it');
      this.worker = null;
      this.finish('invalid');
    });
    worker.on('exit', () => {
      if (worker === this.worker) {
        this.worker = null;
        this.finish('invalid');
      }
    });
    this.worker = worker;
    return worker;
  }

  private restart(): void {
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
  }
}

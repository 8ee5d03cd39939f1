import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../lib/logger.js';
import {
  CHECK_UPDATE_SOURCE,
  checkWorkerLimits,
  UPDATE_CHECK_LIMITS,
  type UpdateCheckLimits,
  type UpdateVerdict,
} from '../lib/yjs-update-check.js';

export type Verdict = UpdateVerdict;

export interface UpdateGuardOptions extends UpdateCheckLimits {
  /**
   * Worker code (tests swap in a misbehaving one); the default checks with yjs. It posts
   * `{ ready: true }` once it listens, then answers `{ id, updates }` with `{ id, ok: boolean[] }`.
   */
  workerSource?: string;
  /** How long a (re)started worker may take to be ready before its first job is given up. */
  startTimeoutMs?: number;
}

export const UPDATE_GUARD_DEFAULTS: UpdateGuardOptions = UPDATE_CHECK_LIMITS;
const START_TIMEOUT_MS = 15_000;

/*
 * The worker decodes and integrates each update into an empty doc. It is plain CommonJS given
 * as a string so it runs the same under tsx, vitest and a compiled build; it loads its own
 * copy of yjs, which is safe because a worker is a separate isolate.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Y = require(workerData.yjsPath);
${CHECK_UPDATE_SOURCE}
parentPort.on('message', ({ id, updates }) => {
  parentPort.postMessage({ id, ok: updates.map((update) => checkUpdate(Y, update)) });
});
parentPort.postMessage({ ready: true });
`;

interface Job {
  id: number;
  updates: Uint8Array[];
  /** Checked alone: its timeout is its own verdict (a batch that times out is split instead). */
  solo: boolean;
  resolve: (v: Verdict[]) => void;
}

type WorkerMessage = { ready: true } | { id: number; ok: boolean[] };

/**
 * Checks untrusted Yjs updates off the main thread, one batch at a time, with a deadline and
 * memory limits: a crafted update that hangs or bloats the decoder (yjs#687) costs a worker
 * restart, not the process. The deadline runs from the moment a ready worker has the job, so a
 * restart (after a hostile update killed the worker) never eats the next update's time. A batch
 * that runs past it is split and its updates checked one by one, so only the culprit is refused.
 */
export class UpdateGuard {
  private worker: Worker | null = null;
  private ready = false;
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
    return this.checkAll([update]).then((v) => v[0] ?? 'invalid');
  }

  /** One verdict per update, in order; the updates travel to the worker in one message. */
  checkAll(updates: Uint8Array[]): Promise<Verdict[]> {
    if (this.closed) return Promise.resolve(updates.map(() => 'invalid' as const));
    if (updates.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, updates, solo: updates.length === 1, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.resolve(job.updates.map(() => 'invalid'));
    this.finish(null);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.ensureWorker();
    if (this.ready) this.dispatch(job);
    else this.startTimer(this.opts.startTimeoutMs ?? START_TIMEOUT_MS, 'start');
  }

  /** Hands the job to the ready worker and starts its deadline. */
  private dispatch(job: Job): void {
    this.startTimer(this.opts.deadlineMs, 'deadline');
    // slice(): post only these bytes, not the whole socket buffer each view points into; the
    // copies are moved to the worker, not copied again.
    const updates = job.updates.map((u) => u.slice());
    this.worker?.postMessage(
      { id: job.id, updates },
      updates.map((u) => u.buffer),
    );
  }

  private startTimer(ms: number, what: 'deadline' | 'start'): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.log.warn({ ms, what }, 'update check ran past its time; restarting the worker');
      this.restart();
      this.onTimeout();
    }, ms);
  }

  private onTimeout(): void {
    const job = this.current;
    if (job && !job.solo) this.split(job);
    else this.finish(job ? job.updates.map(() => 'timeout') : null);
  }

  /**
   * Which update of a batch hung or killed the worker is unknown: each is checked alone, ahead
   * of everything else and in order, and the batch resolves with their verdicts.
   */
  private split(job: Job): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = null;
    const solos = job.updates.map((update) => {
      let resolve!: (v: Verdict) => void;
      const verdict = new Promise<Verdict>((r) => {
        resolve = r;
      });
      const solo: Job = {
        id: this.nextId++,
        updates: [update],
        solo: true,
        resolve: (v) => resolve(v[0] ?? 'invalid'),
      };
      return { solo, verdict };
    });
    this.queue.unshift(...solos.map((x) => x.solo));
    void Promise.all(solos.map((x) => x.verdict)).then(job.resolve);
    this.pump();
  }

  private finish(verdicts: Verdict[] | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const job = this.current;
    this.current = null;
    if (job) job.resolve(verdicts ?? job.updates.map(() => 'invalid'));
    this.pump();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.opts.workerSource ?? WORKER_SOURCE, {
      eval: true,
      workerData: { yjsPath: this.yjsPath },
      resourceLimits: checkWorkerLimits(this.opts.maxHeapMb),
    });
    worker.unref();
    this.ready = false;
    worker.on('message', (msg: WorkerMessage) => {
      if (worker !== this.worker) return;
      if ('ready' in msg) {
        this.ready = true;
        if (this.current) this.dispatch(this.current);
        return;
      }
      if (msg.id !== this.current?.id) return;
      this.finish(this.current.updates.map((_, i) => (msg.ok[i] ? 'ok' : 'invalid')));
    });
    worker.on('error', (err) => {
      if (worker !== this.worker) return;
      // Out of memory (resourceLimits) or a crash: the job in hand is the suspect.
      this.log.warn({ err }, 'update check worker failed; restarting it');
      this.worker = null;
      this.finishFailed();
    });
    worker.on('exit', () => {
      if (worker === this.worker) {
        this.worker = null;
        this.finishFailed();
      }
    });
    this.worker = worker;
    return worker;
  }

  /** The worker died with a job in hand: a batch is split, a single update is invalid. */
  private finishFailed(): void {
    const job = this.current;
    if (job && !job.solo) this.split(job);
    else this.finish(null);
  }

  private restart(): void {
    const w = this.worker;
    this.worker = null;
    this.ready = false;
    void w?.terminate();
  }
}

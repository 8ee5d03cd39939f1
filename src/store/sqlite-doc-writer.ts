import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DomainError, notFound } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';
import { CHECK_UPDATE_SOURCE, checkWorkerLimits, type UpdateCheckLimits } from '../lib/yjs-update-check.js';
import type { CheckedAppend } from './types.js';

export interface SqliteDocWriterOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
  log: Logger;
  /** Given: the writer also checks untrusted updates (appendChecked), under these limits. */
  check?: UpdateCheckLimits & {
    /** Replaces the check (tests: a check that hangs or bloats); defines `checkUpdate(Y, update)`. */
    source?: string;
  };
}

/*
 * The worker owns a second connection on the same file and writes only co-editing rows. Jobs
 * that arrive while it is inside a commit queue up in its port; the next turn writes all of them
 * in one transaction (one fsync: a group commit), each job in a savepoint of its own (when
 * there are several) so a missing blog, found by the foreign key, fails that job alone. Each
 * job is answered after COMMIT returned. A job marked `check` holds untrusted updates: each is
 * first checked (src/lib/yjs-update-check.ts), before the transaction opens, so a check the
 * main thread kills for running past its deadline holds no lock and has written nothing; only
 * the updates that pass are written. The update being checked is announced in `watch` (shared
 * memory: [job id, start time]) for that deadline.
 * Plain CommonJS as a string so it runs the same under tsx, vitest and a compiled build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const Y = workerData.yjsPath ? require(workerData.yjsPath) : null;
const watch = workerData.watch ? new Float64Array(workerData.watch) : null;
CHECK_SOURCE
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('foreign_keys = ON');
const CHUNKS = [64, 16, 4, 1];
const inserts = new Map();
const insert = (n) => {
  let s = inserts.get(n);
  if (!s) {
    s = db.prepare('INSERT INTO doc_updates (blog_id, data) VALUES ' + Array(n).fill('(?, ?)').join(', ') + ' RETURNING id');
    inserts.set(n, s);
  }
  return s;
};
// Prepared once: exec() would compile each of these again at every commit.
const tx = {
  begin: db.prepare('BEGIN IMMEDIATE'),
  commit: db.prepare('COMMIT'),
  rollback: db.prepare('ROLLBACK'),
  save: db.prepare('SAVEPOINT job'),
  release: db.prepare('RELEASE job'),
  undo: db.prepare('ROLLBACK TO job'),
};
const queue = [];
let scheduled = false;
const toBuffer = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
function check(job) {
  // Start time first, id last (and cleared first): a reader never pairs an id with a later job's time.
  watch[1] = Date.now();
  watch[0] = job.id;
  job.ok = job.updates.map((u) => checkUpdate(Y, u));
  watch[0] = 0;
  job.updates = job.updates.filter((_, i) => job.ok[i]);
}
// A missing blog fails the job's first insert (the foreign key), before any row of it is written.
const missingBlog = (err) => err && err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
function writeJob(job) {
  const ids = [];
  let at = 0;
  while (at < job.updates.length) {
    const n = CHUNKS.find((c) => c <= job.updates.length - at) || 1;
    const params = [];
    for (let i = 0; i < n; i++) params.push(job.blogId, toBuffer(job.updates[at + i]));
    const rows = insert(n).all(...params);
    for (const r of rows.sort((a, b) => a.id - b.id)) ids.push(r.id);
    at += n;
  }
  return { id: job.id, ids, ok: job.ok };
}
function flush() {
  scheduled = false;
  const jobs = queue.splice(0);
  if (jobs.length === 0) return;
  for (const job of jobs) if (job.check) check(job);
  const results = [];
  // One job (the usual case) needs no savepoint: if it fails, nothing else is in the transaction.
  const alone = jobs.length === 1;
  // One job that is one INSERT (one keystroke, usually) needs no BEGIN/COMMIT either: the
  // statement is its own transaction, committed (with its fsync) before it returns, and it
  // takes the write lock as BEGIN IMMEDIATE does. That is two statements fewer per update.
  const single = alone && CHUNKS.includes(jobs[0].updates.length);
  try {
    if (!single) tx.begin.run();
    for (const job of jobs) {
      if (!alone) tx.save.run();
      try {
        results.push(writeJob(job));
        if (!alone) tx.release.run();
      } catch (err) {
        if (!alone) {
          tx.undo.run();
          tx.release.run();
        } else if (!missingBlog(err)) throw err;
        results.push({ id: job.id, error: { code: missingBlog(err) ? 'not_found' : String(err && err.code), message: String(err && err.message) } });
      }
    }
    if (!single) tx.commit.run();
  } catch (err) {
    if (db.inTransaction) tx.rollback.run();
    const error = { code: String(err && err.code), message: String(err && err.message) };
    for (const job of jobs) parentPort.postMessage({ id: job.id, error });
    return;
  }
  for (const r of results) parentPort.postMessage(r);
}
parentPort.on('message', (job) => {
  if (job.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  queue.push(job);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
`;

interface Job {
  id: number;
  blogId: string;
  updates: readonly Uint8Array[];
  /** Untrusted: checked on the worker before it is written. */
  check: boolean;
  resolve: (r: { ids: number[]; ok?: boolean[] }) => void;
  reject: (err: unknown) => void;
}

type Reply =
  | { id: number; ids: number[]; ok?: boolean[] }
  | { id: number; error: { code: string; message?: string } }
  | { closed: true };

/**
 * Appends co-editing rows on a worker thread, so the commit (and its fsync, with
 * synchronous=FULL) never holds the event loop, and updates that arrive while one commit is on
 * the disk share the next one. A call resolves only after its rows are committed; when the
 * worker dies, what it held is refused (the caller retries) and the next call starts a new one.
 * Other writes stay on the main connection; the two take turns through SQLite's write lock.
 *
 * With `check` limits it also takes untrusted updates (`appendChecked`): checked on the worker,
 * then written, in one round trip instead of a trip to the update guard and another here. The
 * worker then runs under the guard's heap cap, and a check that runs past the deadline (or
 * kills the worker) costs a restart: the other jobs it held are sent again to the new one (a
 * killed check has written nothing), and the culprit's updates are checked one by one, so only
 * the one that hangs or bloats is refused.
 */
export class SqliteDocWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Job>();
  private nextId = 1;
  private closed = false;
  /** close() waiting for the rows in flight. */
  private readonly drained: (() => void)[] = [];
  private readonly sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
  private readonly yjsPath = createRequire(import.meta.url).resolve('yjs');
  /** [id of the job being checked, or 0; when its check started]: written by the worker. */
  private watch: Float64Array | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SqliteDocWriterOptions) {}

  /** Starts the worker (after migrations), so the first update does not pay for it. */
  warm(): void {
    if (!this.closed) this.ensureWorker();
  }

  append(blogId: string, updates: readonly Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return Promise.resolve([]);
    return this.submit(blogId, updates, false).then((r) => r.ids);
  }

  /** Checks untrusted updates on the worker and appends the ones that pass (needs `check` limits). */
  async appendChecked(blogId: string, updates: readonly Uint8Array[]): Promise<CheckedAppend[]> {
    if (!this.opts.check) throw new Error('SqliteDocWriter: appendChecked needs check limits');
    if (updates.length === 0) return [];
    const { ids, ok } = await this.submit(blogId, updates, true);
    let next = 0;
    return updates.map((_, i) => {
      if (ok?.[i] !== true) return { verdict: ok?.[i] === false ? 'invalid' : 'timeout' };
      return { verdict: 'ok', rowId: ids[next++] ?? 0 };
    });
  }

  /** Waits for the rows in flight, then closes the worker's connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.size > 0) await new Promise<void>((r) => this.drained.push(r));
    this.stopWatchdog();
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.on('message', (m: Reply) => {
        if ('closed' in m) void w.terminate();
      });
      w.postMessage({ close: true });
    });
  }

  private submit(blogId: string, updates: readonly Uint8Array[], check: boolean) {
    if (this.closed) return Promise.reject(new DomainError('unavailable', 'store is closed'));
    return new Promise<{ ids: number[]; ok?: boolean[] }>((resolve, reject) => {
      this.post({ id: this.nextId++, blogId, updates, check, resolve, reject });
    });
  }

  private post(job: Job): void {
    const worker = this.ensureWorker();
    this.pending.set(job.id, job);
    // slice(): post only these bytes, not the whole socket buffer each view points into (a
    // view is cloned with all of its ArrayBuffer); the copies are moved, not copied again. The
    // job keeps the originals, to post again after a restart.
    const updates = job.updates.map((u) => u.slice());
    worker.postMessage(
      { id: job.id, blogId: job.blogId, updates, check: job.check },
      updates.map((u) => u.buffer),
    );
    if (job.check) this.startWatchdog();
  }

  private settle(): void {
    if (this.pending.size === 0) {
      this.stopWatchdog();
      for (const r of this.drained.splice(0)) r();
    }
  }

  /** While checks are in flight: kills the worker when one has run past the deadline. */
  private startWatchdog(): void {
    const limits = this.opts.check;
    if (this.watchdog || !limits) return;
    this.watchdog = setInterval(
      () => {
        const watch = this.watch;
        const jobId = watch?.[0] ?? 0;
        const since = watch?.[1] ?? 0;
        if (jobId === 0 || Date.now() - since <= limits.deadlineMs) return;
        this.opts.log.warn({ ms: limits.deadlineMs }, 'update check ran past its time; restarting the doc writer');
        const w = this.worker;
        this.lost(w, jobId, 'timeout');
        void w?.terminate();
      },
      Math.max(10, Math.min(250, limits.deadlineMs / 4)),
    );
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const limits = this.opts.check;
    const watch = limits ? new Float64Array(new SharedArrayBuffer(16)) : null;
    const source = WORKER_SOURCE.replace('CHECK_SOURCE', () => limits?.source ?? CHECK_UPDATE_SOURCE);
    const worker = new Worker(source, {
      eval: true,
      workerData: {
        sqlitePath: this.sqlitePath,
        yjsPath: limits ? this.yjsPath : null,
        watch: watch?.buffer ?? null,
        file: this.opts.file,
        synchronous: this.opts.synchronous,
        busyTimeoutMs: this.opts.busyTimeoutMs ?? 5000,
      },
      ...(limits ? { resourceLimits: checkWorkerLimits(limits.maxHeapMb) } : {}),
    });
    worker.unref();
    worker.on('message', (m: Reply) => {
      if ('closed' in m || worker !== this.worker) return;
      const job = this.pending.get(m.id);
      if (!job) return;
      this.pending.delete(m.id);
      if ('ids' in m) job.resolve(m);
      else job.reject(replyError(m.error));
      this.settle();
    });
    worker.on('error', (err) => {
      if (worker === this.worker && !this.closed) this.opts.log.error({ err }, 'sqlite doc writer failed');
      // Out of memory (the heap cap) or a crash: the update being checked, if any, is the suspect.
      this.lost(worker, watch?.[0] ?? 0, 'invalid');
    });
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.closed) this.opts.log.error({ code }, 'sqlite doc writer stopped');
      this.lost(worker, watch?.[0] ?? 0, 'invalid');
    });
    this.worker = worker;
    this.watch = watch;
    return worker;
  }

  /**
   * The worker is gone. Without a culprit (no check was running), what it held is refused
   * (the caller retries). With one, the others go to a new worker (nothing of theirs was
   * written: the checks run before the transaction), and the culprit is split or refused.
   */
  private lost(worker: Worker | null, culpritId: number, verdict: 'invalid' | 'timeout'): void {
    if (!worker || worker !== this.worker) return;
    this.worker = null;
    this.watch = null;
    const jobs = [...this.pending.values()];
    this.pending.clear();
    const culprit = culpritId ? jobs.find((j) => j.id === culpritId) : undefined;
    if (!culprit || this.closed) {
      for (const job of jobs) job.reject(new DomainError('unavailable', 'database writer stopped, try again'));
      this.settle();
      return;
    }
    for (const job of jobs) if (job !== culprit) this.post(job);
    // (A check that ended in the instant between the watchdog's look and the kill may have
    // been written: then it stays stored, refused here, and its resend is a harmless repeat.)
    if (culprit.updates.length === 1) culprit.resolve({ ids: [], ok: verdict === 'invalid' ? [false] : undefined });
    else this.split(culprit);
    this.settle();
  }

  /** Checks each update of a batch that hung or killed the worker alone, in order. */
  private split(job: Job): void {
    const parts = job.updates.map(
      (update) =>
        new Promise<{ ids: number[]; ok?: boolean[] }>((resolve, reject) => {
          this.post({ id: this.nextId++, blogId: job.blogId, updates: [update], check: true, resolve, reject });
        }),
    );
    Promise.all(parts).then((results) => {
      job.resolve({
        ids: results.flatMap((r) => r.ids),
        // undefined: timed out (appendChecked reads a missing verdict as a timeout).
        ok: results.map((r) => r.ok?.[0]) as boolean[],
      });
    }, job.reject);
  }
}
function replyError(e: { code: string; message?: string }): DomainError {
  if (e.code === 'not_found') return notFound('blog');
  if (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED')) {
    return new DomainError('unavailable', 'database is busy, try again');
  }
  return new DomainError(
    'unavailable',
    `doc update could not be written (${e.code}${e.message ? `: ${e.message}` : ''})`,
  );
}

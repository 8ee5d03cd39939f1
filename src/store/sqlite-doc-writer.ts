import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DomainError, notFound } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';

export interface SqliteDocWriterOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
  log: Logger;
}

/*
 * The worker owns a second connection on the same file and writes only co-editing rows. Jobs
 * that arrive while it is inside a commit queue up in its port; the next turn writes all of them
 * in one transaction (one fsync: a group commit), each job in a savepoint of its own so a
 * missing blog fails that job alone. Each job is answered after COMMIT returned. Plain CommonJS
 * as a string so it runs the same under tsx, vitest and a compiled build.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
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
const blog = db.prepare('SELECT 1 AS ok FROM blogs WHERE id = ?');
const queue = [];
let scheduled = false;
const toBuffer = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
function writeJob(job) {
  if (!blog.get(job.blogId)) return { id: job.id, error: { code: 'not_found' } };
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
  return { id: job.id, ids };
}
function flush() {
  scheduled = false;
  const jobs = queue.splice(0);
  if (jobs.length === 0) return;
  const results = [];
  try {
    db.exec('BEGIN IMMEDIATE');
    for (const job of jobs) {
      db.exec('SAVEPOINT job');
      try {
        results.push(writeJob(job));
        db.exec('RELEASE job');
      } catch (err) {
        db.exec('ROLLBACK TO job');
        db.exec('RELEASE job');
        results.push({ id: job.id, error: { code: String(err && err.code), message: String(err && err.message) } });
      }
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
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

interface Pending {
  resolve: (ids: number[]) => void;
  reject: (err: unknown) => void;
}

type Reply =
  | { id: number; ids: number[] }
  | { id: number; error: { code: string; message?: string } }
  | { closed: true };

/**
 * Appends co-editing rows on a worker thread, so the commit (and its fsync, with
 * synchronous=FULL) never holds the event loop, and updates that arrive while one commit is on
 * the disk share the next one. A call resolves only after its rows are committed; when the
 * worker dies, what it held is refused (the caller retries) and the next call starts a new one.
 * Other writes stay on the main connection; the two take turns through SQLite's write lock.
 */
export class SqliteDocWriter {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** close() waiting for the rows in flight. */
  private readonly drained: (() => void)[] = [];
  private readonly sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(private readonly opts: SqliteDocWriterOptions) {}

  /** Starts the worker (after migrations), so the first update does not pay for it. */
  warm(): void {
    if (!this.closed) this.ensureWorker();
  }

  append(blogId: string, updates: readonly Uint8Array[]): Promise<number[]> {
    if (updates.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new DomainError('unavailable', 'store is closed'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, blogId, updates });
    });
  }

  /** Waits for the rows in flight, then closes the worker's connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pending.size > 0) await new Promise<void>((r) => this.drained.push(r));
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

  private settle(): void {
    if (this.pending.size === 0) for (const r of this.drained.splice(0)) r();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        sqlitePath: this.sqlitePath,
        file: this.opts.file,
        synchronous: this.opts.synchronous,
        busyTimeoutMs: this.opts.busyTimeoutMs ?? 5000,
      },
    });
    worker.unref();
    worker.on('message', (m: Reply) => {
      if ('closed' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('ids' in m) p.resolve(m.ids);
      else p.reject(replyError(m.error));
      this.settle();
    });
    const lost = (err: unknown) => {
      if (worker !== this.worker) return;
      this.worker = null;
      if (!this.closed) this.opts.log.error({ err }, 'sqlite doc writer stopped; rows in flight are refused');
      const failed = [...this.pending.values()];
      this.pending.clear();
      for (const p of failed) p.reject(new DomainError('unavailable', 'database writer stopped, try again'));
      this.settle();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exit ${code}`)));
    this.worker = worker;
    return worker;
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

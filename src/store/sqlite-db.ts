import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../lib/logger.js';
import { migrations, sqliteTypes } from './migrations/schema.js';
import type { Dialect, Sql, SqlDb, SqlParam } from './sql.js';
import { mapSqliteError } from './sqlite-errors.js';

export interface SqliteDbOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process holding the write lock. */
  busyTimeoutMs?: number;
  log: Logger;
}

type Bound = string | number | null | Buffer;

/** Booleans as 0/1 and bytes as Buffers: what better-sqlite3 binds. */
function bind(params: readonly SqlParam[] | undefined): Bound[] {
  if (!params) return [];
  return params.map((p) =>
    typeof p === 'boolean'
      ? p
        ? 1
        : 0
      : p instanceof Uint8Array && !Buffer.isBuffer(p)
        ? Buffer.from(p.buffer, p.byteOffset, p.byteLength)
        : (p as Bound),
  );
}

/** Rows per doc-update INSERT, largest first (each below SQLite's bound-parameter limit). */
const INSERT_CHUNKS = [64, 16, 4, 1];
const valuesCache = new Map<number, string>();
const insertValues = (n: number): string => {
  let v = valuesCache.get(n);
  if (!v) {
    v = Array.from({ length: n }, () => '(?, ?)').join(', ');
    valuesCache.set(n, v);
  }
  return v;
};

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  forUpdate: '',
  snapshotReads: true,
  jsonText: sqliteTypes.jsonText,
  throughIndex: (table, index) => `${table} INDEXED BY ${index}`,
  async lockDoc() {},
  async insertDocUpdates(tx, blogId, updates) {
    // A batch in few statements (multi-row VALUES); row counts from a fixed set of sizes, so a
    // handful of prepared statements serve every batch size.
    const ids: number[] = [];
    let at = 0;
    while (at < updates.length) {
      const n = INSERT_CHUNKS.find((c) => c <= updates.length - at) ?? 1;
      const params: SqlParam[] = [];
      for (let i = 0; i < n; i++) params.push(blogId, updates[at + i] as Uint8Array);
      const rows = await tx.all<{ id: number }>(
        `INSERT INTO doc_updates (blog_id, data) VALUES ${insertValues(n)} RETURNING id`,
        params,
      );
      // Ids are given in VALUES order; RETURNING's own order is not promised.
      for (const r of rows.sort((a, b) => a.id - b.id)) ids.push(r.id);
      at += n;
    }
    return ids;
  },
};

/**
 * Turns on one database file, shared by every connection this process opens on it. A second
 * connection's BEGIN IMMEDIATE would block the (only) thread in busy_timeout while the first
 * one's transaction waits for that same thread to resume: so in-process writers queue here,
 * and only other processes are left to SQLite's file lock.
 */
class FileQueue {
  private static readonly byFile = new Map<string, { queue: FileQueue; users: number }>();
  private static privates = 0;

  static open(file: string): FileQueue {
    // ':memory:' and '' are private to each connection: no sharing.
    const key = file === ':memory:' || file === '' ? `private#${++FileQueue.privates}` : resolve(file);
    let entry = FileQueue.byFile.get(key);
    if (!entry) {
      entry = { queue: new FileQueue(key), users: 0 };
      FileQueue.byFile.set(key, entry);
    }
    entry.users++;
    return entry.queue;
  }

  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private constructor(private readonly key: string) {}

  get idle(): boolean {
    return !this.busy;
  }

  async acquire(): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  /** Hands the turn to the next caller in line (it stays busy), or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  close(): void {
    const entry = FileQueue.byFile.get(this.key);
    if (entry && --entry.users === 0) FileQueue.byFile.delete(this.key);
  }
}

/**
 * The SQL seam on one better-sqlite3 connection. Statements run synchronously, so the async
 * face costs a resolved promise per call. One rule keeps transactions whole: while a
 * transaction is open (its fn may await), nothing else runs on the connection; other calls
 * queue in arrival order (with those of every other connection of this process on the same
 * file, see FileQueue) and run when it has committed or rolled back. Writes are
 * BEGIN IMMEDIATE: the write lock is taken before the first read, so two processes on one
 * file never both read the same seq and bump it.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = sqliteDialect;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly turns: FileQueue;
  private closed = false;

  /** Statements of an open transaction: they own the connection, so they never queue. */
  private readonly inTx: Sql = {
    all: async <R>(sql: string, params?: readonly SqlParam[]) => this.q(sql).all(...bind(params)) as R[],
    one: async <R>(sql: string, params?: readonly SqlParam[]) => this.q(sql).get(...bind(params)) as R | undefined,
    run: async (sql: string, params?: readonly SqlParam[]) => this.q(sql).run(...bind(params)).changes,
  };

  constructor(private readonly opts: SqliteDbOptions) {
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous}`);
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
    this.turns = FileQueue.open(opts.file);
  }

  /** Prepared once per SQL text. */
  private q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A statement outside any transaction: at once when the connection is free, else in line. */
  private async solo<T>(fn: () => T): Promise<T> {
    if (!this.turns.idle) {
      await this.turns.acquire();
      try {
        return fn();
      } catch (err) {
        throw mapSqliteError(err);
      } finally {
        this.turns.release();
      }
    }
    try {
      return fn();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  all<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
    return this.solo(() => this.q(sql).all(...bind(params)) as R[]);
  }

  one<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined> {
    return this.solo(() => this.q(sql).get(...bind(params)) as R | undefined);
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.solo(() => this.q(sql).run(...bind(params)).changes);
  }

  private async transaction<T>(begin: string, fn: (tx: Sql) => Promise<T>, what?: string): Promise<T> {
    await this.turns.acquire();
    try {
      this.q(begin).run();
      const result = await fn(this.inTx);
      this.q('COMMIT').run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.q('ROLLBACK').run();
      throw mapSqliteError(err, what);
    } finally {
      this.turns.release();
    }
  }

  write<T>(fn: (tx: Sql) => Promise<T>, what?: string): Promise<T> {
    return this.transaction('BEGIN IMMEDIATE', fn, what);
  }

  /** A deferred transaction: several SELECTs see one snapshot of the file. */
  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.transaction('BEGIN', fn);
  }

  async migrate(): Promise<void> {
    await this.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = await this.write(async (tx) => {
      const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations');
      const present = new Set(rows.map((r) => r.version));
      const now: number[] = [];
      for (const m of migrations) {
        if (present.has(m.version)) continue;
        this.db.exec(m.sql(sqliteTypes));
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        now.push(m.version);
      }
      return now;
    });
    if (applied.length > 0) this.opts.log.info({ applied, file: this.opts.file }, 'sqlite schema migrated');
  }

  async close(): Promise<void> {
    // Let a transaction in flight finish first: closing under it would lose its COMMIT.
    if (this.closed) return;
    this.closed = true;
    await this.turns.acquire();
    try {
      if (this.db.open) this.db.close();
    } finally {
      this.turns.release();
      this.turns.close();
    }
  }
}

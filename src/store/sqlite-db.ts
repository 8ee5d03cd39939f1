import Database from 'better-sqlite3';
import type { Logger } from '../lib/logger.js';
import { sqliteMigrations } from './migrations/sqlite.js';
import { mapSqliteError } from './sqlite-errors.js';

export interface SqliteDbOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process holding the write lock. */
  busyTimeoutMs?: number;
  log: Logger;
}

/**
 * The open file, its pragmas, a statement cache and the two kinds of transaction the
 * store uses. Writes are BEGIN IMMEDIATE: the write lock is taken before the first read,
 * so two processes on one file never both read the same seq and bump it.
 */
export class SqliteDb {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly opts: SqliteDbOptions) {
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous}`);
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    this.db.pragma('foreign_keys = ON');
  }

  /** Prepared once per SQL text. */
  q(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  write<T>(fn: () => T, what?: string): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw mapSqliteError(err, what);
    }
  }

  /** A deferred transaction: several SELECTs see one snapshot of the file. */
  read<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).deferred();
    } catch (err) {
      throw mapSqliteError(err);
    }
  }

  migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = this.write(() => {
      const rows = this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
      const present = new Set(rows.map((r) => r.version));
      const now: number[] = [];
      for (const m of sqliteMigrations) {
        if (present.has(m.version)) continue;
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
        now.push(m.version);
      }
      return now;
    });
    if (applied.length > 0) this.opts.log.info({ applied, file: this.opts.file }, 'sqlite schema migrated');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

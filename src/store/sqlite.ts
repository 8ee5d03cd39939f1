import { SqlStore } from './sql-store.js';
import { SqliteDb, type SqliteDbOptions } from './sqlite-db.js';

export type SqliteStoreOptions = SqliteDbOptions;

/**
 * The embedded store: the shared body (sql-store.ts) on one better-sqlite3 connection. Each
 * write is one BEGIN IMMEDIATE transaction that owns the connection until it commits (see
 * SqliteDb), so the seq a change reads and bumps is never shared with another writer, in
 * this process or another.
 */
export class SqliteStore extends SqlStore {
  constructor(opts: SqliteStoreOptions) {
    super(new SqliteDb(opts));
  }
}

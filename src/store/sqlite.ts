import type { UpdateCheckLimits } from '../lib/yjs-update-check.js';
import { SqlStore } from './sql-store.js';
import { SqliteDb, type SqliteDbOptions } from './sqlite-db.js';
import { SqliteDocWriter } from './sqlite-doc-writer.js';

export type SqliteStoreOptions = SqliteDbOptions & {
  /**
   * Co-editing rows written by a worker thread on a connection of its own (group commits off
   * the event loop). Default: on for a database file; an in-memory database has one connection.
   */
  docWriterThread?: boolean;
  /** Given (with the writer thread): untrusted updates are checked there too (checkAndAppendDocUpdates). */
  check?: UpdateCheckLimits;
};

/**
 * The embedded store: the shared body (sql-store.ts) on one better-sqlite3 connection. Each
 * write is one BEGIN IMMEDIATE transaction that owns the connection until it commits (see
 * SqliteDb), so the seq a change reads and bumps is never shared with another writer, in
 * this process or another. The co-editing hot path (appendDocUpdates) goes through
 * SqliteDocWriter on a worker thread, answering only after its COMMIT.
 */
export class SqliteStore extends SqlStore {
  private readonly docWriter: SqliteDocWriter | null;

  constructor(opts: SqliteStoreOptions) {
    super(new SqliteDb(opts));
    const inMemory = opts.file === ':memory:' || opts.file === '';
    this.docWriter = !inMemory && (opts.docWriterThread ?? true) ? new SqliteDocWriter(opts) : null;
    const writer = this.docWriter;
    if (writer) {
      const migrate = this.migrate;
      this.migrate = async () => {
        await migrate();
        writer.warm();
      };
      this.appendDocUpdates = (blogId, updates) => writer.append(blogId, updates);
      if (opts.check) this.checkAndAppendDocUpdates = (blogId, updates) => writer.appendChecked(blogId, updates);
      const close = this.close;
      this.close = async () => {
        await writer.close();
        await close();
      };
    }
  }
}

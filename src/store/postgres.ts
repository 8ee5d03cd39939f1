import { PgDb, type PgDbOptions } from './postgres-db.js';
import { SqlStore } from './sql-store.js';

export type PostgresStoreOptions = PgDbOptions;

/**
 * The shared store for several nodes: the shared body (sql-store.ts) on a pg.Pool. A blog's
 * seq is bumped with `UPDATE blogs SET seq = seq + 1 … RETURNING seq` inside the change's
 * transaction: the row lock makes writers of one blog take turns across nodes, so seqs stay
 * gap-free.
 */
export class PostgresStore extends SqlStore {
  constructor(opts: PostgresStoreOptions) {
    super(new PgDb(opts));
  }
}

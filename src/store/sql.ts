/**
 * The SQL seam under the one store body. Every Store method is written once (blogs.ts,
 * posts.ts, changes.ts, summary.ts, doc.ts, users.ts) against `SqlDb`; two adapters speak it:
 * `sqlite-db.ts` (better-sqlite3) and `postgres-db.ts` (pg).
 *
 * Writing SQL for it:
 * - `?` placeholders only; the PostgreSQL adapter numbers them ($1, $2 …). Never put a `?`
 *   inside a string literal.
 * - Parameters are strings, numbers, booleans, null or bytes (Uint8Array). Booleans become 0/1
 *   on SQLite and stay booleans on PostgreSQL; JSON goes in as `jsonParam(value)` (text, cast
 *   by the column to jsonb on PostgreSQL). Rows come back in the driver's shapes: map them with
 *   the helpers in rows.ts (`json`, `iso`, `bool`, `Number` for bigint ids), never by hand.
 * - Inside `write(fn)` / `read(fn)` use only the `tx` handed to fn: the SQLite adapter runs
 *   nothing else on its one connection until fn settles, so calling the outer `db` from inside
 *   would wait for itself.
 * - Portable SQL is the rule (RETURNING, ON CONFLICT … DO UPDATE, row values, subqueries in
 *   FROM all work on both). What truly differs lives in `Dialect`, nowhere else.
 *
 * Adding a table and a method (e.g. media):
 * 1. a migration in migrations/schema.ts, in your number range, using the type map `t`
 *    (`${t.id}`, `${t.json}`, `${t.time}`, `${t.bool}` …) so one text serves both databases;
 * 2. the method's signature (and its rules) in types.ts;
 * 3. a file beside the others (`media.ts`) exporting `function (db: SqlDb, …)`, written once;
 * 4. one line in sql-store.ts binding it; a case in test/contract/store.contract.ts.
 */

export type SqlParam = string | number | boolean | null | Uint8Array;

/** What a statement may run on: the database itself, or the transaction handed to fn. */
export interface Sql {
  all<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** The first row, or undefined. */
  one<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined>;
  /** Resolves with the number of rows changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

export interface SqlDb extends Sql {
  readonly dialect: Dialect;
  /**
   * One write transaction (SQLite: BEGIN IMMEDIATE, the file's write lock taken first;
   * PostgreSQL: READ COMMITTED, rows locked with `dialect.forUpdate`). Resolves only after
   * COMMIT; rolls back when fn throws. `what` names the row in conflict/not_found errors.
   */
  write<T>(fn: (tx: Sql) => Promise<T>, what?: string): Promise<T>;
  /** Several SELECTs on one snapshot of the database. */
  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** The few things the two databases do differently. */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Appended to a single-table SELECT inside `write` to lock its rows until COMMIT.
   * Empty on SQLite, where BEGIN IMMEDIATE already holds the only write lock.
   */
  readonly forUpdate: string;
  /**
   * True when a `read` transaction is cheap (SQLite: no round trip): then several small
   * statements in one `read` beat one compound statement. PostgreSQL prefers one statement.
   */
  readonly snapshotReads: boolean;
  /** SQL text reading `key` of the JSON object in `column` as text. */
  jsonText(column: string, key: string): string;
  /**
   * `table` in a statement that must go through `index`. SQLite, without statistics (we never
   * ANALYZE), prefers a WITHOUT ROWID table's primary key over a secondary index even when
   * the index matches more terms, so there it says `INDEXED BY` (and fails loudly if the
   * index is missing); PostgreSQL's planner needs no hint.
   */
  throughIndex(table: string, index: string): string;
  /**
   * Serialises doc writes of one blog so row ids commit in id order (a reader never sees
   * row N+1 without row N). A no-op on SQLite (one writer at a time anyway).
   */
  lockDoc(tx: Sql, blogId: string): Promise<void>;
  /** Inserts doc update rows in order; resolves with their ids, ascending. */
  insertDocUpdates(tx: Sql, blogId: string, updates: readonly Uint8Array[]): Promise<number[]>;
}

/** JSON columns are written as text; PostgreSQL casts it to jsonb by the column's type. */
export const jsonParam = (value: unknown): string => JSON.stringify(value);

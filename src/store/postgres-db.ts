import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { migrations, postgresTypes } from './migrations/schema.js';
import { isConnectionError, mapPgError } from './pg-errors.js';
import type { Dialect, Sql, SqlDb, SqlParam } from './sql.js';

export interface PgDbOptions {
  connectionString: string;
  log: Logger;
  /** Pool size per node. */
  max?: number;
  /** How long a request waits for a pooled connection before answering `unavailable`. */
  connectionTimeoutMs?: number;
}

/** Key of the session advisory lock that serialises migrations across nodes. */
const MIGRATE_LOCK = 727_274_001;

/** First half of the per-blog advisory lock that keeps doc row ids in commit order. */
const DOC_LOCK_CLASS = 727_274;

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** `?` placeholders numbered for PostgreSQL, once per SQL text. */
const numbered = new Map<string, string>();
export function numberPlaceholders(sql: string): string {
  let out = numbered.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size < 10_000) numbered.set(sql, out);
  }
  return out;
}

/** Bytes as Buffers (what pg sends as bytea); everything else as it is. */
const bind = (params: readonly SqlParam[] | undefined): unknown[] =>
  (params ?? []).map((p) =>
    p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p,
  );

/** The seam's three calls over anything that queries (the pool, or one client in a transaction). */
function sqlOver(q: <R extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<R>>): Sql {
  return {
    all: async <R>(sql: string, params?: readonly SqlParam[]) =>
      (await q<R & pg.QueryResultRow>(numberPlaceholders(sql), bind(params))).rows as R[],
    one: async <R>(sql: string, params?: readonly SqlParam[]) =>
      (await q<R & pg.QueryResultRow>(numberPlaceholders(sql), bind(params))).rows[0] as R | undefined,
    run: async (sql: string, params?: readonly SqlParam[]) =>
      (await q(numberPlaceholders(sql), bind(params))).rowCount ?? 0,
  };
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  forUpdate: ' FOR UPDATE',
  snapshotReads: false,
  jsonText: postgresTypes.jsonText,
  throughIndex: (table) => table,
  async lockDoc(tx, blogId) {
    await tx.one('SELECT pg_advisory_xact_lock(?, hashtext(?))', [DOC_LOCK_CLASS, blogId]);
  },
  async insertDocUpdates(tx, blogId, updates) {
    // One statement for the whole batch; pg sends the array of Buffers as bytea[].
    const data = updates.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)) as unknown as SqlParam;
    const rows = await tx.all<{ id: string }>(
      'INSERT INTO doc_updates (blog_id, data) SELECT ?, d FROM unnest(?::bytea[]) WITH ORDINALITY AS u(d, n) ORDER BY n RETURNING id',
      [blogId, data],
    );
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  },
};

/**
 * The SQL seam on a pg.Pool, and its failure handling: every error leaves here as a
 * DomainError where it has a meaning (unavailable, conflict, not_found), and a PostgreSQL
 * restart costs the requests in flight, never the process.
 */
export class PgDb implements SqlDb {
  readonly dialect = postgresDialect;
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly direct: Sql;

  constructor(opts: PgDbOptions) {
    this.log = opts.log;
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      // A peer that vanished without closing (partition) is noticed by TCP keepalive, and no
      // statement (lock waits included) may hold a request longer than this: it answers 503.
      keepAlive: true,
      statement_timeout: 20_000,
    });
    // An idle client losing its connection (PostgreSQL restart) emits here; without a
    // listener the process would crash. The pool drops that client and makes new ones.
    this.pool.on('error', (err) => this.log.warn({ err: err.message }, 'postgres idle connection lost'));
    this.direct = sqlOver(async (text, values) => {
      try {
        return await this.pool.query(text, values);
      } catch (err) {
        throw mapPgError(err);
      }
    });
  }

  all<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
    return this.direct.all<R>(sql, params);
  }

  one<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined> {
    return this.direct.one<R>(sql, params);
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  write<T>(fn: (tx: Sql) => Promise<T>, what?: string): Promise<T> {
    return this.tx((c) => fn(sqlOver((text, values) => c.query(text, values))), what);
  }

  /** REPEATABLE READ: every statement of fn sees the snapshot taken by its first one. */
  read<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    return this.tx(
      (c) => fn(sqlOver((text, values) => c.query(text, values))),
      undefined,
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  /**
   * A pooled connection for a multi-statement job. While checked out, the pool's own error
   * listener is off: a connection lost between two statements would otherwise be an
   * unhandled 'error' event (a crash). The failing statement reports it instead.
   */
  private async checkout(what?: string): Promise<{ client: pg.PoolClient; release: (broken?: Error) => void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw mapPgError(err, what);
    }
    const onError = (err: Error) => this.log.warn({ err: err.message }, 'postgres connection lost while in use');
    client.on('error', onError);
    return {
      client,
      release: (broken) => {
        client.off('error', onError);
        client.release(broken);
      },
    };
  }

  /** Runs fn in one transaction on one pooled connection; a broken connection is discarded. */
  private async tx<T>(fn: (c: Queryable) => Promise<T>, what?: string, begin = 'BEGIN'): Promise<T> {
    const { client, release } = await this.checkout(what);
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionError(err)) broken = err as Error;
      else
        await client.query('ROLLBACK').catch((e: Error) => {
          broken = e;
        });
      throw mapPgError(err, what);
    } finally {
      release(broken);
    }
  }

  /** Applies missing migrations. Several nodes may start at once: one migrates, the others wait. */
  async migrate(): Promise<void> {
    const { client, release } = await this.checkout();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK]);
      try {
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows;
        const present = new Set(rows.map((r) => r.version));
        const applied: number[] = [];
        for (const m of migrations) {
          if (present.has(m.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql(postgresTypes));
            await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
          applied.push(m.version);
        }
        if (applied.length > 0) this.log.info({ applied }, 'postgres schema migrated');
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]);
      }
    } catch (err) {
      if (isConnectionError(err)) broken = err as Error;
      throw mapPgError(err);
    } finally {
      release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

import pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { postgresMigrations } from './migrations/postgres.js';
import { isConnectionError, mapPgError } from './pg-errors.js';

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

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * The pool and its failure handling, kept apart from the store's SQL: every error leaves
 * here as a DomainError where it has a meaning (unavailable, conflict, not_found), and a
 * PostgreSQL restart costs the requests in flight, never the process.
 */
export class PgDb {
  private readonly pool: pg.Pool;
  private readonly log: Logger;

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
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], what?: string): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, what);
    }
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
  async tx<T>(fn: (c: Queryable) => Promise<T>, what?: string, begin = 'BEGIN'): Promise<T> {
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
        for (const m of postgresMigrations) {
          if (present.has(m.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql);
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

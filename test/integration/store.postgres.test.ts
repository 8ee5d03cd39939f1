import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/domain/index.js';
import { newId } from '../../src/lib/ids.js';
import { createLogger } from '../../src/lib/logger.js';
import { createStore } from '../../src/store/index.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { runStoreContract } from '../contract/store.contract.js';
import { freePort, freshPostgresDatabase } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const log = createLogger('silent');
// Fails (does not skip) when PostgreSQL is missing: the database is created at import time.
const url = await freshPostgresDatabase();

runStoreContract('postgres', async () => new PostgresStore({ connectionString: url, log }));

describe('PostgreSQL store specifics', () => {
  it('createStore picks PostgreSQL when DATABASE_URL is set; several nodes migrate at once', async () => {
    const config = loadConfig({ DATABASE_URL: url });
    const stores = await Promise.all([1, 2, 3].map(() => createStore(config, log)));
    try {
      expect(stores.map((s) => s.kind)).toEqual(['postgres', 'postgres', 'postgres']);
      await Promise.all(stores.map((s) => s.migrate()));
      await Promise.all(stores.map((s) => s.ping()));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('answers unavailable (not a crash) when the database cannot be reached', async () => {
    const port = await freePort();
    const store = new PostgresStore({
      connectionString: `postgres://postgres@127.0.0.1:${port}/nowhere`,
      log,
      connectionTimeoutMs: 1000,
    });
    try {
      for (const call of [
        () => store.ping(),
        () => store.getBlog('x'),
        () => store.migrate(),
        () => store.loadDoc('x'),
      ]) {
        const err = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).code).toBe('unavailable');
      }
    } finally {
      await store.close();
    }
  });

  it('turns killed connections (a PostgreSQL restart) into unavailable, then recovers by itself', async () => {
    const store = new PostgresStore({ connectionString: url, log, connectionTimeoutMs: 2000 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await store.migrate();
      const now = new Date().toISOString();
      const blogId = newId();
      await store.createBlog(
        { id: blogId, slug: `r-${blogId}`, title: 't', description: '', status: 'live', allowedOrigins: [] },
        now,
      );
      const post = () => ({
        id: newId(),
        blogId,
        createdAt: now,
        updatedAt: now,
        author: { id: 'a', name: 'A' },
        status: 'published' as const,
        pinned: false,
        keyEvent: false,
        blocks: [{ type: 'text' as const, html: 'x' }],
      });
      // Idle pooled connections (their loss reaches the pool's error listener)…
      await Promise.all(Array.from({ length: 4 }, () => store.ping()));
      // …and one write stuck inside its transaction behind our row lock.
      await admin.query('BEGIN');
      await admin.query('SELECT 1 FROM blogs WHERE id = $1 FOR UPDATE', [blogId]);
      const pending = store.createPost(post()).then(
        () => null,
        (e: unknown) => e,
      );
      await waitFor(
        async () =>
          (
            await admin.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0]?.n,
        { what: 'the write to wait on the row lock' },
      );
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      const err = await pending;
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).code).toBe('unavailable');
      await admin.query('ROLLBACK');

      await waitFor(
        () =>
          store.ping().then(
            () => true,
            () => false,
          ),
        { what: 'the pool to recover' },
      );
      const { event } = await store.createPost(post());
      expect(event?.seq).toBe(1);
      expect((await store.getBlog(blogId))?.seq).toBe(1);
    } finally {
      await admin.end();
      await store.close();
    }
  });
});

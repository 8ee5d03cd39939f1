import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';
import { registerCleanup } from './teardown.js';
import { waitFor } from './wait.js';

/**
 * Real PostgreSQL and Redis for tests. When a service is missing the suite FAILS (CI must not
 * silently skip): set PG_ADMIN_URL / REDIS_TEST_URL to point elsewhere.
 */
export const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** Creates a fresh database for this test file and drops it afterwards. Returns its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const name = `lb_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  registerCleanup(async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface OwnRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server of the test's own on a free port, for tests that stop and restart Redis. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let proc: ReturnType<typeof spawn> | null = null;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const { Redis } = await import('ioredis');
    await waitFor(
      async () => {
        const r = new Redis({
          port,
          host: '127.0.0.1',
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        r.on('error', () => {});
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      },
      { what: `redis-server on ${port}` },
    );
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await start();
  registerCleanup(stop);
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}

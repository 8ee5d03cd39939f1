import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './services.js';
import { registerCleanup } from './teardown.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own, for tests that stop and restart it (the shared one
 * on 5432 serves other test files in parallel and must never be restarted). The cluster runs
 * as the `postgres` OS user in a temporary directory, on a free loopback port, and is stopped
 * and deleted after the test file.
 */
export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth). */
  url: string;
  port: number;
  /** Immediate stop: like a crash, connections are cut without a goodbye. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${root}: install postgresql to run this test`);
  return join(root, newest, 'bin');
}

/** Runs a PostgreSQL tool as the `postgres` OS user (initdb and pg_ctl refuse root). */
async function asPostgres(tool: string, args: string[]): Promise<string> {
  const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(binDir(), tool), ...args], {
    timeout: 60_000,
  });
  return stdout;
}

async function postgresUid(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'liveblog-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const { uid, gid } = await postgresUid();
  chownSync(root, uid, gid);
  await asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // Durability is not what these tests are about; skipping fsync keeps a 2-core machine responsive.
  const serverOpts = `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  let running = false;

  const start = async () => {
    await asPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', '-t', '60', 'start']);
    running = true;
    await waitFor(
      async () => {
        const c = new pg.Client({ connectionString: url });
        c.on('error', () => {});
        try {
          await c.connect();
          await c.query('SELECT 1');
          return true;
        } finally {
          await c.end().catch(() => {});
        }
      },
      { timeoutMs: 30_000, what: `own PostgreSQL on ${port}` },
    );
  };
  const stop = async () => {
    if (!running) return;
    running = false;
    await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
  };

  registerCleanup(async () => {
    await stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  });
  await start();
  return { url, port, stop, start };
}

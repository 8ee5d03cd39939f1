import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { UPDATE_CHECK_LIMITS } from '../lib/yjs-update-check.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

/** Picks the store: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. */
export async function createStore(config: Config, log: Logger): Promise<Store> {
  if (config.DATABASE_URL) {
    const { PostgresStore } = await import('./postgres.js');
    const url = new URL(config.DATABASE_URL);
    log.info({ host: url.hostname, database: url.pathname.slice(1) }, 'store: postgresql');
    return new PostgresStore({ connectionString: config.DATABASE_URL, log });
  }
  const dir = resolve(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'liveblog.sqlite');
  log.info({ file, synchronous: config.SQLITE_SYNCHRONOUS }, 'store: sqlite');
  // Co-editing updates are checked and written by one worker, in one round trip.
  return new SqliteStore({ file, synchronous: config.SQLITE_SYNCHRONOUS, log, check: UPDATE_CHECK_LIMITS });
}

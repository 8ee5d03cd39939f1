import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from './types.js';

/** Picks the store: PostgreSQL when DATABASE_URL is set, else SQLite under DATA_DIR. (stub: store helper fills in) */
export async function createStore(_config: Config, _log: Logger): Promise<Store> {
  throw new Error('not implemented yet');
}

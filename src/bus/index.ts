import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { Bus } from './types.js';

/** Picks the bus: Redis pub/sub when REDIS_URL is set, else in-process. (stub: bus helper fills in) */
export function createBus(_config: Config, _opts: { nodeId: string; log: Logger; metrics: Metrics }): Bus {
  throw new Error('not implemented yet');
}

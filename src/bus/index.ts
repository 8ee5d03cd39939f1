import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { createLocalBus } from './local.js';
import { createRedisBus } from './redis.js';
import type { Bus } from './types.js';

export { createLocalBus, createLocalNetwork, type LocalNetwork } from './local.js';
export { createRedisBus, REDIS_BUS_DEFAULTS, type RedisBus, type RedisBusOptions } from './redis.js';
export type { Bus, BusEnvelope } from './types.js';
export { BusMessage } from './types.js';

/** Picks the bus: Redis pub/sub when REDIS_URL is set, else in-process (a single node). */
export function createBus(config: Config, opts: { nodeId: string; log: Logger; metrics: Metrics }): Bus {
  const { nodeId, log, metrics } = opts;
  if (config.REDIS_URL) {
    // Log the host only: the URL may carry a password.
    const { host } = new URL(config.REDIS_URL);
    log.info({ bus: 'redis', host, nodeId }, 'bus: redis pub/sub between nodes');
    return createRedisBus({ url: config.REDIS_URL, nodeId, log, metrics });
  }
  log.info({ bus: 'local', nodeId }, 'bus: in-process (single node; set REDIS_URL to run several)');
  return createLocalBus(nodeId, { log, metrics });
}

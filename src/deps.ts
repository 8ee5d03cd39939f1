import type { Auth } from './auth/index.js';
import type { Bus } from './bus/types.js';
import type { Config } from './config.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { MediaService } from './media/service.js';
import type { Store } from './store/types.js';

/**
 * What app.ts hands to each part (http, realtime, collab). The parts never import each
 * other: they talk through the store and the bus only.
 */
export interface Deps {
  store: Store;
  bus: Bus;
  auth: Auth;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** Photo uploads: encoding (bounded) and the media object storage (disk or S3). */
  media: MediaService;
  /** Set once shutdown begins: /ready turns 503 and new connections are refused. */
  lifecycle: { draining: boolean };
}

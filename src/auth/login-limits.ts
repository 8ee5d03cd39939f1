import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Logger } from '../lib/logger.js';
import type { LimiterFactory } from './login-guard.js';

export interface SharedLoginLimits {
  make: LimiterFactory;
  /** Resolves once Redis answers, or after a couple of seconds (then memory counts until it does). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const READY_WAIT_MS = 2000;

/**
 * The sign-in failure counters in Redis (rate-limiter-flexible's RateLimiterRedis), so every
 * node behind the load balancer spends from one budget per account, address and pair. Keys
 * are prefixed with `installation`, a value derived from the installation's own secret, so
 * two deployments (or two test databases) sharing one Redis never share counters.
 *
 * While Redis is unreachable each counter falls back to this node's memory (the library's
 * insurance limiter): sign-in keeps working and stays limited, per node, until Redis is back.
 * Its own connection, not the bus's: commands fail at once while Redis is away, never queue.
 */
export function sharedLoginLimits(url: string, installation: string, log: Logger): SharedLoginLimits {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2000),
    connectionName: 'liveblog-login-limits',
  });
  let warned = false;
  redis.on('error', (err) => {
    if (warned) return;
    warned = true;
    log.warn({ err }, 'login limits: Redis unreachable; counting failed sign-ins per node until it is back');
  });
  redis.on('ready', () => {
    warned = false;
  });
  const make: LimiterFactory = (name, points, duration) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `liveblog:login:${installation}:${name}`,
      points,
      duration,
      insuranceLimiter: new RateLimiterMemory({ points, duration }),
    });
  const ready = new Promise<void>((resolve) => {
    const t = setTimeout(resolve, READY_WAIT_MS);
    t.unref();
    redis.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return {
    make,
    ready,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

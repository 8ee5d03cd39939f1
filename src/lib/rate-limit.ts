import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Metrics } from './metrics.js';

/**
 * A per-minute budget per key, shared by every transport (HTTP, Socket.IO, collab). In memory:
 * per node, which is what a per-node flood guard needs. A refusal is counted under the
 * limit's name in `liveblog_rate_limited_total`; what to answer is the transport's business.
 */
export class MinuteLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(
    readonly name: string,
    readonly perMinute: number,
    private readonly metrics: Metrics,
  ) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  /** Spends one point: null when allowed, else the whole seconds (≥ 1) until the next point. */
  async take(key: string): Promise<number | null> {
    try {
      await this.limiter.consume(key);
      return null;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      this.metrics.rateLimited.inc({ limit: this.name });
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    }
  }
}

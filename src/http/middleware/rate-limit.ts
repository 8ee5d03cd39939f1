import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../../domain/index.js';
import type { Metrics } from '../../lib/metrics.js';

export type LimitName = 'http_writes' | 'http_auth_failures' | 'http_questions' | 'http_questions_blog';

/**
 * A per-minute budget per key (memory: per node, which is what a per-node flood guard
 * needs). `consume` throws DomainError('rate_limited') with the seconds until the next point.
 */
export class MinuteLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly name: LimitName,
    readonly perMinute: number,
    private readonly metrics: Metrics,
  ) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw this.refusal(res);
      throw res;
    }
  }

  /** Refuses without spending a point when the budget is already gone. */
  async check(key: string): Promise<void> {
    const res = await this.limiter.get(key);
    if (res && res.consumedPoints >= this.perMinute) throw this.refusal(res);
  }

  private refusal(res: RateLimiterRes): DomainError {
    this.metrics.rateLimited.inc({ limit: this.name });
    const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return new DomainError('rate_limited', `too many requests; retry in ${retryAfterSeconds} s`, {
      limit: this.name,
      retryAfterSeconds,
    });
  }
}

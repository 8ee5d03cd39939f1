import { type RateLimiterAbstract, RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../domain/index.js';

export interface LoginGuardOptions {
  perPair: number;
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
  /** How long an address that signed in to an account stays exempt from that account's lock. */
  knownForSeconds?: number;
}

/**
 * Makes one counter of the guard (`name` tells them apart): in memory by default; shared by
 * every node when built over Redis (src/auth/login-limits.ts).
 */
export type LimiterFactory = (name: string, points: number, durationSeconds: number) => RateLimiterAbstract;

const inMemory: LimiterFactory = (_name, points, duration) => new RateLimiterMemory({ points, duration });

/**
 * Limits wrong passwords without letting one person's failures lock out another:
 *
 * - one account from one address: `perPair` failures, then that pair waits out the window;
 * - one account from every address: `perAccount` failures, then only addresses that have
 *   signed in to it before may still try (so a flood cannot lock the owner out of their desk);
 * - one address at every account: `perAddress` failures, then that address gets one try per
 *   account per window (a newsroom behind one NAT address keeps working: a colleague who has
 *   not failed at your account cannot spend your try).
 *
 * So failures at another account never refuse a correct login. Keys are the normalised email
 * (existing or not, so a refusal says nothing about which emails exist) and the client address.
 * Counters live in this node's memory, or in Redis when REDIS_URL is set, so that every node
 * spends from the same budgets.
 */
export class LoginGuard {
  private readonly pair: RateLimiterAbstract;
  private readonly account: RateLimiterAbstract;
  private readonly address: RateLimiterAbstract;
  private readonly known: RateLimiterAbstract;
  private readonly knownFor: number;

  constructor(
    private readonly opts: LoginGuardOptions,
    make: LimiterFactory = inMemory,
  ) {
    const duration = opts.windowSeconds;
    this.pair = make('pair', opts.perPair, duration);
    this.account = make('account', opts.perAccount, duration);
    this.address = make('address', opts.perAddress, duration);
    // Memory limiters expire keys with setTimeout, which caps at ~24.8 days.
    this.knownFor = Math.min(opts.knownForSeconds ?? 14 * 86_400, 20 * 86_400);
    this.known = make('known', 1, this.knownFor);
  }

  /** Throws DomainError('rate_limited') when this attempt may not even be tried. */
  async check(account: string, address: string): Promise<void> {
    const pairKey = `${account}\n${address}`;
    const [pair, acc, addr, known] = await Promise.all([
      this.pair.get(pairKey),
      this.account.get(account),
      this.address.get(address),
      this.known.get(pairKey),
    ]);
    const pairFailures = pair?.consumedPoints ?? 0;
    if (pair && pairFailures >= this.opts.perPair) throw refusal(pair);
    if (known) return;
    if (acc && acc.consumedPoints >= this.opts.perAccount) throw refusal(acc);
    if (addr && addr.consumedPoints >= this.opts.perAddress && pairFailures > 0) throw refusal(pair ?? addr);
  }

  async failed(account: string, address: string): Promise<void> {
    const spend = (l: RateLimiterAbstract, key: string) => l.penalty(key, 1).catch(() => undefined);
    await Promise.all([
      spend(this.pair, `${account}\n${address}`),
      spend(this.account, account),
      spend(this.address, address),
    ]);
  }

  async succeeded(account: string, address: string): Promise<void> {
    const pairKey = `${account}\n${address}`;
    await this.pair.delete(pairKey);
    await this.known.set(pairKey, 1, this.knownFor);
  }
}

function refusal(res: RateLimiterRes): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new DomainError('rate_limited', `too many failed sign-ins; retry in ${retryAfterSeconds} s`, {
    limit: 'login_failures',
    retryAfterSeconds,
  });
}

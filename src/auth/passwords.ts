import { hash, type Options, verify } from '@node-rs/argon2';

/** argon2id (the numeric value of the package's const enum, which isolated modules cannot inline). */
const ARGON2ID = 2 as NonNullable<Options['algorithm']>;

export interface KdfParams {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  readonly params: KdfParams;
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `stored`. With `stored` null (no such account, or an account
   * without a password) it verifies against a dummy hash of the same parameters and answers
   * false, so an unknown email costs what a wrong password costs.
   */
  verify(stored: string | null, password: string): Promise<boolean>;
  /** True when `stored` was made with weaker parameters than today's (rehash after a login). */
  needsRehash(stored: string): boolean;
}

/**
 * Passwords are hashed with argon2id in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`),
 * so the parameters travel with each hash and can be raised later without breaking old ones.
 * The work runs on libuv's thread pool, off the event loop.
 */
export async function createPasswordHasher(params: KdfParams): Promise<PasswordHasher> {
  const options: Options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  // A real hash of a random value: verifying against it costs exactly one real verification.
  const dummy = await hash(crypto.randomUUID(), options);
  const wanted = `m=${params.memoryKiB},t=${params.timeCost},p=${params.parallelism}`;
  return {
    params,
    hash: (password) => hash(password, options),
    async verify(stored, password) {
      if (stored === null) {
        await verify(dummy, password).catch(() => false);
        return false;
      }
      try {
        return await verify(stored, password);
      } catch {
        // A malformed stored hash is a broken account, not a reason to answer faster.
        await verify(dummy, password).catch(() => false);
        return false;
      }
    },
    needsRehash: (stored) => !stored.startsWith('$argon2id$') || !stored.includes(`$${wanted}$`),
  };
}

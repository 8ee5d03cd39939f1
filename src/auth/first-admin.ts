import { randomBytes } from 'node:crypto';
import { type Config, ConfigError } from '../config.js';
import { DomainError } from '../domain/index.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/types.js';
import type { Accounts } from './accounts.js';

/** Set once a first start has looked (and made the admin, or found people already there). */
const DONE_KEY = 'first_admin_done';

/** Thrown when ADMIN_PASSWORD is refused by the password policy: the server does not start. */
export class FirstAdminError extends ConfigError {
  override name = 'FirstAdminError';
}

/**
 * The first admin account, made at first start like the admin token: when `ADMIN_EMAIL` is
 * set and the store has no users at all. Its password is `ADMIN_PASSWORD` (held to the same
 * policy as any other) or, without it, a generated one printed once on stdout, never logged,
 * never shown again. Later starts only read a setting. Two nodes starting together on one
 * database make one account: the email is unique, and the loser of that race makes none.
 */
export async function ensureFirstAdmin(deps: {
  store: Store;
  config: Config;
  accounts: Accounts;
  log: Logger;
}): Promise<void> {
  const { store, config, accounts, log } = deps;
  const email = config.ADMIN_EMAIL?.toLowerCase();
  if (!email) return;
  if (await store.getSetting(DONE_KEY)) return;
  if ((await store.listAccounts()).length > 0) {
    await store.setSettingIfAbsent(DONE_KEY, new Date().toISOString());
    return;
  }
  const generated = config.ADMIN_PASSWORD === undefined;
  // 18 random bytes: 24 characters of base64url, far past any policy's length and list.
  const password = config.ADMIN_PASSWORD ?? randomBytes(18).toString('base64url');
  try {
    accounts.checkNewPassword(password, email);
  } catch (err) {
    if (err instanceof DomainError) throw new FirstAdminError(`ADMIN_PASSWORD: ${err.message}`);
    throw err;
  }
  const actor = {
    actorId: null,
    actorName: 'first start',
    actorAdmin: true,
    credential: 'admin_token' as const,
    address: null,
  };
  try {
    await accounts.createPerson({ name: config.ADMIN_NAME, email, password, admin: true }, actor);
  } catch (err) {
    // Another node made it a moment ago (the email is taken): that node said so.
    if (err instanceof DomainError && err.code === 'conflict') return;
    throw err;
  }
  await store.setSettingIfAbsent(DONE_KEY, new Date().toISOString());
  if (generated) {
    // Printed once on purpose, like the admin token (not through the logger).
    process.stdout.write(
      `\n  First admin account: ${email}\n  Password (shown once, stored as an argon2id hash): ${password}\n` +
        '  Keep it somewhere safe: it signs in at /editor with every right.\n\n',
    );
  }
  log.info({ email, generatedPassword: generated }, 'created the first admin account');
}

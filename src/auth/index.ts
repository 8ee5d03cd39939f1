import type { Config } from '../config.js';
import { type Action, can, DomainError, type Principal, type Role } from '../domain/index.js';
import { hashToken, newToken } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/types.js';

const ADMIN_HASH_KEY = 'admin_token_hash';

/**
 * Bearer-token authentication and per-blog authorisation, shared by HTTP, the reader hub
 * and collab. Tokens are only ever held as SHA-256 hashes.
 */
export interface Auth {
  /** Resolves the principal for a bearer token, or null when the token is unknown. */
  authenticate(token: string | undefined | null): Promise<Principal | null>;
  roleFor(principal: Principal, blogId: string): Promise<Role | null>;
  /** Throws DomainError unauthorized (no principal) or forbidden (role lacks the action). */
  authorize(principal: Principal | null, blogId: string, action: Action): Promise<Role | null>;
}

export async function createAuth(deps: { store: Store; config: Config; log: Logger }): Promise<Auth> {
  const { store, config, log } = deps;
  let adminHash: string;
  if (config.ADMIN_TOKEN) {
    adminHash = hashToken(config.ADMIN_TOKEN);
  } else {
    const existing = await store.getSetting(ADMIN_HASH_KEY);
    if (existing) {
      adminHash = existing;
    } else {
      const token = newToken();
      adminHash = await store.setSettingIfAbsent(ADMIN_HASH_KEY, hashToken(token));
      if (adminHash === hashToken(token)) {
        // Printed once on purpose (not through the logger, which redacts tokens).
        process.stdout.write(
          `\n  Admin token (shown once, stored hashed): ${token}\n  Keep it: it creates users and blogs.\n\n`,
        );
        log.info('generated an admin token and stored its hash');
      }
    }
  }

  const auth: Auth = {
    async authenticate(token) {
      if (!token) return null;
      const h = hashToken(token);
      if (h === adminHash) return { kind: 'admin' };
      const user = await store.getUserByTokenHash(h);
      return user ? { kind: 'user', user } : null;
    },
    async roleFor(principal, blogId) {
      if (principal.kind === 'admin') return 'owner';
      return store.getRole(blogId, principal.user.id);
    },
    async authorize(principal, blogId, action) {
      if (!principal) throw new DomainError('unauthorized', 'a valid bearer token is required');
      const role = await auth.roleFor(principal, blogId);
      if (!can(principal, role, action)) {
        throw new DomainError('forbidden', `your role on this blog (${role ?? 'none'}) may not ${action}`);
      }
      return role;
    },
  };
  return auth;
}

import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import {
  type Account,
  type Action,
  can,
  DomainError,
  higherRole,
  type Principal,
  type Role,
  type User,
} from '../domain/index.js';
import { hashToken, newToken } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { LiveCredential, Store } from '../store/types.js';
import { type Accounts, createAccounts } from './accounts.js';
import { ensureFirstAdmin } from './first-admin.js';
import { createJwtVerifier, looksLikeJwt } from './jwt.js';
import { sharedLoginLimits } from './login-limits.js';
import { createOidcClient, type OidcClient } from './oidc.js';
import { Sealer } from './seal.js';
import { isAccessToken, verifyAccessToken } from './session-token.js';

const ADMIN_HASH_KEY = 'admin_token_hash';
const SECRET_KEY = 'auth_secret';

/**
 * Every credential kind resolves to a Principal here, and only here: the admin token, users'
 * legacy tokens, personal tokens, sessions' access tokens (password or SSO) and CMS JWTs.
 * HTTP, the reader hub and collab all call `authenticate`, and `can()` judges the result.
 */
export interface Auth {
  /** Resolves the principal for a bearer credential, or null when it is not (or no longer) valid. */
  authenticate(token: string | undefined | null): Promise<Principal | null>;
  /**
   * For a connection already open with this credential (re-judged on `access.changed`): like
   * authenticate, except that a session access token past its 15-minute expiry still counts
   * while its session lives. Its expiry bounds how long a copied token admits new requests,
   * not how long an admitted connection may stay; revocation and deactivation still end it.
   */
  reauthenticate(token: string | undefined | null): Promise<Principal | null>;
  /** Like authenticate, with the reason a credential was refused (for HTTP's 401 message). */
  resolve(token: string): Promise<{ principal: Principal } | { principal: null; reason: string }>;
  roleFor(principal: Principal, blogId: string): Promise<Role | null>;
  /** Throws DomainError unauthorized (no principal) or forbidden (role lacks the action). */
  authorize(principal: Principal | null, blogId: string, action: Action): Promise<Role | null>;
  /** Sign-in, sessions, invitations, personal tokens. */
  readonly accounts: Accounts;
  /** Present when OIDC_ISSUER is set. */
  readonly oidc: OidcClient | null;
  /** For values the browser carries for us (the OIDC round trip). */
  readonly sealer: Sealer;
  /** Where failed sign-ins are counted: `redis` (shared by every node) or `memory` (this node). */
  readonly loginLimits: 'redis' | 'memory';
  /** Closes what auth opened itself (the login limits' Redis connection). */
  close(): Promise<void>;
}

/** The longest bearer credential any kind may be (a CMS JWT); longer is refused unread. */
export function maxCredentialLength(config: Config): number {
  return Math.max(512, config.AUTH_JWT_MAX_BYTES);
}

export async function createAuth(deps: { store: Store; config: Config; log: Logger }): Promise<Auth> {
  const { store, config, log } = deps;
  const adminHash = await adminTokenHash(store, config, log);
  // One random secret per installation, shared by every node through the store.
  const secret = await store.setSettingIfAbsent(SECRET_KEY, newToken());
  const derive = (label: string) => createHash('sha256').update(`${label}\n${secret}`).digest('base64url');
  const sessionKey = derive('access-token');
  const jwt = createJwtVerifier(config);
  const oidc = createOidcClient(config);
  const sealer = new Sealer(derive('seal'));
  // Behind several nodes (Redis configured) failed sign-ins count against one budget.
  const limits = config.REDIS_URL
    ? sharedLoginLimits(config.REDIS_URL, derive('login-limits').slice(0, 16), log)
    : null;
  await limits?.ready;
  log.info(
    { loginLimits: limits ? 'redis' : 'memory' },
    limits
      ? 'failed sign-ins are counted in Redis (one budget for every node)'
      : 'failed sign-ins are counted per node',
  );
  const accounts = await createAccounts({
    store,
    config,
    log,
    sessionKey,
    csrfKey: derive('csrf'),
    ...(limits ? { limiters: limits.make } : {}),
  });
  await ensureFirstAdmin({ store, config, accounts, log });
  const maxLength = maxCredentialLength(config);

  // CMS tokens name blogs by id or slug; slugs are resolved once a minute at most.
  const blogIds = new Map<string, { id: string | null; at: number }>();
  const blogIdOf = async (key: string): Promise<string | null> => {
    const hit = blogIds.get(key);
    if (hit && Date.now() - hit.at < 60_000) return hit.id;
    const blog = await store.getBlog(key);
    if (blogIds.size > 10_000) blogIds.clear();
    blogIds.set(key, { id: blog?.id ?? null, at: Date.now() });
    return blog?.id ?? null;
  };
  const resolveGrants = async (grants: Record<string, Role>): Promise<Record<string, Role>> => {
    const out: Record<string, Role> = {};
    for (const [key, role] of Object.entries(grants)) {
      const id = await blogIdOf(key);
      if (id) out[id] = higherRole(out[id] ?? null, role) ?? role;
    }
    return out;
  };

  const fromCredential = async ({ credential, account }: LiveCredential): Promise<Principal> => {
    void store.touchCredential(credential.id, new Date().toISOString()).catch(() => undefined);
    const user = toUser(account);
    const kind = credential.kind;
    if (account.admin || credential.admin)
      return { kind: 'admin', user, credential: kind, credentialId: credential.id };
    const grants = await resolveGrants(credential.grants);
    return { kind: 'user', user, credential: kind, credentialId: credential.id, grants };
  };

  const resolve: Auth['resolve'] = async (token) => {
    if (token.length > maxLength) return { principal: null, reason: 'the credential is too long' };
    const h = hashToken(token);
    if (h === adminHash) return { principal: { kind: 'admin', credential: 'admin_token' } };
    if (isAccessToken(token)) {
      const v = verifyAccessToken(sessionKey, token, Date.now());
      if (!v) return { principal: null, reason: 'the access token is not valid or has expired' };
      const live = await store.getLiveCredential(v.sessionId, new Date().toISOString());
      if (!live) return { principal: null, reason: 'the session has ended' };
      return { principal: await fromCredential(live) };
    }
    if (looksLikeJwt(token)) {
      if (!jwt) return { principal: null, reason: 'CMS tokens are not enabled on this server' };
      let identity: Awaited<ReturnType<typeof jwt.verify>>;
      try {
        identity = await jwt.verify(token);
      } catch (err) {
        if (err instanceof DomainError) return { principal: null, reason: err.message };
        throw err;
      }
      const account = await accounts.externalAccount(identity);
      if (!account.active) return { principal: null, reason: 'this account is deactivated' };
      return {
        principal: {
          kind: 'user',
          user: toUser(account),
          credential: 'jwt',
          grants: await resolveGrants(identity.roles),
        },
      };
    }
    const legacy = await store.getUserByTokenHash(h);
    if (legacy) return { principal: { kind: 'user', user: legacy, credential: 'user_token' } };
    const live = await store.findCredentialByHash(h, new Date().toISOString());
    if (live && live.credential.kind === 'personal_token') return { principal: await fromCredential(live) };
    return { principal: null, reason: 'the bearer token is not valid' };
  };

  const auth: Auth = {
    accounts,
    oidc,
    sealer,
    loginLimits: limits ? 'redis' : 'memory',
    close: async () => {
      await limits?.close();
    },
    resolve,
    async authenticate(token) {
      if (!token) return null;
      return (await resolve(token)).principal;
    },
    async reauthenticate(token) {
      if (!token) return null;
      if (!isAccessToken(token) || token.length > maxLength) return (await resolve(token)).principal;
      const v = verifyAccessToken(sessionKey, token, 0);
      const live = v ? await store.getLiveCredential(v.sessionId, new Date().toISOString()) : null;
      return live ? fromCredential(live) : null;
    },
    async roleFor(principal, blogId) {
      if (principal.kind === 'admin') return 'owner';
      const stored = await store.getRole(blogId, principal.user.id);
      return higherRole(stored, principal.grants?.[blogId] ?? null);
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

/** The public face of an account inside a principal (what posts and presence show). */
function toUser(a: Account): User & Partial<Account> {
  return a;
}

async function adminTokenHash(store: Store, config: Config, log: Logger): Promise<string> {
  if (config.ADMIN_TOKEN) return hashToken(config.ADMIN_TOKEN);
  const existing = await store.getSetting(ADMIN_HASH_KEY);
  if (existing) return existing;
  const token = newToken();
  const stored = await store.setSettingIfAbsent(ADMIN_HASH_KEY, hashToken(token));
  if (stored === hashToken(token)) {
    // Printed once on purpose (not through the logger, which redacts tokens).
    process.stdout.write(
      `\n  Admin token (shown once, stored hashed): ${token}\n  Keep it: it creates users and blogs.\n\n`,
    );
    log.info('generated an admin token and stored its hash');
  }
  return stored;
}

import type { Config } from '../config.js';
import { type Account, DomainError, type PersonCreateInput, type User } from '../domain/index.js';
import { hashToken, newId, newToken } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { AuditContext, CredentialRowKind, Store } from '../store/types.js';
import { csrfTokenFor, csrfTokenMatches } from './csrf.js';
import type { ExternalIdentity } from './identity.js';
import { type LimiterFactory, LoginGuard } from './login-guard.js';
import { passwordProblem } from './password-policy.js';
import { createPasswordHasher, type PasswordHasher } from './passwords.js';
import { signAccessToken } from './session-token.js';

/** Presence colours handed out when none is picked (readable on white and dark). */
export const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#469990',
  '#9a6324',
];
export const INVITATION_TTL_MS = 7 * 86_400_000;
const PERSONAL_PREFIX = 'lbp_';

/** What a sign-in hands back: the access token for the page, the refresh secret for its cookie. */
export interface SignedIn {
  account: Account;
  sessionId: string;
  token: string;
  expiresAt: string;
  refreshToken: string;
  sessionExpiresAt: string;
  csrfToken: string;
}

/** The audit fields a caller knows (who, how, from where); each operation adds what it did. */
export type Actor = Pick<AuditContext, 'actorId' | 'actorName' | 'actorAdmin' | 'credential' | 'address'>;

export interface Accounts {
  readonly hasher: PasswordHasher;
  readonly guard: LoginGuard;
  /** Email + password → a session. Same refusal, in about the same time, for any failure. */
  passwordLogin(email: string, password: string, address: string): Promise<SignedIn>;
  /** A new session for an account another proof already established (SSO, accepted invitation). */
  openSession(
    account: Account,
    kind: Extract<CredentialRowKind, 'password_session' | 'oidc_session'>,
    extra: { grants?: Record<string, import('../domain/index.js').Role>; admin?: boolean; address: string | null },
  ): Promise<SignedIn>;
  /** A fresh access token for the session whose cookie this is, if the CSRF token matches. */
  renew(refreshToken: string, csrfToken: string | undefined): Promise<SignedIn>;
  /** Ends the session whose cookie this is (CSRF token required). */
  signOut(refreshToken: string, csrfToken: string | undefined, actor: Actor): Promise<void>;
  /** The user a CMS token or SSO identity belongs to (created on first sight). */
  externalAccount(identity: ExternalIdentity): Promise<Account>;
  createPerson(
    input: PersonCreateInput,
    actor: Actor,
  ): Promise<{ account: Account; invitation: { token: string; expiresAt: string } | null }>;
  acceptInvitation(token: string, password: string, address: string): Promise<SignedIn>;
  createPersonalToken(
    userId: string,
    name: string,
    actor: Actor,
  ): Promise<{ id: string; token: string; createdAt: string }>;
  checkNewPassword(password: string, email: string | null): void;
  newUser(name: string, color?: string): User;
}

export async function createAccounts(deps: {
  store: Store;
  config: Config;
  log: Logger;
  sessionKey: string;
  csrfKey: string;
  /** Where the failed sign-in counters live (this node's memory when absent). */
  limiters?: LimiterFactory;
}): Promise<Accounts> {
  const { store, config, sessionKey, csrfKey } = deps;
  const hasher = await createPasswordHasher({
    memoryKiB: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  });
  const guard = new LoginGuard(
    {
      perPair: config.LOGIN_FAILURES_PER_PAIR,
      perAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      perAddress: config.LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_S,
    },
    deps.limiters,
  );
  const refused = () => new DomainError('unauthorized', 'wrong email or password');

  const audit = (actor: Actor, what: Partial<AuditContext> & { action: string }): AuditContext => ({
    id: newId(),
    blogId: null,
    postId: null,
    subjectId: null,
    ...actor,
    ...what,
  });

  const newUser = (name: string, color?: string): User => ({
    id: newId(),
    name,
    color: color ?? PALETTE[Math.floor(Math.random() * PALETTE.length)] ?? '#4363d8',
    createdAt: new Date().toISOString(),
    canCreateBlogs: false,
  });

  const signedIn = (account: Account, sessionId: string, refreshToken: string, sessionEndsMs: number): SignedIn => {
    const accessEnds = Math.min(Date.now() + config.SESSION_ACCESS_TTL_S * 1000, sessionEndsMs);
    return {
      account,
      sessionId,
      token: signAccessToken(sessionKey, sessionId, accessEnds),
      // The token carries whole seconds.
      expiresAt: new Date(Math.floor(accessEnds / 1000) * 1000).toISOString(),
      refreshToken,
      sessionExpiresAt: new Date(sessionEndsMs).toISOString(),
      csrfToken: csrfTokenFor(csrfKey, sessionId),
    };
  };

  const accounts: Accounts = {
    hasher,
    guard,
    newUser,
    checkNewPassword(password, email) {
      const local = email ? [email, email.slice(0, email.indexOf('@'))] : [];
      const problem = passwordProblem(password, config.PASSWORD_MIN_LENGTH, local);
      if (problem) {
        throw new DomainError('validation_failed', `the password ${problem}`, [{ path: 'password', message: problem }]);
      }
    },

    async passwordLogin(email, password, address) {
      await guard.check(email, address);
      const found = await store.getAccountByEmail(email);
      // Unknown emails verify against a dummy hash: the same work, the same answer.
      const ok = await hasher.verify(found?.passwordHash ?? null, password);
      if (!found || !ok || !found.active) {
        await guard.failed(email, address);
        throw refused();
      }
      await guard.succeeded(email, address);
      const { passwordHash, ...account } = found;
      if (passwordHash && hasher.needsRehash(passwordHash)) {
        await store.updateAccount(account.id, { passwordHash: await hasher.hash(password) });
      }
      return accounts.openSession(account, 'password_session', { address });
    },

    async openSession(account, kind, extra) {
      const now = new Date();
      const id = newId();
      const refreshToken = newToken();
      const ends = now.getTime() + config.SESSION_TTL_S * 1000;
      await store.createCredential(
        {
          id,
          userId: account.id,
          kind,
          name: '',
          tokenHash: hashToken(refreshToken),
          expiresAt: new Date(ends).toISOString(),
          grants: extra.grants ?? {},
          admin: extra.admin ?? false,
          createdAt: now.toISOString(),
        },
        audit(
          {
            actorId: account.id,
            actorName: account.name,
            actorAdmin: account.admin || (extra.admin ?? false),
            credential: kind,
            address: extra.address,
          },
          { action: 'auth.login', subjectId: account.id },
        ),
      );
      return signedIn(account, id, refreshToken, ends);
    },

    async renew(refreshToken, csrfToken) {
      const live = await store.findCredentialByHash(hashToken(refreshToken), new Date().toISOString());
      if (!live || live.credential.kind === 'personal_token') {
        throw new DomainError('unauthorized', 'the session has ended; sign in again');
      }
      if (!csrfTokenMatches(csrfKey, live.credential.id, csrfToken)) {
        throw new DomainError('forbidden', 'missing or wrong X-CSRF-Token');
      }
      const ends = Date.parse(live.credential.expiresAt ?? '') || Date.now();
      return signedIn(live.account, live.credential.id, refreshToken, ends);
    },

    async signOut(refreshToken, csrfToken, actor) {
      const now = new Date().toISOString();
      const live = await store.findCredentialByHash(hashToken(refreshToken), now);
      if (!live || live.credential.kind === 'personal_token') return;
      if (!csrfTokenMatches(csrfKey, live.credential.id, csrfToken)) {
        throw new DomainError('forbidden', 'missing or wrong X-CSRF-Token');
      }
      await store.revokeCredential(
        live.account.id,
        live.credential.id,
        now,
        audit(actor, { action: 'auth.logout', subjectId: live.account.id }),
      );
    },

    async externalAccount(identity) {
      return store.upsertExternalAccount({
        issuer: identity.issuer,
        subject: identity.subject,
        email: identity.email,
        name: identity.name,
        newUser: newUser(identity.name ?? identity.email ?? 'Newsroom user'),
      });
    },

    async createPerson(input, actor) {
      if (input.password !== undefined) accounts.checkNewPassword(input.password, input.email ?? null);
      const passwordHash = input.password !== undefined ? await hasher.hash(input.password) : null;
      const user = { ...newUser(input.name, input.color), canCreateBlogs: input.admin ?? false };
      const account = await store.createAccount(
        { user, email: input.email ?? null, passwordHash, admin: input.admin ?? false },
        audit(actor, { action: 'user.create', subjectId: user.id }),
      );
      if (passwordHash !== null || input.email === undefined) return { account, invitation: null };
      const token = newToken();
      const now = Date.now();
      const expiresAt = new Date(now + INVITATION_TTL_MS).toISOString();
      await store.createInvitation({
        tokenHash: hashToken(token),
        userId: account.id,
        createdBy: actor.actorId,
        createdAt: new Date(now).toISOString(),
        expiresAt,
      });
      return { account, invitation: { token, expiresAt } };
    },

    async acceptInvitation(token, password, address) {
      // The policy is checked before the link is spent, so a weak choice can be retried.
      accounts.checkNewPassword(password, null);
      const passwordHash = await hasher.hash(password);
      const account = await store.acceptInvitation(hashToken(token), passwordHash, new Date().toISOString());
      if (!account) throw new DomainError('not_found', 'this invitation link is unknown, used or expired');
      return accounts.openSession(account, 'password_session', { address });
    },

    async createPersonalToken(userId, name, actor) {
      const id = newId();
      const token = `${PERSONAL_PREFIX}${newToken()}`;
      const createdAt = new Date().toISOString();
      await store.createCredential(
        {
          id,
          userId,
          kind: 'personal_token',
          name,
          tokenHash: hashToken(token),
          expiresAt: null,
          grants: {},
          admin: false,
          createdAt,
        },
        audit(actor, { action: 'token.create', subjectId: userId }),
      );
      return { id, token, createdAt };
    },
  };
  return accounts;
}

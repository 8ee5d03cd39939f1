import * as client from 'openid-client';
import { z } from 'zod';
import { type Config, isLoopbackUrl } from '../config.js';
import { DomainError, higherRole, type Role } from '../domain/index.js';
import { type ExternalIdentity, normaliseEmail } from './identity.js';

/**
 * What the browser carries between `/auth/oidc/login` and the callback (sealed in a cookie):
 * the PKCE verifier, the state and the nonce that the callback must see again.
 */
export const OidcPending = z.object({
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  verifier: z.string().min(43).max(128),
  /** Where to send the browser once signed in: a path on our own site only. */
  returnTo: z.string().max(500),
  /** Epoch ms; the round trip through the provider must finish before it. */
  expiresAt: z.number().int(),
});
export type OidcPending = z.infer<typeof OidcPending>;

export interface OidcClient {
  readonly issuer: string;
  /** The callback URL registered at the provider. */
  readonly redirectUri: string;
  /** The provider's authorization URL and what the callback will need to check its answer. */
  start(returnTo: string): Promise<{ url: string; pending: OidcPending }>;
  /**
   * Exchanges the code (PKCE, state and nonce checked by openid-client) and maps the
   * provider's claims. Throws DomainError unauthorized (bad answer) or forbidden (not let in).
   */
  finish(callbackUrl: URL, pending: OidcPending): Promise<ExternalIdentity>;
}

const PENDING_MS = 10 * 60_000;

/** Discovers the provider once (lazily, and again after a failure) and runs the code flow. */
export function createOidcClient(config: Config): OidcClient | null {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = config;
  if (!OIDC_ISSUER || !OIDC_CLIENT_ID) return null;
  const redirectUri = config.OIDC_REDIRECT_URL ?? `${config.publicUrl}/auth/oidc/callback`;
  let discovered: Promise<client.Configuration> | null = null;
  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(OIDC_ISSUER),
        OIDC_CLIENT_ID,
        OIDC_CLIENT_SECRET,
        OIDC_CLIENT_SECRET ? client.ClientSecretPost(OIDC_CLIENT_SECRET) : client.None(),
        // Config allows http only on loopback (a provider started by the tests or a developer).
        isLoopbackUrl(OIDC_ISSUER) ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        discovered = null;
        throw new DomainError('unavailable', 'the sign-in provider could not be reached', {
          reason: err instanceof Error ? err.message : String(err),
        });
      });
    return discovered;
  };

  return {
    issuer: OIDC_ISSUER,
    redirectUri,
    async start(returnTo) {
      const conf = await configuration();
      const pending: OidcPending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        returnTo: safeReturnTo(returnTo),
        expiresAt: Date.now() + PENDING_MS,
      };
      const url = client.buildAuthorizationUrl(conf, {
        redirect_uri: redirectUri,
        scope: config.OIDC_SCOPES,
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url: url.href, pending };
    },
    async finish(callbackUrl, pending) {
      if (pending.expiresAt < Date.now())
        throw new DomainError('unauthorized', 'the sign-in took too long; start again');
      const conf = await configuration();
      let claims: Record<string, unknown>;
      try {
        const tokens = await client.authorizationCodeGrant(conf, callbackUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
        const groupsClaim = config.OIDC_GROUPS_CLAIM;
        // Many providers put email and groups only in userinfo, not in the ID token.
        if ((claims.email === undefined || claims[groupsClaim] === undefined) && tokens.access_token) {
          const info = await client.fetchUserInfo(conf, tokens.access_token, String(claims.sub));
          claims = {
            ...info,
            ...claims,
            ...(claims[groupsClaim] === undefined ? { [groupsClaim]: info[groupsClaim] } : {}),
          };
        }
      } catch (err) {
        if (err instanceof DomainError) throw err;
        throw new DomainError('unauthorized', "the sign-in provider's answer was refused", {
          reason: err instanceof Error ? err.message : String(err),
        });
      }
      return mapOidcClaims(claims, OIDC_ISSUER, config);
    },
  };
}

const OidcClaims = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(254).email(),
  email_verified: z.boolean().optional(),
  name: z.string().trim().min(1).max(100).optional().catch(undefined),
});

/**
 * Who may enter and with which rights: a verified email in an allowed domain, and roles from
 * the groups claim through OIDC_GROUP_ROLES. Pure, so the rule is tested without a provider.
 */
export function mapOidcClaims(raw: Record<string, unknown>, issuer: string, config: Config): ExternalIdentity {
  const parsed = OidcClaims.safeParse(raw);
  if (!parsed.success) throw new DomainError('forbidden', 'the provider did not share an email address');
  const c = parsed.data;
  // Providers that say nothing about verification (some enterprise IdPs) are trusted for their own domains.
  if (c.email_verified === false) throw new DomainError('forbidden', 'the provider has not verified this email');
  const email = normaliseEmail(c.email);
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (config.OIDC_ALLOWED_DOMAINS.length > 0 && !config.OIDC_ALLOWED_DOMAINS.includes(domain)) {
    throw new DomainError('forbidden', `accounts at ${domain} may not sign in here`);
  }
  const groupsRaw = raw[config.OIDC_GROUPS_CLAIM];
  const groups = new Set(
    (Array.isArray(groupsRaw) ? groupsRaw : typeof groupsRaw === 'string' ? [groupsRaw] : []).filter(
      (g): g is string => typeof g === 'string',
    ),
  );
  let admin = false;
  let matched = false;
  const roles: Record<string, Role> = {};
  for (const m of config.OIDC_GROUP_ROLES) {
    if (!groups.has(m.group)) continue;
    matched = true;
    if (m.role === 'admin') admin = true;
    else roles[m.blog] = higherRole(roles[m.blog] ?? null, m.role) ?? m.role;
  }
  if (config.OIDC_REQUIRE_GROUP && !matched) {
    throw new DomainError('forbidden', 'your account is in no group that may sign in here');
  }
  return { source: 'oidc', issuer, subject: c.sub, email, name: c.name ?? null, admin, roles };
}

/** Only a local path (not `//host`, not a scheme): an open redirect would help phishing. */
export function safeReturnTo(returnTo: string): string {
  const path = returnTo.split('#')[0] ?? '';
  return /^\/(?![/\\])[^\s]*$/.test(path) && path.length <= 500 ? path : '/editor';
}

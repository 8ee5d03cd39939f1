import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify, type RemoteJWKSet } from 'jose';
import type { Config } from '../config.js';
import { DomainError } from '../domain/index.js';
import { type ExternalIdentity, IdentityClaims, normaliseEmail, RolesClaim } from './identity.js';

export interface JwtVerifier {
  /** Verifies a CMS token and maps its claims; throws DomainError('unauthorized') saying why. */
  verify(token: string): Promise<ExternalIdentity>;
}

/** Three base64url parts: how a compact JWS looks (our opaque tokens never contain a dot). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * CMS-minted tokens, verified with jose: signature (JWKS URL or one static key), `iss`, `aud`,
 * `exp` (required, and no further away than AUTH_JWT_MAX_TTL_S), `nbf`, a bounded clock skew,
 * and only the configured asymmetric algorithms (jose never accepts `none` when given a key;
 * the allow-list also shuts out HMAC with a public key as the secret).
 */
export function createJwtVerifier(config: Config): JwtVerifier | null {
  const { AUTH_JWKS_URL, AUTH_JWT_PUBLIC_KEY, AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE } = config;
  if (!AUTH_JWKS_URL && !AUTH_JWT_PUBLIC_KEY) return null;
  if (!AUTH_JWT_ISSUER || !AUTH_JWT_AUDIENCE) throw new Error('AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE are required');
  const issuer = AUTH_JWT_ISSUER;
  const audience = AUTH_JWT_AUDIENCE;
  let key: KeyObject | RemoteJWKSet;
  if (AUTH_JWKS_URL) {
    key = createRemoteJWKSet(new URL(AUTH_JWKS_URL), {
      timeoutDuration: 5000,
      // An unknown `kid` refetches at most this often, so forged kids cannot make us hammer the CMS.
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
  } else {
    key = createPublicKey(String(AUTH_JWT_PUBLIC_KEY).replace(/\\n/g, '\n'));
    if (key.type !== 'public') throw new Error('AUTH_JWT_PUBLIC_KEY must be a public key');
  }
  const algorithms = [...config.AUTH_JWT_ALGORITHMS];
  const skew = config.AUTH_JWT_CLOCK_SKEW_S;

  return {
    async verify(token) {
      if (token.length > config.AUTH_JWT_MAX_BYTES) throw refuse('the token is too large');
      if (!looksLikeJwt(token)) throw refuse('the token is not a JWT');
      let payload: JWTPayload;
      try {
        const verified = await jwtVerify(token, key as KeyObject, {
          issuer,
          audience,
          algorithms,
          clockTolerance: skew,
          requiredClaims: ['exp', 'sub'],
        });
        payload = verified.payload;
      } catch (err) {
        throw refuse(reason(err));
      }
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.exp === 'number' && payload.exp - now > config.AUTH_JWT_MAX_TTL_S + skew) {
        throw refuse(`the token lives longer than ${config.AUTH_JWT_MAX_TTL_S} s`);
      }
      const claims = IdentityClaims.safeParse(payload);
      if (!claims.success) throw refuse('the token has no usable sub claim');
      const rolesRaw = payload[config.AUTH_JWT_ROLES_CLAIM];
      const roles = RolesClaim.safeParse(rolesRaw ?? {});
      if (!roles.success) throw refuse(`the ${config.AUTH_JWT_ROLES_CLAIM} claim must map blog ids or slugs to roles`);
      return {
        source: 'jwt',
        issuer,
        subject: claims.data.sub,
        email: claims.data.email ? normaliseEmail(claims.data.email) : null,
        name: claims.data.name ?? null,
        admin: false,
        roles: roles.data,
      };
    },
  };
}

function refuse(why: string): DomainError {
  return new DomainError('unauthorized', `the bearer token is not valid: ${why}`);
}

/** What went wrong, in words that help the CMS's developer and reveal nothing about our keys. */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'it has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'it is not valid yet';
    if (err.claim === 'iss') return 'wrong issuer';
    if (err.claim === 'aud') return 'wrong audience';
    return `the ${err.claim} claim is missing or invalid`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'its algorithm is not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key matches it';
  if (err instanceof errors.JWKSTimeout) return 'the key set could not be fetched in time';
  if (err instanceof errors.JOSEError) return 'it is malformed';
  return 'it could not be verified';
}

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, looksLikeJwt } from '../../src/auth/jwt.js';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/domain/index.js';
import { registerCleanup } from '../helpers/teardown.js';

const ISS = 'https://cms.example.test';
const AUD = 'liveblog';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let cms: Keys;
let other: Keys;
let jwksUrl: string;
let jwksHits = 0;

/** The CMS's key set, served by a loopback server this file starts (no internet). */
async function startJwksServer(jwks: { keys: JWK[] }): Promise<string> {
  const server = createServer((_req, res) => {
    jwksHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
}

beforeAll(async () => {
  cms = await generateKeyPair('RS256');
  other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(cms.publicKey)), kid: 'cms-1', alg: 'RS256', use: 'sig' };
  jwksUrl = await startJwksServer({ keys: [jwk] });
});

const verifier = (env: Record<string, string> = {}) => {
  const v = createJwtVerifier(
    loadConfig({ AUTH_JWKS_URL: jwksUrl, AUTH_JWT_ISSUER: ISS, AUTH_JWT_AUDIENCE: AUD, ...env }),
  );
  if (!v) throw new Error('verifier not configured');
  return v;
};

const now = () => Math.floor(Date.now() / 1000);

async function mint(
  claims: JWTPayload = {},
  opts: { key?: Keys; kid?: string; exp?: number | null; iss?: string; aud?: string; alg?: string } = {},
) {
  let jwt = new SignJWT({ name: 'Ana Reporter', email: 'Ana@Newsroom.Example', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'cms-1' })
    .setSubject('cms-user-42')
    .setIssuer(opts.iss ?? ISS)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt();
  if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? now() + 600);
  return jwt.sign((opts.key ?? cms).privateKey);
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function reason(token: string, env?: Record<string, string>): Promise<string> {
  try {
    await verifier(env).verify(token);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('unauthorized');
    return (err as DomainError).message;
  }
}

describe('CMS tokens (JWT, verified with jose against a JWKS server on loopback)', () => {
  it('accepts a good token and maps sub, name, email and per-blog roles', async () => {
    const token = await mint({ liveblog_roles: { 'election-2026': 'editor', blog123: 'owner' } });
    const id = await verifier().verify(token);
    expect(id).toEqual({
      source: 'jwt',
      issuer: ISS,
      subject: 'cms-user-42',
      email: 'ana@newsroom.example',
      name: 'Ana Reporter',
      admin: false,
      roles: { 'election-2026': 'editor', blog123: 'owner' },
    });
  });

  it('reads the roles from the claim named in AUTH_JWT_ROLES_CLAIM', async () => {
    const token = await mint({ 'https://cms/roles': { b1: 'contributor' } });
    const id = await verifier({ AUTH_JWT_ROLES_CLAIM: 'https://cms/roles' }).verify(token);
    expect(id.roles).toEqual({ b1: 'contributor' });
  });

  it('refuses an expired token, and one not valid yet, beyond the clock skew', async () => {
    expect(await reason(await mint({}, { exp: now() - 120 }))).toMatch(/expired/);
    expect(await reason(await mint({ nbf: now() + 120 }))).toMatch(/not valid yet/);
  });

  it('accepts expiry and nbf within the clock skew, and not past it', async () => {
    expect(await reason(await mint({}, { exp: now() - 10 }))).toBe('accepted');
    expect(await reason(await mint({ nbf: now() + 10 }))).toBe('accepted');
    expect(await reason(await mint({}, { exp: now() - 10 }), { AUTH_JWT_CLOCK_SKEW_S: '0' })).toMatch(/expired/);
  });

  it('refuses a token signed by another key under the CMS kid (forged)', async () => {
    expect(await reason(await mint({}, { key: other }))).toMatch(/bad signature/);
  });

  it('refuses alg:none, and HS256 signed with the public key as the secret', async () => {
    const payload = { sub: 'x', iss: ISS, aud: AUD, exp: now() + 600 };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    expect(looksLikeJwt(none)).toBe(true);
    expect(await reason(none)).toMatch(/not allowed|malformed/);
    const pem = await exportSPKI(cms.publicKey);
    const input = `${b64({ alg: 'HS256', kid: 'cms-1' })}.${b64(payload)}`;
    const sig = createHmac('sha256', pem).update(input).digest('base64url');
    expect(await reason(`${input}.${sig}`)).toMatch(/not allowed/);
  });

  it('refuses a wrong audience, a wrong issuer, no exp and a lifetime past AUTH_JWT_MAX_TTL_S', async () => {
    expect(await reason(await mint({}, { aud: 'someone-else' }))).toMatch(/wrong audience/);
    expect(await reason(await mint({}, { iss: 'https://evil.example' }))).toMatch(/wrong issuer/);
    expect(await reason(await mint({}, { exp: null }))).toMatch(/exp claim/);
    expect(await reason(await mint({}, { exp: now() + 3 * 86_400 }))).toMatch(/lives longer/);
  });

  it('refuses an oversized token before parsing it, and non-JWT text', async () => {
    const big = await mint({ padding: 'x'.repeat(10_000) });
    expect(await reason(big)).toMatch(/too large/);
    expect(await reason('not.a jwt')).toMatch(/not a JWT/);
    expect(await reason('a.b.c')).toMatch(/malformed/);
  });

  it('refuses a roles claim that is not a map of blogs to roles', async () => {
    expect(await reason(await mint({ liveblog_roles: { b1: 'superuser' } }))).toMatch(/liveblog_roles/);
    expect(await reason(await mint({ liveblog_roles: ['b1'] }))).toMatch(/liveblog_roles/);
  });

  it('an unknown kid does not make it refetch the key set on every token', async () => {
    const v = verifier();
    await v.verify(await mint());
    const before = jwksHits;
    for (let i = 0; i < 5; i++) {
      await expect(v.verify(await mint({}, { key: other, kid: `unknown-${i}` }))).rejects.toThrow(/no key matches/);
    }
    expect(jwksHits - before).toBeLessThanOrEqual(1);
  });

  it('works with one static public key instead of a JWKS URL', async () => {
    const pem = await exportSPKI(cms.publicKey);
    const v = createJwtVerifier(loadConfig({ AUTH_JWT_PUBLIC_KEY: pem, AUTH_JWT_ISSUER: ISS, AUTH_JWT_AUDIENCE: AUD }));
    expect((await v?.verify(await mint()))?.subject).toBe('cms-user-42');
    await expect(v?.verify(await mint({}, { key: other }))).rejects.toThrow(/bad signature/);
  });

  it('config: needs issuer and audience, refuses plain http off loopback and unknown algorithms', () => {
    expect(() => loadConfig({ AUTH_JWKS_URL: jwksUrl })).toThrow(/AUTH_JWT_ISSUER/);
    expect(() =>
      loadConfig({ AUTH_JWKS_URL: 'http://cms.example/jwks', AUTH_JWT_ISSUER: ISS, AUTH_JWT_AUDIENCE: AUD }),
    ).toThrow(/https/);
    expect(() => loadConfig({ AUTH_JWT_ALGORITHMS: 'HS256' })).toThrow(/AUTH_JWT_ALGORITHMS/);
    expect(() => loadConfig({ AUTH_JWT_ALGORITHMS: 'none' })).toThrow(/AUTH_JWT_ALGORITHMS/);
    expect(createJwtVerifier(loadConfig({}))).toBeNull();
  });
});

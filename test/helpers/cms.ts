import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { registerCleanup } from './teardown.js';

export const CMS_ISSUER = 'https://cms.newsroom.test';
export const CMS_AUDIENCE = 'liveblog';

export interface TestCms {
  jwksUrl: string;
  /** Server settings that make a liveblog trust this CMS. */
  env: Record<string, string>;
  mint(claims?: JWTPayload & { sub?: string }, opts?: { expiresIn?: number; notBefore?: number }): Promise<string>;
}

/** The newsroom's CMS as far as we see it: a key pair and its JWKS on a loopback port. */
export async function startTestCms(): Promise<TestCms> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'cms-es-1', alg: 'ES256', use: 'sig' };
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(() => new Promise<void>((r) => server.close(() => r())));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return {
    jwksUrl,
    env: { AUTH_JWKS_URL: jwksUrl, AUTH_JWT_ISSUER: CMS_ISSUER, AUTH_JWT_AUDIENCE: CMS_AUDIENCE },
    async mint(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const { sub = 'cms-user-1', ...rest } = claims;
      let jwt = new SignJWT(rest)
        .setProtectedHeader({ alg: 'ES256', kid: 'cms-es-1' })
        .setSubject(sub)
        .setIssuer(CMS_ISSUER)
        .setAudience(CMS_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(now + (opts.expiresIn ?? 600));
      if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(now + opts.notBefore);
      return jwt.sign(privateKey);
    },
  };
}

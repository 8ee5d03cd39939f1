import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { registerCleanup } from './teardown.js';

export interface TestAccount {
  /** What the person types as their login on the provider's page. */
  login: string;
  password: string;
  email: string;
  emailVerified?: boolean;
  name: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: TestAccount[];
}

export const ANA: TestAccount = {
  login: 'ana',
  password: 'provider-password-ana',
  email: 'ana@newsroom.test',
  name: 'Ana Reporter',
  groups: ['newsroom-staff', 'politics-desk'],
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A real OpenID provider (oidc-provider from npm) on a loopback port, standing in for the
 * newsroom's Google Workspace, Okta or Keycloak. Its sign-in page is ours (a plain form that
 * checks the test account's password), so a browser completes it like a person would;
 * consent is granted on sign-in. Closed after the test file.
 */
export async function startTestIdp(opts: { redirectUris: string[]; accounts?: TestAccount[] }): Promise<TestIdp> {
  const accounts = opts.accounts ?? [ANA];
  const clientId = 'liveblog-test';
  const clientSecret = 'test-client-secret-0123456789';
  let provider: Provider | null = null;
  const server = createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/')) return void interaction(provider, req, res);
    provider.callback()(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Its own signing key, made now (the package's built-in key is for quick starts only).
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signing = { ...(await exportJWK(privateKey)), kid: 'test-idp-1', alg: 'RS256', use: 'sig' };
  provider = new Provider(issuer, {
    jwks: { keys: [signing] },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    async findAccount(_ctx, id) {
      const a = accounts.find((x) => x.login === id);
      if (!a) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: a.login,
          email: a.email,
          email_verified: a.emailVerified ?? true,
          name: a.name,
          groups: a.groups,
        }),
      };
    },
  });

  async function interaction(p: Provider, req: IncomingMessage, res: ServerResponse) {
    try {
      const details = await p.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<!doctype html><title>Test IdP</title><h1>Sign in to the newsroom</h1>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<label>Login <input name="login" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form>`);
        return;
      }
      const body = new URLSearchParams(await readBody(req));
      const account = accounts.find((a) => a.login === body.get('login') && a.password === body.get('password'));
      if (!account) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end('<p id="error">Wrong login</p>');
        return;
      }
      const grant = new p.Grant({ accountId: account.login, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      await p.interactionFinished(
        req,
        res,
        { login: { accountId: account.login }, consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err));
    }
  }

  registerCleanup(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { issuer, clientId, clientSecret, accounts };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

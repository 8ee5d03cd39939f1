import { describe, expect, it } from 'vitest';
import { mapOidcClaims, safeReturnTo } from '../../src/auth/oidc.js';
import { loadConfig } from '../../src/config.js';
import { DomainError } from '../../src/domain/index.js';

const ISS = 'https://idp.example';
const config = (env: Record<string, string> = {}) =>
  loadConfig({
    OIDC_ISSUER: ISS,
    OIDC_CLIENT_ID: 'c',
    OIDC_ALLOWED_DOMAINS: 'Newsroom.Example, partner.example',
    OIDC_GROUP_ROLES:
      'staff-admins=admin, politics=editor@election-2026, politics-lead=owner@election-2026, interns=contributor@election-2026',
    ...env,
  });
const ana = { sub: 's1', email: 'Ana@newsroom.example', email_verified: true, name: 'Ana' };

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? err.code : String(err);
  }
}

describe('OIDC claims → who may enter and with which role', () => {
  it('keeps the highest role per blog among matching groups, and admin from its group', () => {
    const id = mapOidcClaims({ ...ana, groups: ['interns', 'politics-lead', 'politics', 'other'] }, ISS, config());
    expect(id).toMatchObject({ email: 'ana@newsroom.example', roles: { 'election-2026': 'owner' }, admin: false });
    expect(mapOidcClaims({ ...ana, groups: 'staff-admins' }, ISS, config()).admin).toBe(true);
    expect(mapOidcClaims(ana, ISS, config()).roles).toEqual({});
  });

  it('refuses other domains, unverified or missing emails, and (when required) accounts in no group', () => {
    expect(code(() => mapOidcClaims({ ...ana, email: 'x@gmail.example' }, ISS, config()))).toBe('forbidden');
    expect(code(() => mapOidcClaims({ ...ana, email_verified: false }, ISS, config()))).toBe('forbidden');
    expect(code(() => mapOidcClaims({ sub: 's1' }, ISS, config()))).toBe('forbidden');
    expect(code(() => mapOidcClaims(ana, ISS, config({ OIDC_REQUIRE_GROUP: 'true' })))).toBe('forbidden');
    expect(code(() => mapOidcClaims(ana, ISS, config({ OIDC_ALLOWED_DOMAINS: '' })))).toBe('ok');
    // A look-alike domain is not a sub-domain match.
    expect(code(() => mapOidcClaims({ ...ana, email: 'a@evilnewsroom.example' }, ISS, config()))).toBe('forbidden');
  });

  it('config refuses a malformed group mapping and an OIDC issuer without a client id', () => {
    expect(() => config({ OIDC_GROUP_ROLES: 'politics=chief@b1' })).toThrow(/OIDC_GROUP_ROLES/);
    expect(() => config({ OIDC_GROUP_ROLES: 'politics=editor' })).toThrow(/OIDC_GROUP_ROLES/);
    expect(() => loadConfig({ OIDC_ISSUER: ISS })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'c' })).toThrow(/https/);
  });

  it('return paths stay on our site', () => {
    expect(safeReturnTo('/editor?blog=1')).toBe('/editor?blog=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/a b']) {
      expect(safeReturnTo(bad)).toBe('/editor');
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  cookieIsSecure,
  csrfTokenFor,
  csrfTokenMatches,
  fromOwnOrigin,
  sessionCookieName,
  sessionCookieOptions,
} from '../../src/auth/csrf.js';

describe('session cookie and CSRF rules', () => {
  it('cookies are HttpOnly and SameSite=Strict always, Secure outside a plain-http localhost', () => {
    expect(sessionCookieOptions('https://live.example', 60)).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/',
    });
    expect(cookieIsSecure('http://localhost:3000')).toBe(false);
    expect(cookieIsSecure('http://127.0.0.1:3000')).toBe(false);
    // A plain-http public URL that is not loopback still gets Secure (the cookie then stays unsent).
    expect(cookieIsSecure('http://live.example')).toBe(true);
    expect(sessionCookieName('https://live.example')).toBe('__Host-liveblog_session');
    expect(sessionCookieName('http://localhost:3000')).toBe('liveblog_session');
  });

  it('a CSRF token is bound to its session and its key', () => {
    const t = csrfTokenFor('k', 's1');
    expect(csrfTokenMatches('k', 's1', t)).toBe(true);
    expect(csrfTokenMatches('k', 's2', t)).toBe(false);
    expect(csrfTokenMatches('other', 's1', t)).toBe(false);
    expect(csrfTokenMatches('k', 's1', undefined)).toBe(false);
    expect(csrfTokenMatches('k', 's1', '')).toBe(false);
    expect(csrfTokenMatches('k', 's1', 'x'.repeat(1000))).toBe(false);
  });

  it('only our own origin passes the Origin check', () => {
    const pub = 'https://live.example';
    expect(fromOwnOrigin(pub, 'https://live.example', 'same-origin')).toBe(true);
    expect(fromOwnOrigin(pub, undefined, 'same-origin')).toBe(true);
    expect(fromOwnOrigin(pub, 'https://evil.example', 'cross-site')).toBe(false);
    expect(fromOwnOrigin(pub, 'https://live.example.evil.example', undefined)).toBe(false);
    expect(fromOwnOrigin(pub, 'null', undefined)).toBe(false);
    expect(fromOwnOrigin(pub, undefined, 'cross-site')).toBe(false);
    expect(fromOwnOrigin(pub, undefined, undefined)).toBe(false);
    // The origin the request was addressed to (a test server, a second hostname) also counts.
    expect(fromOwnOrigin(pub, 'http://127.0.0.1:4000', undefined, 'http://127.0.0.1:4000')).toBe(true);
    expect(fromOwnOrigin(pub, 'https://evil.example', undefined, 'http://127.0.0.1:4000')).toBe(false);
  });
});

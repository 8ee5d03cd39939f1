import { beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody } from '../../src/domain/index.js';
import { createApi, setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Rate limits: writes per token and failed authentications per IP → 429 with Retry-After. */
const WRITES = 12;
const AUTH_FAILURES = 3;
let server: TestServer;

beforeAll(async () => {
  server = await startServer({
    RATE_WRITES_PER_MIN: String(WRITES),
    RATE_AUTH_FAILURES_PER_MIN: String(AUTH_FAILURES),
  });
});

async function metric(name: string): Promise<string> {
  const body = await (await fetch(`${server.url}/metrics`)).text();
  return body
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('\n');
}

describe('rate limits', () => {
  test('writes per token per minute; other tokens are unaffected; nothing written past the limit', async () => {
    // The admin's setup writes spend the admin's budget, not the editor's.
    const cast = await setupBlog(server.url, server.adminToken);
    const codes: number[] = [];
    for (let i = 0; i < WRITES + 3; i++) {
      const res = await cast.editor.raw('POST', `/api/v1/blogs/${cast.blog.id}/posts`, {
        body: { blocks: [text(`n${i}`)] },
      });
      codes.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect((res.body as ErrorBody).error.code).toBe('rate_limited');
      }
    }
    expect(codes.filter((c) => c === 201)).toHaveLength(WRITES);
    expect(codes.slice(WRITES).every((c) => c === 429)).toBe(true);
    expect((await cast.anon.getBlog(cast.blog.id)).seq).toBe(WRITES);
    // Reads are not writes, and the owner has a budget of its own.
    expect((await cast.editor.raw('GET', `/api/v1/blogs/${cast.blog.id}/posts`)).status).toBe(200);
    expect(
      (await cast.owner.raw('POST', `/api/v1/blogs/${cast.blog.id}/posts`, { body: { blocks: [text('x')] } })).status,
    ).toBe(201);
    expect(await metric('liveblog_rate_limited_total')).toMatch(/limit="http_writes"\} [1-9]/);
  });

  test('failed authentications per IP → 429, but a valid token from that address is never refused', async () => {
    const bad = createApi(server.url, 'wrong-token-0000');
    const codes: number[] = [];
    for (let i = 0; i < AUTH_FAILURES + 2; i++) codes.push((await bad.raw('GET', '/api/v1/me')).status);
    expect(codes.slice(0, AUTH_FAILURES)).toEqual(Array(AUTH_FAILURES).fill(401));
    expect(codes.slice(AUTH_FAILURES).every((c) => c === 429)).toBe(true);
    const stillBad = await bad.raw('GET', '/api/v1/me');
    expect(stillBad.status).toBe(429);
    expect(Number(stillBad.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // A stranger flooding bad tokens from the editors' office NAT must not lock them out.
    const admin = createApi(server.url, server.adminToken);
    expect((await admin.raw('GET', '/api/v1/me')).status).toBe(200);
    expect((await admin.raw('GET', '/api/v1/users')).status).toBe(200);
    expect((await bad.raw('GET', '/api/v1/me')).status).toBe(429);
    // Public reads without a token still work.
    expect((await createApi(server.url).raw('GET', '/api/v1/blogs')).status).toBe(200);
    expect(await metric('liveblog_rate_limited_total')).toMatch(/limit="http_auth_failures"\} [1-9]/);
  });
});

describe('behind a trusted proxy', () => {
  // The proxy appends the address it saw: earlier X-Forwarded-For hops are whatever the
  // client sent. Keyed on the first hop, an attacker could both escape the limit (a new
  // made-up address per try) and lock out any editor by naming the editor's address.
  test('failed authentications are counted against the hop the proxy added, not a client-supplied one', async () => {
    const proxied = await startServer({ TRUST_PROXY: 'true', RATE_AUTH_FAILURES_PER_MIN: String(AUTH_FAILURES) });
    const attacker = '203.0.113.7';
    const editor = '198.51.100.20';
    const codes: number[] = [];
    for (let i = 0; i < AUTH_FAILURES + 2; i++) {
      const res = await createApi(proxied.url, 'wrong-token-0000').raw('GET', '/api/v1/me', {
        // Spoofed first hops: the editor's address, then a fresh made-up one each time.
        headers: { 'x-forwarded-for': `${i === 0 ? editor : `10.0.0.${i}`}, ${attacker}` },
      });
      codes.push(res.status);
    }
    expect(codes.slice(AUTH_FAILURES).every((c) => c === 429)).toBe(true);
    const editorCall = await createApi(proxied.url, proxied.adminToken).raw('GET', '/api/v1/me', {
      headers: { 'x-forwarded-for': editor },
    });
    expect(editorCall.status).toBe(200);
  });
});

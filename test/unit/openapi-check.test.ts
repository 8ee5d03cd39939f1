import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createHttpApp } from '../../src/http/index.js';
import { buildOpenApi } from '../../src/http/openapi.js';
import { type OpenApiDoc, ResponseChecker } from '../helpers/openapi-check.js';
import { tempDataDir } from '../helpers/server.js';

/**
 * The response hook (test/helpers/response-check.ts) is only worth something if it fails on
 * answers the document does not declare: planted mismatches against the real document.
 */
let app: App;
let checker: ResponseChecker;

beforeAll(async () => {
  app = await createApp(
    loadConfig({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'silent', ADMIN_TOKEN: 'x'.repeat(24), SHUTDOWN_DELAY_MS: '0' }),
  );
  const doc = buildOpenApi(createHttpApp(app.deps), { publicUrl: 'http://localhost' });
  checker = new ResponseChecker(doc as unknown as OpenApiDoc);
});
afterAll(() => app.shutdown());

const blog = {
  id: 'b1',
  slug: 'storm',
  title: 'Storm',
  description: '',
  status: 'live',
  seq: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  allowedOrigins: [],
  summary: { seq: 0, bullets: [], updatedAt: null },
};
const error = (code: string) => JSON.stringify({ error: { code, message: 'm', requestId: 'r' } });
const json = 'application/json; charset=UTF-8';

describe('answers the document declares pass', () => {
  test.each([
    ['GET', '/api/v1/blogs/storm', 200, json, JSON.stringify(blog)],
    ['GET', '/api/v1/blogs/storm', 304, null, null],
    ['GET', '/api/v1/blogs/storm', 404, json, error('not_found')],
    ['DELETE', '/api/v1/blogs/storm/members/u1', 409, json, error('conflict')],
    ['DELETE', '/api/v1/blogs/storm/members/u1', 204, null, null],
    ['GET', '/oembed', 404, json, error('not_found')],
    ['GET', '/live/storm', 404, 'text/html; charset=utf-8', null],
    ['GET', '/embed.js', 200, 'application/javascript; charset=utf-8', null],
    ['GET', '/api/v1/nope', 404, json, error('not_found')],
    ['GET', '/socket.io/', 400, json, '{"code":0}'],
  ] as const)('%s %s → %i', (method, path, status, contentType, body) => {
    expect(checker.check({ method, path, status, contentType, body })).toEqual([]);
  });
});

describe('planted mismatches fail', () => {
  test.each([
    ['an undeclared status', 'GET', '/api/v1/blogs/storm', 409, json, error('conflict'), /409 is not declared/],
    ['an undeclared content type', 'GET', '/api/v1/blogs/storm', 404, 'text/html', '<p>no</p>', /content type/],
    ['plain text where JSON is declared', 'GET', '/oembed', 404, 'text/plain', 'not found', /content type/],
    [
      'a body of the wrong shape',
      'GET',
      '/api/v1/blogs/storm',
      200,
      json,
      JSON.stringify({ ...blog, seq: 'three' }),
      /does not match/,
    ],
    ['an error body without its code', 'GET', '/api/v1/blogs/storm', 404, json, '{"error":{}}', /does not match/],
    ['a success from an undeclared route', 'GET', '/api/v1/secret', 200, json, '{}', /undeclared operation/],
    ['an HTML 404 under /api', 'GET', '/api/v1/nope', 404, 'text/html', '<p>no</p>', /must be JSON/],
    ['octet-stream for the widget', 'GET', '/embed.js', 200, 'application/octet-stream', null, /content type/],
    ['a body on 204', 'DELETE', '/api/v1/blogs/storm/posts/p1', 204, json, '{}', /without a body/],
  ] as const)('%s', (_name, method, path, status, contentType, body, expected) => {
    const problems = checker.check({ method, path, status, contentType, body });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });
});

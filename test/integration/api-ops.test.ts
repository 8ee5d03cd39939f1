import { beforeAll, describe, expect, test } from 'vitest';
import { createHttpApp } from '../../src/http/index.js';
import { createApi } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Health, readiness, metrics, the OpenAPI document and docs page, CORS and security headers. */
let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

describe('operations', () => {
  test('/health is 200 and /ready reflects draining', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'sqlite' });
    server.app.deps.lifecycle.draining = true;
    try {
      const draining = await fetch(`${server.url}/ready`);
      expect(draining.status).toBe(503);
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      server.app.deps.lifecycle.draining = false;
    }
  });

  test('/metrics is Prometheus text with the route pattern, never a raw id', async () => {
    const api = createApi(server.url, server.adminToken);
    const blog = await api.createBlog({ title: 'Metrics' });
    await api.getBlog(blog.id);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toContain('liveblog_http_request_duration_seconds_bucket');
    expect(body).toMatch(/route="\/api\/v1\/blogs\/:blogId",method="GET",status="200"/);
    expect(body).not.toContain(blog.id);
    expect(body).not.toContain(server.adminToken);
  });
});

describe('store failure', () => {
  test('an unexpected error is a generic 500 with the request id; /ready turns 503', async () => {
    const broken = await startServer();
    await broken.app.deps.store.close();
    const res = await fetch(`${broken.url}/api/v1/blogs`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: 'internal', requestId: 'trace-me-1' });
    expect(body.error.message).not.toMatch(/sqlite|database|stack|Error:/i);
    expect((await fetch(`${broken.url}/ready`)).status).toBe(503);
    expect((await fetch(`${broken.url}/health`)).status).toBe(200);
  });
});

describe('OpenAPI', () => {
  test('lists every registered route with its parameters and bodies', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters: { name: string }[]; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const app = createHttpApp(server.app.deps);
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    // Every route the app answers is documented, and every documented route is served.
    for (const r of registered) expect(documented, `${r} is not in openapi.json`).toContain(r);
    for (const d of documented) expect(registered, `${d} is documented but not served`).toContain(d);
    expect(registered.size).toBeGreaterThanOrEqual(29);
    const createPost = doc.paths['/api/v1/blogs/{blogId}/posts']?.post;
    expect(createPost?.parameters.map((p) => p.name)).toEqual(['blogId']);
    expect(JSON.stringify(createPost?.requestBody)).toContain('"blocks"');
    const list = doc.paths['/api/v1/blogs/{blogId}/posts']?.get;
    expect(list?.parameters.map((p) => p.name).sort()).toEqual([
      'before',
      'blogId',
      'keyEvents',
      'limit',
      'order',
      'status',
      'tag',
    ]);
    expect(JSON.stringify(doc.components.schemas.Error)).toContain('requestId');
  });

  test('declares security on every operation and the answers a fuzzer found undeclared', async () => {
    type Op = { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Op>>;
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path} declares no security`).toBeDefined();
        // Everything outside /api is public: an explicit empty requirement. /metrics takes an
        // optional bearer (METRICS_TOKEN, when set).
        if (path === '/metrics') expect(op.security, `${method} ${path}`).toEqual([{}, { bearer: [] }]);
        else if (!path.startsWith('/api/')) expect(op.security, `${method} ${path}`).toEqual([]);
      }
    }
    const op = (path: string, method: string) => doc.paths[path]?.[method]?.responses ?? {};
    expect(Object.keys(op('/api/v1/blogs/{blogId}/members/{userId}', 'delete'))).toContain('409');
    expect(Object.keys(op('/oembed', 'get'))).toEqual(expect.arrayContaining(['404', '501']));
    expect(Object.keys(op('/embed.js', 'get')['200']?.content ?? {})).toEqual(['application/javascript']);
    expect(Object.keys(op('/assets/{name}', 'get')['200']?.content ?? {})).toContain('application/javascript');
    expect(Object.keys(op('/live/{slug}', 'get')['404']?.content ?? {})).toEqual(['text/html']);
    expect(Object.keys(op('/assets/{name}', 'get')['404']?.content ?? {})).toEqual(['application/json']);
  });

  test('/docs is a self-contained page listing the routes', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('/api/v1/blogs/{blogId}/posts');
    expect(html).toContain('/api/v1/blogs/{blogId}/changes');
    // Nothing may be fetched from elsewhere.
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });
});

describe('CORS and headers', () => {
  test('preflight allows bearer writes from any origin, without credentials', async () => {
    const res = await fetch(`${server.url}/api/v1/blogs/x/posts`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://partner.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  test('security headers on API answers', async () => {
    const res = await fetch(`${server.url}/api/v1/blogs`, { headers: { origin: 'https://partner.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

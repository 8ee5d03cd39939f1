import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Api, createApi, setupBlog, text } from '../helpers/api.js';
import { png } from '../helpers/images.js';
import { upload, uploadOk } from '../helpers/media.js';
import { rawGet } from '../helpers/raw-http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Hostile-input sweep: property-based garbage over every HTTP route, Socket.IO payloads and
 * raw collab frames. Afterwards the server still answers, no HTTP answer was 5xx, and
 * everything a client can observe of the store is exactly as before.
 */
const RUNS = Number(process.env.SWEEP_RUNS ?? 1000);
const METRICS_TOKEN = 'sweep-metrics-token-0123456789';

let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
let postId: string;
/** A pending question: the sweep's bodies must neither dismiss nor answer it. */
let questionId: string;
let mediaId: string;
/** A published post with an open poll: the sweep's bodies must not add a vote or a reaction. */
let pollPostId: string;
const counts: Record<string, number> = {};
const statuses: Record<string, number> = {};

/** Everything observable through the API, as one JSON string. */
async function snapshot(admin: Api): Promise<string> {
  const { blogs } = await admin.listBlogs({ limit: 100 });
  const parts: unknown[] = [blogs, (await admin.listUsers()).users];
  for (const b of blogs) {
    parts.push(await admin.changes(b.id, 0));
    parts.push(await admin.listPosts(b.id, { limit: 100 }));
    parts.push(await admin.listPosts(b.id, { limit: 100, status: 'draft' }));
    parts.push(await admin.listMembers(b.id));
    parts.push(await admin.summaryHistory(b.id));
    parts.push((await admin.raw('GET', `/api/v1/blogs/${b.id}/questions`)).body);
    parts.push((await admin.raw('GET', `/api/v1/blogs/${b.id}/media?limit=100`)).body);
    parts.push(await server.app.deps.store.outward.countPushSubscriptions(b.id));
    const ids = (await admin.listPosts(b.id, { limit: 100 })).posts.map((p) => p.id);
    if (ids.length) parts.push((await admin.raw('GET', `/api/v1/blogs/${b.id}/tallies?posts=${ids.join(',')}`)).body);
  }
  // WebSub verifications and distributions, push messages: nothing queued by refused input.
  parts.push(await server.app.deps.store.outward.countJobs());
  return JSON.stringify(parts);
}

beforeAll(async () => {
  server = await startServer({
    RATE_WRITES_PER_MIN: '1000000',
    RATE_AUTH_FAILURES_PER_MIN: '1000000',
    RATE_QUESTIONS_PER_MIN: '1000000',
    RATE_QUESTIONS_PER_BLOG_PER_MIN: '1000000',
    RATE_PARTICIPATION_PER_MIN: '1000000',
    RATE_CONNECTS_PER_MIN: '1000000',
    RATE_SUBSCRIBES_PER_MIN: '1000000',
    RATE_WEBSUB_PER_MIN: '1000000',
    RATE_PUSH_SUBSCRIBE_PER_MIN: '1000000',
    METRICS_TOKEN: METRICS_TOKEN,
  });
  cast = await setupBlog(server.url, server.adminToken, 'Sweep blog');
  postId = (await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>first</p>')] })).id;
  await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>a draft</p>')], status: 'draft' });
  const asked = await cast.anon.raw('POST', `/api/v1/blogs/${cast.blog.id}/questions`, {
    body: { text: 'a question' },
  });
  questionId = (asked.body as { id: string }).id;
  pollPostId = (
    await cast.editor.createPost(cast.blog.id, {
      blocks: [{ type: 'poll', question: 'Sweep?', options: ['yes', 'no'] }],
    })
  ).id;
  mediaId = (await uploadOk(server.url, cast.users.editor.token, cast.blog.id, await png(64, 48))).id;
});

afterAll(() => {
  const fiveXx = Object.entries(statuses)
    // 501 is a declared answer (oEmbed formats other than json), not a server failure.
    .filter(([status]) => Number(status) >= 500 && status !== '501')
    .reduce((sum, [, n]) => sum + n, 0);
  const line =
    `[sweep] inputs: http bodies ${counts.httpBodies ?? 0}, http paths ${counts.httpPaths ?? 0}, uploads ${counts.uploads ?? 0}, ` +
    `socket.io payloads ${counts.socketPayloads ?? 0}, socket.io raw frames ${counts.socketFrames ?? 0}, collab frames ${counts.collabFrames ?? 0}; 5xx seen: ${fiveXx}`;
  console.log(line);
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync('test-artifacts/sweep.txt', `${line}\nstatuses ${JSON.stringify(statuses)}\n`);
});

// Values of every JSON type, including unicode edge cases and sizes near the limits.
const nasty = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    Number.POSITIVE_INFINITY, // JSON.stringify turns it into null
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    '\u0000',
    '\uD800',
    '\uFEFF',
    '‮',
    '🏳️‍🌈',
    'a'.repeat(70_000),
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2 }), { maxKeys: 5 }),
);

/** A body that must be refused: garbage, or a valid shape with one field made wrong. */
/** Raw bodies that are not valid JSON, or JSON that parsers handle badly (sent as they are). */
const malformedJson = fc.constantFrom(
  '{"title":1e309}',
  '{"blocks":[',
  '{"__proto__":{"admin":true},"title":"x"}',
  '{"constructor":{"prototype":{"x":1}}}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  '{"title":"\\ud800"}',
  '\u0000\u0000',
  'null',
  '"just a string"',
  `{"title":"${'x'.repeat(1_100_000)}"}`,
);

const badBody = fc.oneof(
  nasty,
  malformedJson,
  fc.record({ title: nasty, slug: nasty }),
  fc.record({ blocks: fc.oneof(nasty, fc.array(fc.record({ type: nasty, html: nasty }), { maxLength: 3 })) }),
  fc.record({
    blocks: fc.constant([{ type: 'text', html: '<p>x</p>' }]),
    status: fc.string({ maxLength: 8 }).filter((s) => s !== 'draft' && s !== 'published'),
  }),
  fc.record({ blocks: fc.constant([{ type: 'embed', url: 'javascript:alert(1)' }]) }),
  fc.record({ blocks: fc.constant([{ type: 'image', url: 'https://x.example/a.png', alt: 'a', onload: 'x' }]) }),
  fc.record({ pinned: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }),
  fc.record({ role: fc.string({ maxLength: 12 }).filter((r) => !['owner', 'editor', 'contributor'].includes(r)) }),
  fc.record({ name: fc.oneof(fc.constant(''), fc.constant('   '), fc.integer(), fc.constant('n'.repeat(500))) }),
  fc.record({ allowedOrigins: fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ canCreateBlogs: fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constant(null)) }),
  fc.record({ text: fc.oneof(fc.constant('<b></b>'), fc.constant('q'.repeat(600)), fc.integer()), name: nasty }),
  fc.record({ status: fc.string({ maxLength: 10 }).filter((x) => x !== 'dismissed') }),
  fc.record({ html: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null)) }),
  // Votes and reactions: unknown options and kinds, forged voter ids, extra fields.
  fc.record({ option: fc.oneof(nasty, fc.constantFrom('o3', 'o0', 'O1', 'o1 ')), voter: nasty }),
  fc.record({ option: fc.constant('o1'), voter: fc.constantFrom('short', 'x'.repeat(65), 'bad voter id!!!!!', '') }),
  fc.record({ reaction: fc.oneof(nasty, fc.constantFrom('LIKE', 'poop', '👍')), voter: nasty }),
  fc.record({ reaction: fc.constant('like'), voter: fc.constant('v'.repeat(20)), extra: fc.constant(1) }),
  fc.record({ blocks: fc.constant([{ type: 'poll', question: 'q', options: ['only one'] }]) }),
  fc.record({
    blocks: fc.constant([
      {
        type: 'poll',
        question: 'q',
        options: [
          { id: 'o1', text: 'a' },
          { id: 'o1', text: 'b' },
        ],
      },
    ]),
  }),
);

const segment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '%00',
    '%ff',
    '%',
    '\u2028',
    'null',
    '-1',
    '1e9',
    'x'.repeat(3000),
    "'; drop table posts;--",
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

describe('hostile input sweep', () => {
  it('HTTP: random bodies, types, sizes, paths and queries never 5xx and change nothing', async () => {
    const before = await snapshot(cast.admin);
    const blogId = cast.blog.id;
    const writeRoutes: [string, string][] = [
      ['POST', '/api/v1/blogs'],
      ['PATCH', `/api/v1/blogs/${blogId}`],
      ['POST', `/api/v1/blogs/${blogId}/posts`],
      ['PATCH', `/api/v1/blogs/${blogId}/posts/${postId}`],
      // The workflow steps on a published post: every answer is a 4xx (nothing to submit,
      // publish or return), whatever the body.
      ['POST', `/api/v1/blogs/${blogId}/posts/${postId}/submit`],
      ['POST', `/api/v1/blogs/${blogId}/posts/${postId}/publish`],
      ['POST', `/api/v1/blogs/${blogId}/posts/${postId}/return`],
      ['POST', '/api/v1/users'],
      ['PUT', `/api/v1/blogs/${blogId}/members/${cast.users.editor.id}`],
      ['POST', `/api/v1/blogs/${blogId}/invitations`],
      ['POST', `/api/v1/blogs/${blogId}/media`],
      ['PATCH', `/api/v1/blogs/${blogId}/media/${mediaId}`],
      ['PATCH', `/api/v1/users/${cast.users.editor.id}`],
      ['POST', `/api/v1/blogs/${blogId}/questions`],
      ['PATCH', `/api/v1/blogs/${blogId}/questions/${questionId}`],
      ['POST', `/api/v1/blogs/${blogId}/questions/${questionId}/answer`],
      ['POST', `/api/v1/blogs/${blogId}/posts/${pollPostId}/votes`],
      ['POST', `/api/v1/blogs/${blogId}/posts/${pollPostId}/reactions`],
      ['POST', `/api/v1/blogs/${blogId}/posts/${postId}/votes`],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/invitations/accept'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['POST', '/api/v1/me/tokens'],
      ['POST', '/websub'],
      ['POST', `/api/v1/blogs/${blogId}/push-subscriptions`],
    ];
    const tokens = [server.adminToken, cast.users.editor.token, cast.users.contributor.token, 'bogus', undefined];
    const contentTypes = [
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      '',
    ];

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writeRoutes),
        badBody,
        fc.constantFrom(...tokens),
        fc.constantFrom(...contentTypes),
        fc.boolean(),
        async ([method, path], body, token, contentType, sendRawString) => {
          const api = createApi(server.url, token);
          const payload = sendRawString && typeof body === 'string' ? body : JSON.stringify(body);
          const res = await api.raw(method, path, {
            body: payload,
            headers: contentType ? { 'content-type': contentType } : {},
          });
          counts.httpBodies = (counts.httpBodies ?? 0) + 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(
            res.status,
            `${method} ${path} ${payload.slice(0, 200)} → ${res.text.slice(0, 300)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );

    // Garbage paths and query strings on every read and write route.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
        fc.constantFrom(
          '/api/v1/blogs/',
          `/api/v1/blogs/${blogId}/posts/`,
          `/api/v1/blogs/${blogId}/members/`,
          `/api/v1/blogs/${blogId}/questions/`,
          `/api/v1/blogs/${blogId}/posts/${pollPostId}/`,
          `/api/v1/blogs/${blogId}/tallies?posts=`,
          `/api/v1/blogs/${blogId}/media/`,
          `/api/v1/blogs/${blogId}/push-subscriptions/`,
          '/websub/',
          '/push/',
          '/media/',
          '/api/v1/users/',
          '/api/v1/me/tokens/',
          `/api/v1/blogs/${blogId}/audit`,
          '/auth/oidc/',
          '/api/v1/',
          '/live/',
          '/embed/',
          '/collab/',
        ),
        segment,
        fc.constantFrom(
          '',
          '?since=-1',
          '?since=abc',
          '?since=1e400',
          '?limit=0',
          '?limit=101',
          '?limit=1.5',
          '?before=%ff%fe',
          '?before=bm90IGEgY3Vyc29y',
          '?status=deleted',
          '?url=javascript:1',
          '?since=99999999999999999999',
        ),
        async (method, prefix, seg, query) => {
          const path = `${prefix}${seg}${method === 'GET' ? `/changes${query}` : query}`;
          const res = await createApi(server.url, cast.users.contributor.token).raw(
            method,
            path,
            method === 'GET' ? {} : { body: '{}' },
          );
          counts.httpPaths = (counts.httpPaths ?? 0) + 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(res.status, `${method} ${path} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );

    // Pages, feeds, oEmbed and assets: garbage slugs, names and queries. Never 5xx; every
    // answer is also held against /openapi.json by the response check (test/setup.ts).
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/live/', '/embed/', '/assets/', '/live/{}/feed.atom', '/oembed?url=', '/oembed?format='),
        segment,
        fc.constantFrom('', '?before=%ff', '?before=bm90IGEgY3Vyc29y', '&maxwidth=-1', '&maxheight=1e9', '&format=xml'),
        async (route, seg, extra) => {
          const path = route.includes('{}') ? route.replace('{}', seg) : `${route}${seg}${extra}`;
          const res = await cast.anon.raw('GET', path);
          counts.httpPaths = (counts.httpPaths ?? 0) + 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          // 501 is oEmbed's declared answer to a format other than json, not a failure.
          if (res.status !== 501) expect(res.status, `GET ${path} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );

    // Oversized bodies: 413 with Connection: close, so a keep-alive client never reuses a
    // connection the server is about to drop (found by this sweep: the next request failed).
    const huge = JSON.stringify({ title: 'x'.repeat(1_100_000) });
    for (let i = 0; i < 5; i++) {
      const res = await cast.admin.raw('POST', '/api/v1/blogs', { body: huge });
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect((await cast.anon.raw('GET', `/api/v1/blogs/${blogId}`)).status).toBe(200);
    }

    // Posts whose event would be too large for readers (valid shape, under the body limit):
    // 413 naming MAX_EVENT_BYTES, nothing written.
    const tooBig = { blocks: Array.from({ length: 30 }, () => text(`<p>${'w'.repeat(19_000)}</p>`)) };
    for (const [method, path] of [
      ['POST', `/api/v1/blogs/${blogId}/posts`],
      ['PATCH', `/api/v1/blogs/${blogId}/posts/${postId}`],
    ] as const) {
      const res = await cast.editor.raw(method, path, { body: tooBig });
      expect(res.status, `${method} ${path}`).toBe(413);
      expect(res.text).toContain('MAX_EVENT_BYTES');
    }

    // /metrics behind METRICS_TOKEN: any other Authorization is a 401, never a 5xx.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.string({ maxLength: 100 }).map((t) => `Bearer ${t}`),
          fc.constantFrom('Bearer', 'Bearer ', `bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN),
        ),
        async (authorization) => {
          counts.metricsAuth = (counts.metricsAuth ?? 0) + 1;
          let res: Response;
          try {
            res = await fetch(`${server.url}/metrics`, { headers: { authorization } });
          } catch {
            return; // a header value fetch itself refuses to send
          }
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(res.status, authorization).toBe(401);
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status,
    ).toBe(200);

    // Hostile Host headers and absolute-form targets on the pages: never 5xx, never echoed
    // into a link (PUBLIC_URL is unset here, so only loopback hosts are believed).
    const pageTargets = [
      `/live/${cast.blog.slug}`,
      `/live/${cast.blog.slug}/feed.atom`,
      `/embed/${cast.blog.slug}`,
      `/oembed?url=${encodeURIComponent(`http://127.0.0.1:${server.port}/live/${cast.blog.slug}`)}`,
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...pageTargets),
        fc.oneof(
          fc.constantFrom(
            'evil.example',
            'evil.example:443',
            'localhost.evil.example',
            '127.0.0.1.evil.example',
            '[::2]',
          ),
          fc.stringMatching(/^[a-z0-9.-]{1,40}(:[0-9]{1,5})?$/),
        ),
        fc.boolean(),
        async (path, host, absolute) => {
          counts.hostHeaders = (counts.hostHeaders ?? 0) + 1;
          const target = absolute ? `http://${host}${path}` : path;
          const res = await rawGet(server.port, target, absolute ? `127.0.0.1:${server.port}` : host);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(res.status, `${target} Host: ${host}`).toBeLessThan(500);
          expect(res.status).toBeGreaterThan(0);
          const links = res.text.match(/(?:href|content|src)="https?:\/\/[^"/]*/g) ?? [];
          for (const l of links) {
            const linked = l.replace(/^[a-z]+="https?:\/\//, '');
            expect(['localhost', '127.0.0.1'].some((ok) => linked.startsWith(ok)) || !linked.includes(host), l).toBe(
              true,
            );
          }
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );

    // Queries on the real read routes.
    for (const q of ['?since=-1', '?since=abc', '?since=', '?since=1.5', '?since=1e3']) {
      const res = await cast.anon.raw('GET', `/api/v1/blogs/${blogId}/changes${q}`);
      expect(res.status, q).toBe(400);
    }
    // The Server-Sent Events route: bad since and Last-Event-ID are 400s before any stream opens.
    for (const q of ['?since=-1', '?since=abc', '?since=', '?since=1.5', '?since=1e3', '?x=1']) {
      const res = await cast.anon.raw('GET', `/api/v1/blogs/${blogId}/events${q}`);
      expect(res.status, q).toBe(400);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).filter((v) => !/^\s*\d{1,15}\s*$/.test(v) && !/[\r\n\0]/.test(v)),
        async (lastEventId) => {
          const res = await fetch(`${server.url}/api/v1/blogs/${blogId}/events`, {
            headers: { 'last-event-id': encodeURIComponent(lastEventId) },
          });
          const body = res.headers.get('content-type')?.includes('event-stream') ? '(stream)' : await res.text();
          if (res.status === 200) await res.body?.cancel();
          counts.httpPaths = (counts.httpPaths ?? 0) + 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(res.status, `Last-Event-ID ${lastEventId} → ${body.slice(0, 200)}`).toBe(400);
        },
      ),
      { numRuns: Math.min(RUNS, 200) },
    );
    // Unsubscribing a push endpoint: a missing or malformed endpoint is a 400, an unknown one a 404.
    for (const [q, status] of [
      ['', 400],
      ['?endpoint=', 400],
      ['?endpoint=not%20a%20url', 400],
      ['?endpoint=https%3A%2F%2Fpush.example.net%2Fnobody', 404],
    ] as const) {
      const res = await cast.anon.raw('DELETE', `/api/v1/blogs/${blogId}/push-subscriptions${q}`);
      expect(res.status, q).toBe(status);
    }
    for (const q of ['?limit=0', '?limit=101', '?limit=x', '?before=%%%', '?before=bm90IGEgY3Vyc29y']) {
      const res = await cast.anon.raw('GET', `/api/v1/blogs/${blogId}/posts${q}`);
      expect(res.status, q).toBe(400);
    }

    for (const q of [
      '?from=x',
      '?to=1',
      '?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      '?from=2000-01-01T00:00:00Z',
      '?extra=1',
      '?from=%ff',
    ]) {
      const res = await cast.editor.raw('GET', `/api/v1/blogs/${blogId}/audience${q}`);
      expect(res.status, q).toBe(400);
    }

    // The read model's negotiation: any Accept-Encoding and If-None-Match on the public reads
    // answers 200 or 304, never 5xx, and the bytes (decoded by fetch) are the identity bytes.
    const publicReads = [
      `/api/v1/blogs/${blogId}/posts`,
      `/api/v1/blogs/${blogId}/summary`,
      `/live/${cast.blog.slug}`,
      `/live/${cast.blog.slug}/feed.json`,
      '/embed.js',
    ];
    const identity = new Map<string, string>();
    for (const path of publicReads) identity.set(path, await (await fetch(`${server.url}${path}`)).text());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...publicReads),
        fc.oneof(
          fc.constantFrom(
            'br;q=0',
            'gzip;q=x',
            '*;q=0',
            'identity;q=0',
            'br;q=1.5, gzip;q=-1',
            ',,,',
            'x'.repeat(4000),
          ),
          fc.stringMatching(/^[a-z*;=.,0-9 ]{0,60}$/),
        ),
        fc.oneof(fc.constant(''), fc.constantFrom('*', 'W/"x"', '"', 'x'.repeat(4000)), fc.string({ maxLength: 60 })),
        async (path, acceptEncoding, ifNoneMatch) => {
          counts.httpPaths = (counts.httpPaths ?? 0) + 1;
          let res: Response;
          try {
            res = await fetch(`${server.url}${path}`, {
              headers: { 'accept-encoding': acceptEncoding, ...(ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {}) },
            });
          } catch {
            return; // a header value fetch itself refuses to send
          }
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          const label = `${path} AE=${acceptEncoding.slice(0, 80)} INM=${ifNoneMatch.slice(0, 80)}`;
          expect([200, 304], label).toContain(res.status);
          expect(res.headers.get('vary') ?? '', label).toMatch(/Accept-Encoding/);
          if (res.status === 200) expect(await res.text(), label).toBe(identity.get(path));
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );

    expect(await snapshot(cast.admin)).toBe(before);
    console.log(
      `[sweep] http: ${counts.httpBodies} bodies, ${counts.httpPaths} paths, ${counts.metricsAuth} metrics auths, ` +
        `${counts.hostHeaders} hosts; statuses ${JSON.stringify(statuses)}`,
    );
  }, 120_000); // bounded by RUNS; every answer is also checked against /openapi.json

  it('uploads: garbage behind every accepted signature, in the right field or a wrong one, is a 4xx and stores nothing', async () => {
    const before = await snapshot(cast.admin);
    const blogId = cast.blog.id;
    const signatures = [
      Buffer.alloc(0),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('GIF89a'),
      Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8 ', 'latin1'),
      Buffer.from('\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1', 'latin1'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg">'),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...signatures),
        fc.uint8Array({ maxLength: 4096 }),
        fc.constantFrom('file', 'image', 'File', ''),
        fc.dictionary(fc.constantFrom('alt', 'caption', 'credit', 'owner'), fc.string({ maxLength: 600 }), {
          maxKeys: 3,
        }),
        fc.constantFrom(cast.users.editor.token, cast.users.contributor.token, 'bogus', undefined),
        async (signature, rest, field, fields, token) => {
          const res = await upload(server.url, token, blogId, Buffer.concat([signature, rest]), { field, fields });
          counts.uploads = (counts.uploads ?? 0) + 1;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          expect(
            res.status,
            `${field} ${signature.toString('latin1')} → ${JSON.stringify(res.body).slice(0, 300)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );

    expect(await snapshot(cast.admin)).toBe(before);
    expect((await cast.anon.raw('GET', `/api/v1/blogs/${blogId}`)).status).toBe(200);
  }, 180_000);

  it('Socket.IO: garbage payloads get error acks or are ignored; the server keeps serving', async () => {
    const before = await snapshot(cast.admin);
    const connect = async () => {
      const s = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      await waitFor(() => s.connected, { what: 'socket connect' });
      return s;
    };
    let socket = await connect();
    let acks = 0;
    let cutForSize = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('subscribe', 'unsubscribe', 'event', 'heartbeat', 'x'.repeat(200), '__proto__'),
        nasty,
        async (name, payload) => {
          counts.socketPayloads = (counts.socketPayloads ?? 0) + 1;
          if (!socket.connected) socket = await connect();
          const size = (JSON.stringify(payload) ?? '').length + name.length;
          try {
            if (name !== 'subscribe' && name !== 'unsubscribe') {
              // Events the server does not handle get no ack: fire them, then prove the socket
              // is still served with a cheap acknowledged request.
              socket.emit(name as 'subscribe', payload as never);
              const alive = await socket.timeout(2000).emitWithAck('unsubscribe', { blogId: 'nope' });
              expect(alive).toMatchObject({ ok: false });
              return;
            }
            const ack = await socket.timeout(2000).emitWithAck(name, payload as never);
            expect(ack).toMatchObject({ ok: false });
            acks += 1;
          } catch (err) {
            // The only acceptable cut: a packet over the server's 16 KiB buffer limit.
            if (socket.connected || size < 16 * 1024) throw err;
            cutForSize += 1;
          }
        },
      ),
      { numRuns: RUNS },
    );
    socket.close();

    // Raw engine.io/socket.io frames: random text and binary on a bare WebSocket.
    const wsUrl = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((t) => `42${t}`),
          fc.string({ maxLength: 200 }).map((t) => `4${t}`),
          fc.uint8Array({ maxLength: 300 }),
        ),
        async (frame) => {
          counts.socketFrames = (counts.socketFrames ?? 0) + 1;
          const ws = new WebSocket(wsUrl);
          await new Promise<void>((resolve, reject) => {
            ws.once('message', () => resolve()); // engine.io "open" packet
            ws.once('error', reject);
          });
          ws.send('40'); // socket.io CONNECT to the default namespace
          ws.send(frame);
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 100);
            ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
          });
          ws.terminate();
        },
      ),
      { numRuns: Math.min(RUNS, 300) },
    );

    // A fresh reader still subscribes normally.
    const reader = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const refusedWith = await new Promise<string | null>((resolve) => {
      reader.once('connect', () => resolve(null));
      reader.once('connect_error', (err) => resolve(err.message));
    });
    expect(refusedWith, 'a fresh reader is let in').toBeNull();
    const ack = await reader.timeout(5000).emitWithAck('subscribe', { blogId: cast.blog.id, sinceSeq: 0 });
    expect(ack).toMatchObject({ ok: true, blogId: cast.blog.id });
    reader.close();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await snapshot(cast.admin)).toBe(before);
    console.log(
      `[sweep] socket.io: ${counts.socketPayloads} payloads (${acks} subscribe/unsubscribe error acks, ` +
        `${cutForSize} cut for size), ${counts.socketFrames} raw frames`,
    );
  }, 60_000);

  it('collab: random binary frames close that connection and leave the doc and server unharmed', async () => {
    const before = await snapshot(cast.admin);
    const wsUrl = `${server.url.replace('http', 'ws')}/collab/${cast.blog.id}?token=${cast.users.editor.token}`;
    let closedWithCode = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 512 }), async (frame) => {
        counts.collabFrames = (counts.collabFrames ?? 0) + 1;
        const ws = new WebSocket(wsUrl);
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        ws.send(frame);
        // Either the server closes it (bad frame) or the frame was a harmless valid message.
        const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(0), 300))]);
        if (code >= 4000) closedWithCode += 1;
        ws.terminate();
      }),
      { numRuns: Math.min(RUNS, 300) },
    );
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await snapshot(cast.admin)).toBe(before);
    console.log(`[sweep] collab: ${counts.collabFrames} frames, ${closedWithCode} closed with a 4xxx code`);
  });

  it('collab: bursts of frames on one connection (sync requests, awareness, garbage) are bounded', async () => {
    const before = await snapshot(cast.admin);
    const wsUrl = `${server.url.replace('http', 'ws')}/collab/${cast.blog.id}?token=${cast.users.editor.token}`;
    // Frames that make the server answer with the whole doc or all presence, cheap ones, and noise.
    const frame = fc.oneof(
      fc.constant(Uint8Array.of(0, 0, 1, 0)),
      fc.constant(Uint8Array.of(3)),
      fc.constant(Uint8Array.of(1, 1, 0)),
      fc.uint8Array({ minLength: 0, maxLength: 64 }),
    );
    let cut = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 400 }), fc.boolean(), async (burst, reads) => {
        counts.collabFrames = (counts.collabFrames ?? 0) + burst.length;
        const ws = new WebSocket(wsUrl);
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        if (!reads) ws.pause();
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        for (const f of burst) if (ws.readyState === ws.OPEN) ws.send(f);
        const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(0), 300))]);
        if (code >= 4000) cut += 1;
        ws.terminate();
      }),
      { numRuns: Math.min(RUNS, 60) },
    );
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await snapshot(cast.admin)).toBe(before);
    // A fresh editor still connects and syncs.
    const ws = new WebSocket(wsUrl);
    const first = await new Promise<Buffer>((resolve, reject) => {
      ws.once('message', (d: Buffer) => resolve(d));
      ws.once('error', reject);
    });
    expect(first.length).toBeGreaterThan(0);
    ws.terminate();
    console.log(`[sweep] collab bursts: ${cut} connections closed with a 4xxx code`);
  }, 60_000);
});

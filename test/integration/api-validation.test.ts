import { beforeAll, describe, expect, test } from 'vitest';
import type { ErrorBody } from '../../src/domain/index.js';
import { type RawResponse, setupBlog, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** Bad input is refused with a clear 4xx in the contract's error shape and changes nothing. */
let server: TestServer;
let cast: Awaited<ReturnType<typeof setupBlog>>;
let postId: string;

beforeAll(async () => {
  server = await startServer({ MAX_BODY_BYTES: '4096' });
  cast = await setupBlog(server.url, server.adminToken);
  // Blog creation is a granted right; the owner needs it for the POST /blogs cases.
  await cast.admin.patchUser(cast.users.owner.id, { canCreateBlogs: true });
  postId = (await cast.editor.createPost(cast.blog.id, { blocks: [text('<p>original</p>')] })).id;
  await cast.contributor.createPost(cast.blog.id, { blocks: [text('a draft')], status: 'draft' });
});

/** Everything a reader or editor could observe about the blog. */
async function snapshot() {
  const blog = await cast.admin.getBlog(cast.blog.id);
  const published = await cast.admin.listPosts(cast.blog.id, { limit: 100 });
  const drafts = await cast.admin.listPosts(cast.blog.id, { limit: 100, status: 'draft' });
  const members = await cast.admin.listMembers(cast.blog.id);
  const blogs = await cast.admin.listBlogs({ limit: 100 });
  return { blog, published, drafts, members, blogs };
}

function expectError(res: RawResponse, status: number, code: string): ErrorBody['error'] {
  expect(res.status, res.text).toBe(status);
  const body = res.body as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  return body.error;
}

const posts = () => `/api/v1/blogs/${cast.blog.id}/posts`;
const post = () => `${posts()}/${postId}`;

describe('invalid bodies: 400 naming the field, nothing changed', () => {
  const cases: [string, 'POST' | 'PATCH' | 'PUT', () => string, unknown, string][] = [
    ['no blocks', 'POST', posts, { status: 'published' }, 'blocks'],
    ['empty text block', 'POST', posts, { blocks: [text('ok'), text('<script>x</script>')] }, 'blocks.1.html'],
    ['unknown block type', 'POST', posts, { blocks: [{ type: 'video', url: 'https://e.com' }] }, 'blocks.0.type'],
    ['extra field', 'POST', posts, { blocks: [text('ok')], seq: 99 }, 'seq'],
    [
      'client markup on embed',
      'POST',
      posts,
      { blocks: [{ type: 'embed', url: 'https://e.com', html: '<b>' }] },
      'blocks.0.html',
    ],
    [
      'wrong provider',
      'POST',
      posts,
      { blocks: [{ type: 'embed', url: 'https://e.com/x', provider: 'youtube' }] },
      'blocks.0.provider',
    ],
    [
      'javascript image',
      'POST',
      posts,
      { blocks: [{ type: 'image', url: 'javascript:alert(1)', alt: '' }] },
      'blocks.0.url',
    ],
    // Cleaned to nothing: was a 500 when published, and a stored draft that could never be published.
    ['quote of control characters', 'POST', posts, { blocks: [{ type: 'quote', text: '\u0001' }] }, 'blocks.0.text'],
    [
      'draft quote of control characters',
      'POST',
      posts,
      { blocks: [{ type: 'quote', text: '\u0085' }], status: 'draft' },
      'blocks.0.text',
    ],
    [
      'patch quote of control characters',
      'PATCH',
      post,
      { blocks: [{ type: 'quote', text: '\u0007' }] },
      'blocks.0.text',
    ],
    ['bad status', 'POST', posts, { blocks: [text('ok')], status: 'deleted' }, 'status'],
    ['pinned not boolean', 'PATCH', post, { pinned: 'yes' }, 'pinned'],
    ['empty patch', 'PATCH', post, {}, '(root)'],
    ['patch with empty block', 'PATCH', post, { blocks: [text('<p> </p>')] }, 'blocks.0.html'],
    ['bad blog slug', 'PATCH', () => `/api/v1/blogs/${cast.blog.id}`, { slug: 'Bad Slug' }, 'slug'],
    ['bad origin', 'PATCH', () => `/api/v1/blogs/${cast.blog.id}`, { allowedOrigins: ['evil'] }, 'allowedOrigins.0'],
    [
      'bad role',
      'PUT',
      () => `/api/v1/blogs/${cast.blog.id}/members/${cast.users.outsider.id}`,
      { role: 'king' },
      'role',
    ],
    ['array body', 'POST', () => '/api/v1/blogs', [], '(root)'],
  ];

  test.each(cases)('%s', async (_name, method, path, body, field) => {
    const before = await snapshot();
    const res = await cast.owner.raw(method, path(), { body });
    const err = expectError(res, 400, 'validation_failed');
    expect(err.message).toContain(field);
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    expect(await snapshot()).toEqual(before);
  });
});

describe('malformed requests', () => {
  test('malformed JSON → 400 bad_request, nothing changed', async () => {
    const before = await snapshot();
    for (const body of ['{', '{"blocks": [', 'null x', '']) {
      const res = await cast.editor.raw('POST', posts(), { body, headers: { 'content-type': 'application/json' } });
      expectError(res, 400, 'bad_request');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('wrong content type → 400', async () => {
    const res = await cast.editor.raw('POST', posts(), {
      body: JSON.stringify({ blocks: [text('x')] }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(expectError(res, 400, 'bad_request').message).toMatch(/Content-Type/);
  });

  test('a body over MAX_BODY_BYTES → 413, nothing changed', async () => {
    const before = await snapshot();
    const big = { blocks: [text('x'.repeat(5000))] };
    expectError(await cast.editor.raw('POST', posts(), { body: big }), 413, 'payload_too_large');
    expect(await snapshot()).toEqual(before);
  });

  test('a chunked body over the limit (no Content-Length) → 413', async () => {
    const chunk = new TextEncoder().encode(`{"blocks":[{"type":"text","html":"${'y'.repeat(3000)}`);
    const stream = new ReadableStream({
      start(ctrl) {
        ctrl.enqueue(chunk);
        ctrl.enqueue(chunk);
        ctrl.close();
      },
    });
    const res = await fetch(`${server.url}${posts()}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cast.users.editor.token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  test('bad query values → 400 naming the parameter', async () => {
    for (const [q, field] of [
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['limit=abc', 'query.limit'],
      ['status=deleted', 'query.status'],
    ]) {
      const err = expectError(await cast.anon.raw('GET', `${posts()}?${q}`), 400, 'validation_failed');
      expect(err.message).toContain(field);
    }
    const err = expectError(
      await cast.anon.raw('GET', `/api/v1/blogs/${cast.blog.id}/changes?since=-1`),
      400,
      'validation_failed',
    );
    expect(err.message).toContain('query.since');
  });
});

describe('not found', () => {
  test('unknown routes, blogs, posts and users answer 404 in the error shape', async () => {
    expectError(await cast.anon.raw('GET', '/api/v1/nope'), 404, 'not_found');
    expectError(await cast.anon.raw('GET', '/no/such/page'), 404, 'not_found');
    expectError(await cast.anon.raw('GET', '/api/v1/blogs/no-such-blog'), 404, 'not_found');
    expectError(await cast.anon.raw('GET', '/api/v1/blogs/no-such-blog/posts'), 404, 'not_found');
    expectError(await cast.anon.raw('GET', `${posts()}/nosuchpost`), 404, 'not_found');
    expectError(await cast.editor.raw('PATCH', `${posts()}/nosuchpost`, { body: { pinned: true } }), 404, 'not_found');
    expectError(await cast.editor.raw('DELETE', `${posts()}/nosuchpost`), 404, 'not_found');
    expectError(await cast.anon.raw('GET', `${posts()}/bad%20id`), 400, 'validation_failed');
  });
});

describe('request ids', () => {
  test('a sane incoming X-Request-Id is echoed; an unsafe one is replaced', async () => {
    const ok = await cast.anon.raw('GET', '/api/v1/blogs/no-such-blog', { headers: { 'x-request-id': 'abc-123' } });
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    expect((ok.body as ErrorBody).error.requestId).toBe('abc-123');
    const bad = await cast.anon.raw('GET', '/api/v1/blogs', { headers: { 'x-request-id': 'evil <script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[a-z0-9]{21}$/);
  });
});

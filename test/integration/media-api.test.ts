import { connect } from 'node:net';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Media, Post } from '../../src/domain/index.js';
import { setupBlog } from '../helpers/api.js';
import { jpeg, phoneJpeg, png, pngHeader, SVG } from '../helpers/images.js';
import { diskBackend, type MediaBackend, s3Backend, upload, uploadOk } from '../helpers/media.js';
import { startS3 } from '../helpers/s3.js';
import { startServer, type TestServer, tempDataDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const QUOTA = 3_000_000;

async function backends(): Promise<MediaBackend[]> {
  return [diskBackend(tempDataDir()), s3Backend(await startS3(), tempDataDir())];
}

async function refusedUploads(server: TestServer): Promise<number> {
  const m = await server.app.deps.metrics.mediaUploads.get();
  return m.values.filter((v) => v.labels.outcome === 'refused').reduce((n, v) => n + v.value, 0);
}

for (const backend of await backends()) {
  describe(`media API on ${backend.name}`, async () => {
    const server = await startServer({
      ...backend.env,
      MEDIA_QUOTA_BYTES: String(QUOTA),
      MEDIA_MAX_FILE_BYTES: String(3_000_000),
      MEDIA_MAX_PIXELS: String(30_000_000),
    });
    const cast = await setupBlog(server.url, server.adminToken);
    const { blog } = cast;
    const token = (who: 'owner' | 'editor' | 'contributor' | 'outsider') => cast.users[who].token;

    /** Nothing stored, nothing spooled: the invariant every refused upload keeps. */
    const assertUnchanged = async (objectsBefore: string[]) => {
      expect((await backend.objects()).sort()).toEqual(objectsBefore.sort());
      expect(backend.tempFiles()).toEqual([]);
    };

    it('an editor uploads a photo: the contract shape, and its variants served immutable, typed, nosniff, with ETag and ranges', async () => {
      const res = await upload(server.url, token('editor'), blog.id, await phoneJpeg(1000, 800, 6), {
        fields: { alt: 'Fire crews on the bridge', credit: 'Ann Reporter' },
        type: 'text/html',
        filename: 'evil.html',
      });
      expect(res.status).toBe(201);
      const m = res.body as Media;
      expect(Object.keys(m)).toEqual(
        expect.arrayContaining([
          'id',
          'url',
          'width',
          'height',
          'type',
          'variants',
          'placeholder',
          'alt',
          'caption',
          'credit',
        ]),
      );
      // Orientation 6 applied: portrait, 800 wide, so the variants are 320, 640 and 800 wide.
      expect([m.width, m.height]).toEqual([800, 1000]);
      expect(m.type).toBe('image/jpeg');
      expect(m.alt).toBe('Fire crews on the bridge');
      expect(m.credit).toBe('Ann Reporter');
      expect(m.caption).toBeNull();
      expect(m.variants.map((v) => `${v.type}@${v.width}`)).toEqual(
        ['image/avif', 'image/webp', 'image/jpeg'].flatMap((t) => [800, 640, 320].map((w) => `${t}@${w}`)),
      );
      expect(m.url.startsWith(`${server.url}/media/`)).toBe(true);
      expect((await backend.objects()).length).toBe(9);

      for (const v of m.variants) {
        const got = await fetch(v.url);
        expect(got.status).toBe(200);
        expect(got.headers.get('content-type')).toBe(v.type);
        expect(got.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(got.headers.get('x-content-type-options')).toBe('nosniff');
        const bytes = Buffer.from(await got.arrayBuffer());
        const meta = await sharp(bytes).metadata();
        expect([meta.width, meta.height]).toEqual([v.width, v.height]);
        expect(meta.exif).toBeUndefined();
        expect(bytes.includes('SecretModel X')).toBe(false);
      }
      const etag = (await fetch(m.url)).headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
      expect((await fetch(m.url, { headers: { 'if-none-match': etag } })).status).toBe(304);
      const part = await fetch(m.url, { headers: { range: 'bytes=0-99' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
      expect((await part.arrayBuffer()).byteLength).toBe(100);
      const past = await fetch(m.url, { headers: { range: 'bytes=99999999-' } });
      expect(past.status).toBe(416);
      const head = await fetch(m.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    });

    it('unknown and malformed media keys are JSON 404s', async () => {
      for (const key of [`${'a'.repeat(64)}.jpeg`, 'x.jpeg', '..%2F..%2Fetc%2Fpasswd', `${'a'.repeat(64)}.svg`]) {
        const res = await fetch(`${server.url}/media/${key}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
      }
    });

    it('contributors may upload; anonymous, outsiders and members of another blog may not, and nothing is stored', async () => {
      const photo = await jpeg(400, 300);
      const before = await backend.objects();
      expect((await upload(server.url, undefined, blog.id, photo)).status).toBe(401);
      expect((await upload(server.url, token('outsider'), blog.id, photo)).status).toBe(403);
      const other = await setupBlog(server.url, server.adminToken, 'Another blog');
      expect((await upload(server.url, other.users.editor.token, blog.id, photo)).status).toBe(403);
      await assertUnchanged(before);
      const m = await uploadOk(server.url, token('contributor'), blog.id, photo);
      expect(m.uploadedBy.name).toBe('contributor user');
      // Another blog's item is not reachable through this blog, nor usable in its posts.
      expect((await cast.editor.raw('GET', `/api/v1/blogs/${other.blog.id}/media/${m.id}`)).status).toBe(403);
      expect((await other.editor.raw('GET', `/api/v1/blogs/${other.blog.id}/media/${m.id}`)).status).toBe(404);
      expect((await other.editor.raw('DELETE', `/api/v1/blogs/${other.blog.id}/media/${m.id}`)).status).toBe(404);
      const foreign = await other.editor.raw('POST', `/api/v1/blogs/${other.blog.id}/posts`, {
        body: { blocks: [{ type: 'image', mediaId: m.id, alt: 'x' }] },
      });
      expect(foreign.status).toBe(400);
      expect(JSON.stringify(foreign.body)).toContain('blocks.0.mediaId');
    });

    it('bad files get clear 4xx errors in the error body; nothing is stored and no temporary file is left', async () => {
      const before = await backend.objects();
      const usage = await server.app.deps.store.mediaUsage(blog.id);
      const photo = await jpeg(800, 600);
      const cases: [string, Promise<{ status: number; body: unknown }>, number, RegExp][] = [
        [
          'wrong field name',
          upload(server.url, token('editor'), blog.id, photo, { field: 'image' }),
          400,
          /field named file/,
        ],
        ['SVG', upload(server.url, token('editor'), blog.id, SVG, { type: 'image/svg+xml' }), 415, /SVG/],
        ['0-byte file', upload(server.url, token('editor'), blog.id, new Uint8Array(0)), 400, /empty/],
        [
          'truncated JPEG',
          upload(server.url, token('editor'), blog.id, photo.subarray(0, photo.length / 2)),
          400,
          /truncated/,
        ],
        [
          '100,000 × 100,000 PNG',
          upload(server.url, token('editor'), blog.id, pngHeader(100_000, 100_000)),
          413,
          /pixels/,
        ],
        [
          'over the size limit',
          upload(server.url, token('editor'), blog.id, new Uint8Array(3_000_001)),
          413,
          /exceeds/,
        ],
        [
          'HTML named .jpg',
          upload(server.url, token('editor'), blog.id, Buffer.from('<html><script>1</script>')),
          415,
          /markup/,
        ],
      ];
      for (const [what, pending, status, message] of cases) {
        const res = await pending;
        expect(res.status, what).toBe(status);
        const err = (res.body as { error: { code: string; message: string } }).error;
        expect(err.message, what).toMatch(message);
      }
      await assertUnchanged(before);
      expect(await server.app.deps.store.mediaUsage(blog.id)).toBe(usage);
    });

    it('a request cut mid-upload is refused and leaves nothing behind', async () => {
      const before = await backend.objects();
      const refused = await refusedUploads(server);
      const photo = await jpeg(800, 600);
      const head = [
        `POST /api/v1/blogs/${blog.id}/media HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${token('editor')}`,
        'Content-Type: multipart/form-data; boundary=cut-here',
        `Content-Length: ${photo.length + 500}`,
        '',
        '--cut-here',
        'Content-Disposition: form-data; name="file"; filename="a.jpg"',
        'Content-Type: image/jpeg',
        '',
        '',
      ].join('\r\n');
      const sock = connect(server.port, '127.0.0.1');
      await new Promise<void>((resolve) => sock.once('connect', resolve));
      sock.write(head);
      // Half the file, then the connection dies (the written callback: the bytes left this process).
      await new Promise<void>((resolve, reject) =>
        sock.write(photo.subarray(0, Math.floor(photo.length / 2)), (err) => (err ? reject(err) : resolve())),
      );
      sock.destroy();
      await waitFor(async () => (await refusedUploads(server)) > refused, {
        what: 'the server to refuse the cut upload',
      });
      await assertUnchanged(before);
      // The server still serves.
      expect((await upload(server.url, token('editor'), blog.id, await png(50, 50))).status).toBe(201);
    });

    it('the quota per blog: an upload that would pass it gets 413 and nothing is stored', async () => {
      // A second server with a small quota, on the same database and media storage.
      const small = await startServer({ ...backend.env, MEDIA_QUOTA_BYTES: '120000' });
      const quotaBlog = await setupBlog(small.url, small.adminToken, 'Quota blog');
      const results: number[] = [];
      let stored = 0;
      // Distinct photos (no shared objects) until the quota refuses one: bounded at 10.
      for (let i = 0; i < 10 && !results.includes(413); i++) {
        const before = await backend.objects();
        const res = await upload(
          small.url,
          quotaBlog.users.editor.token,
          quotaBlog.blog.id,
          await jpeg(500 + i * 10, 375),
        );
        results.push(res.status);
        if (res.status === 201) stored++;
        else {
          expect((res.body as { error: { message: string } }).error.message).toMatch(/quota/);
          await assertUnchanged(before);
        }
      }
      expect(results.at(-1)).toBe(413);
      expect(stored).toBeGreaterThan(0);
      const list = await quotaBlog.editor.raw('GET', `/api/v1/blogs/${quotaBlog.blog.id}/media`);
      const body = list.body as { media: Media[]; usage: { bytes: number; quotaBytes: number } };
      expect(body.media).toHaveLength(stored);
      expect(body.usage.quotaBytes).toBe(120_000);
      expect(body.usage.bytes).toBeLessThanOrEqual(120_000);
    }, 120_000);

    it('posts: mediaId resolves to variants; alt text is required to publish; a used item cannot be deleted', async () => {
      const m = await uploadOk(server.url, token('editor'), blog.id, await jpeg(900, 600));
      const noAlt = await cast.editor.raw('POST', `/api/v1/blogs/${blog.id}/posts`, {
        body: { blocks: [{ type: 'image', mediaId: m.id }] },
      });
      expect(noAlt.status).toBe(400);
      expect(JSON.stringify(noAlt.body)).toContain('blocks.0.alt');
      // A draft may lack it; publishing it then needs it.
      const draft = await cast.editor.createPost(blog.id, {
        status: 'draft',
        blocks: [{ type: 'image', mediaId: m.id }],
      });
      expect(
        (
          await cast.editor.raw('PATCH', `/api/v1/blogs/${blog.id}/posts/${draft.id}`, {
            body: { status: 'published' },
          })
        ).status,
      ).toBe(400);
      // Describe it in the library: blocks that do not override alt take it from there.
      const patched = await cast.editor.raw('PATCH', `/api/v1/blogs/${blog.id}/media/${m.id}`, {
        body: { alt: 'Traffic held at the bridge', caption: 'Ten past nine' },
      });
      expect(patched.status).toBe(200);
      expect((patched.body as Media).alt).toBe('Traffic held at the bridge');
      const post: Post = await cast.editor.createPost(blog.id, { blocks: [{ type: 'image', mediaId: m.id }] });
      const block = post.blocks[0]!;
      expect(block).toMatchObject({
        type: 'image',
        mediaId: m.id,
        url: m.url,
        alt: 'Traffic held at the bridge',
        caption: 'Ten past nine',
      });
      if (block.type !== 'image') throw new Error('not an image');
      expect(block.variants).toEqual(m.variants);
      expect([block.width, block.height]).toEqual([m.width, m.height]);

      const refused = await cast.editor.raw('DELETE', `/api/v1/blogs/${blog.id}/media/${m.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error: { code: 'conflict', details: { posts: [{ id: post.id, blogId: blog.id }] } },
      });
      expect((await fetch(m.url)).status).toBe(200);

      await cast.editor.deletePost(blog.id, post.id);
      const objectsBefore = (await backend.objects()).length;
      expect((await cast.editor.raw('DELETE', `/api/v1/blogs/${blog.id}/media/${m.id}`)).status).toBe(204);
      expect((await fetch(m.url)).status).toBe(404);
      expect((await backend.objects()).length).toBe(objectsBefore - m.variants.length);
      expect((await cast.editor.raw('GET', `/api/v1/blogs/${blog.id}/media/${m.id}`)).status).toBe(404);
    });

    it('the library lists newest first; contributors change only their own items', async () => {
      const mine = await uploadOk(server.url, token('contributor'), blog.id, await png(300, 200));
      const theirs = await uploadOk(server.url, token('editor'), blog.id, await png(310, 200));
      const list = (await cast.contributor.raw('GET', `/api/v1/blogs/${blog.id}/media?limit=2`)).body as {
        media: Media[];
      };
      expect(list.media.map((m) => m.id)).toEqual([theirs.id, mine.id]);
      const ok = await cast.contributor.raw('PATCH', `/api/v1/blogs/${blog.id}/media/${mine.id}`, {
        body: { alt: 'Mine' },
      });
      expect(ok.status).toBe(200);
      const no = await cast.contributor.raw('PATCH', `/api/v1/blogs/${blog.id}/media/${theirs.id}`, {
        body: { alt: 'x' },
      });
      expect(no.status).toBe(403);
      const bad = await cast.editor.raw('PATCH', `/api/v1/blogs/${blog.id}/media/${mine.id}`, { body: { owner: 'x' } });
      expect(bad.status).toBe(400);
      expect((await cast.anon.raw('GET', `/api/v1/blogs/${blog.id}/media`)).status).toBe(401);
    });
  });
}

import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../../deps.js';
import {
  DomainError,
  Id,
  MediaPatchInput,
  type MediaRecord,
  MediaUploadFields,
  notFound,
  type Principal,
  QueryInt,
  toMedia,
} from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, loadBlog } from '../access.js';
import type { HttpContext, HttpEnv } from '../context.js';
import { validationError } from '../errors.js';
import { mediaBase } from '../media-base.js';
import { requirePrincipal } from '../middleware/auth.js';
import { readUpload } from '../multipart.js';
import { readJson, readParam, readQuery } from '../validate.js';

export const MediaListQuery = z
  .object({
    limit: QueryInt(1, 100).default(50).describe('page size, 1 to 100 (default 50)'),
    before: Id.optional().describe('id of the last item of the previous page'),
  })
  .strict();

const MEDIA_FIELDS = ['alt', 'caption', 'credit'] as const;

const SOURCE_MIME = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
} as const;

function uploaderOf(p: Principal): MediaRecord['uploadedBy'] {
  return p.kind === 'admin' ? { id: 'admin', name: 'Admin' } : { id: p.user.id, name: p.user.name };
}

/**
 * The blog's photo library: upload (multipart, field `file`), list newest first, change the
 * describing text, delete. Contributors upload and manage their own items; editors and owners
 * manage everyone's. The encoded bytes live in MediaStorage and are served by media-files.ts.
 */
export function mediaRoutes(deps: Deps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const { store, config, media } = deps;

  /** Someone else's item needs media.manage; one's own only media.upload. */
  const mayChange = async (c: HttpContext, blogId: string, item: MediaRecord) => {
    const p = requirePrincipal(c);
    const own = p.kind === 'user' && item.uploadedBy.id === p.user.id;
    await authorizeAll(deps, p, blogId, [own ? 'media.upload' : 'media.manage']);
  };
  const readItem = async (blogId: string, c: HttpContext) => {
    const item = await store.getMedia(blogId, readParam(c, 'mediaId', Id));
    if (!item) throw notFound('media');
    return item;
  };

  app.post('/blogs/:blogId/media', async (c) => {
    try {
      const res = await upload(c);
      deps.metrics.mediaUploads.inc({ outcome: 'stored' });
      return res;
    } catch (err) {
      const client = err instanceof DomainError && !['internal', 'unavailable'].includes(err.code);
      deps.metrics.mediaUploads.inc({ outcome: client ? 'refused' : 'failed' });
      throw err;
    }
  });

  async function upload(c: HttpContext): Promise<Response> {
    // Whatever happens, the client may still be sending: closing tells it not to reuse the socket.
    c.header('Connection', 'close');
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    await authorizeAll(deps, p, blog.id, ['media.upload']);
    const quotaFull = () =>
      new DomainError('payload_too_large', `the blog's media quota of ${config.MEDIA_QUOTA_BYTES} bytes is used up`);
    if ((await store.mediaUsage(blog.id)) >= config.MEDIA_QUOTA_BYTES) throw quotaFull();
    const upload = await readUpload(c.req.raw, {
      maxFileBytes: config.MEDIA_MAX_FILE_BYTES,
      fileField: 'file',
      fieldNames: MEDIA_FIELDS,
    });
    const fields = MediaUploadFields.safeParse(upload.fields);
    if (!fields.success) throw validationError(fields.error);
    const record = await media.ingest(
      upload.file,
      async (bytes) => {
        if ((await store.mediaUsage(blog.id)) + bytes > config.MEDIA_QUOTA_BYTES) throw quotaFull();
      },
      async (image) => {
        const now = new Date().toISOString();
        return store.createMedia(
          {
            id: newId(),
            blogId: blog.id,
            width: image.width,
            height: image.height,
            source: { type: SOURCE_MIME[image.source.type], width: image.source.width, height: image.source.height },
            variants: image.variants.map((v) => ({
              key: v.key,
              width: v.width,
              height: v.height,
              type: v.contentType as MediaRecord['variants'][number]['type'],
            })),
            placeholder: image.placeholder.thumbhash,
            color: image.placeholder.color,
            alt: fields.data.alt,
            caption: fields.data.caption || null,
            credit: fields.data.credit || null,
            bytes: image.bytes,
            uploadedBy: uploaderOf(p),
            createdAt: now,
            updatedAt: now,
          },
          config.MEDIA_QUOTA_BYTES,
        );
      },
    );
    c.header('Connection', undefined);
    return c.json(toMedia(record, mediaBase(deps, c)), 201);
  }

  app.get('/blogs/:blogId/media', async (c) => {
    const blog = await loadBlog(deps, c);
    await authorizeAll(deps, c.get('principal'), blog.id, ['media.upload']);
    const q = readQuery(c, MediaListQuery);
    const [items, used] = await Promise.all([
      store.listMedia(blog.id, { limit: q.limit, before: q.before }),
      store.mediaUsage(blog.id),
    ]);
    const base = mediaBase(deps, c);
    c.header('Cache-Control', 'no-store');
    return c.json({
      media: items.map((m) => toMedia(m, base)),
      usage: { bytes: used, quotaBytes: config.MEDIA_QUOTA_BYTES },
    });
  });

  app.get('/blogs/:blogId/media/:mediaId', async (c) => {
    const blog = await loadBlog(deps, c);
    await authorizeAll(deps, c.get('principal'), blog.id, ['media.upload']);
    c.header('Cache-Control', 'no-store');
    return c.json(toMedia(await readItem(blog.id, c), mediaBase(deps, c)));
  });

  app.patch('/blogs/:blogId/media/:mediaId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    // A 403 must not depend on whether the item exists: judge the general right first.
    await authorizeAll(deps, p, blog.id, ['media.upload']);
    const item = await readItem(blog.id, c);
    await mayChange(c, blog.id, item);
    const patch = await readJson(c, MediaPatchInput);
    const next = await store.updateMedia(blog.id, item.id, patch, new Date().toISOString());
    return c.json(toMedia(next, mediaBase(deps, c)));
  });

  app.delete('/blogs/:blogId/media/:mediaId', async (c) => {
    const blog = await loadBlog(deps, c);
    const p = requirePrincipal(c);
    await authorizeAll(deps, p, blog.id, ['media.upload']);
    const item = await readItem(blog.id, c);
    await mayChange(c, blog.id, item);
    const { orphanKeys } = await store.deleteMedia(blog.id, item.id);
    // The row is gone first: an object left behind by a failed removal is harmless, a row
    // pointing at missing objects would not be.
    await media.remove(orphanKeys);
    return c.body(null, 204);
  });

  return app;
}

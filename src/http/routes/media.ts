import type { Deps } from '../../deps.js';
import {
  DomainError,
  type MediaRecord,
  MediaUploadFields,
  notFound,
  type Principal,
  toMedia,
} from '../../domain/index.js';
import { newId } from '../../lib/ids.js';
import { authorizeAll, blogFromPath, requireRights } from '../access.js';
import type { HttpContext } from '../context.js';
import * as routes from '../contract/media.js';
import { validationError } from '../errors.js';
import { mediaBase } from '../media-base.js';
import { requirePrincipal } from '../middleware/auth.js';
import { readUpload } from '../multipart.js';
import { newRouter } from '../openapi.js';
import { jsonBodyChecks } from '../validate.js';

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
export function mediaRoutes(deps: Deps) {
  const app = newRouter();
  const { store, config, media } = deps;

  /** Someone else's item needs media.manage; one's own only media.upload. */
  const mayChange = async (c: HttpContext, blogId: string, item: MediaRecord) => {
    const p = requirePrincipal(c);
    const own = p.kind === 'user' && item.uploadedBy.id === p.user.id;
    await authorizeAll(deps, p, blogId, [own ? 'media.upload' : 'media.manage']);
  };
  const readItem = async (blogId: string, mediaId: string) => {
    const item = await store.getMedia(blogId, mediaId);
    if (!item) throw notFound('media');
    return item;
  };
  // 404 for a missing or hidden blog, then 401/403: none of it depends on the body.
  const member = [blogFromPath(deps), requireRights(deps, ['media.upload'])];

  app.openapi({ ...routes.uploadMedia, middleware: member }, async (c) => {
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

  async function upload(c: HttpContext) {
    // Whatever happens, the client may still be sending: closing tells it not to reuse the socket.
    c.header('Connection', 'close');
    const blog = c.get('blog');
    const p = requirePrincipal(c);
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
    return c.json(toMedia(record, mediaBase(deps, c)), 201 as const);
  }

  app.openapi({ ...routes.listMedia, middleware: member }, async (c) => {
    const blog = c.get('blog');
    const q = c.req.valid('query');
    const [items, used] = await Promise.all([
      store.listMedia(blog.id, { limit: q.limit, before: q.before }),
      store.mediaUsage(blog.id),
    ]);
    const base = mediaBase(deps, c);
    c.header('Cache-Control', 'no-store');
    return c.json(
      { media: items.map((m) => toMedia(m, base)), usage: { bytes: used, quotaBytes: config.MEDIA_QUOTA_BYTES } },
      200,
    );
  });

  app.openapi({ ...routes.getMedia, middleware: member }, async (c) => {
    const blog = c.get('blog');
    c.header('Cache-Control', 'no-store');
    return c.json(toMedia(await readItem(blog.id, c.req.valid('param').mediaId), mediaBase(deps, c)), 200);
  });

  app.openapi({ ...routes.patchMedia, middleware: [...member, jsonBodyChecks()] }, async (c) => {
    const blog = c.get('blog');
    const item = await readItem(blog.id, c.req.valid('param').mediaId);
    await mayChange(c, blog.id, item);
    const next = await store.updateMedia(blog.id, item.id, c.req.valid('json'), new Date().toISOString());
    return c.json(toMedia(next, mediaBase(deps, c)), 200);
  });

  app.openapi({ ...routes.deleteMedia, middleware: member }, async (c) => {
    const blog = c.get('blog');
    const item = await readItem(blog.id, c.req.valid('param').mediaId);
    await mayChange(c, blog.id, item);
    const { orphanKeys } = await store.deleteMedia(blog.id, item.id);
    // The row is gone first: an object left behind by a failed removal is harmless, a row
    // pointing at missing objects would not be.
    await media.remove(orphanKeys);
    return c.body(null, 204);
  });

  return app;
}

import { createRoute, z } from '@hono/zod-openapi';
import { EmbedQuery, OEmbedQuery, OEmbedRich, PageQuery } from '../../domain/index.js';
import { errors, json, notModified, PUBLIC, publicRead, readNotModified, topicRead } from './common.js';

/** Pages, feeds, oEmbed and assets: public, outside /api. */

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

/** What a human-facing page answers besides 200: HTML pages for every error. */
const pageErrors = {
  400: html('bad request (for example an invalid page cursor)'),
  404: html('no public liveblog at this address'),
  421: html('misdirected: no PUBLIC_URL is configured and the request named a host other than localhost'),
  500: html('something went wrong'),
  503: html('temporarily unavailable; see Retry-After'),
} as const;

// Any string: the page itself answers 404 for one that names no public blog.
const SlugParams = z.object({
  slug: z.string().describe('the blog slug (or id)'),
});

export const livePage = createRoute({
  method: 'get',
  path: '/live/{slug}',
  operationId: 'livePage',
  tags: ['pages'],
  summary: 'Public server-rendered page of a blog (JSON-LD LiveBlogPosting)',
  security: PUBLIC,
  request: { params: SlugParams, query: PageQuery },
  responses: { 200: topicRead(html('the page')), ...readNotModified, ...pageErrors },
});

export const embedPage = createRoute({
  method: 'get',
  path: '/embed/{slug}',
  operationId: 'embedPage',
  tags: ['pages'],
  summary: 'The iframe variant of the widget (frame-ancestors from allowedOrigins)',
  security: PUBLIC,
  request: { params: SlugParams, query: EmbedQuery },
  responses: { 200: publicRead(html('the iframe page')), ...readNotModified, ...pageErrors },
});

export const editorPage = createRoute({
  method: 'get',
  path: '/editor',
  operationId: 'editorPage',
  tags: ['pages'],
  summary: 'The editor page',
  security: PUBLIC,
  responses: { 200: html('the editor shell'), ...notModified, 500: pageErrors[500] },
});

export const atomFeed = createRoute({
  method: 'get',
  path: '/live/{slug}/feed.atom',
  operationId: 'atomFeed',
  tags: ['feeds'],
  summary: 'Atom feed of the published posts',
  security: PUBLIC,
  request: { params: SlugParams },
  responses: {
    200: topicRead({ description: 'Atom feed', content: { 'application/atom+xml': { schema: z.string() } } }),
    ...readNotModified,
    ...errors(404, 421, 500, 503),
  },
});

export const oembed = createRoute({
  method: 'get',
  path: '/oembed',
  operationId: 'oembed',
  tags: ['feeds'],
  summary: 'oEmbed for a /live/{slug} or /embed/{slug} URL (format=json)',
  security: PUBLIC,
  request: { query: OEmbedQuery },
  responses: {
    200: publicRead(json(OEmbedRich, 'oEmbed rich response')),
    ...readNotModified,
    ...errors(400, 404, 421, 500, 501, 503),
  },
});

export const embedScript = createRoute({
  method: 'get',
  path: '/embed.js',
  operationId: 'embedScript',
  tags: ['assets'],
  summary: 'The widget script partners paste',
  security: PUBLIC,
  responses: {
    200: publicRead({
      description: 'the widget bundle',
      content: { 'application/javascript': { schema: z.string() } },
    }),
    ...readNotModified,
    ...errors(404, 500),
  },
});

export const asset = createRoute({
  method: 'get',
  path: '/assets/{name}',
  operationId: 'asset',
  tags: ['assets'],
  summary: 'Client bundles and their source maps',
  security: PUBLIC,
  request: {
    params: z.object({
      // Any string: names outside the whitelist are a 404 like missing files.
      name: z.string().describe('file name, e.g. editor.js'),
    }),
  },
  responses: {
    200: {
      description: 'the asset',
      content: {
        'application/javascript': { schema: z.string() },
        'application/json': { schema: z.unknown() },
        'text/css': { schema: z.string() },
        'image/png': { schema: z.string().describe('PNG bytes') },
        'image/svg+xml': { schema: z.string() },
      },
    },
    ...notModified,
    ...errors(404, 500),
  },
});

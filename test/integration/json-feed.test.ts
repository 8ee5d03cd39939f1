import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApi, text } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';

/**
 * The JSON Feed 1.1 spec's rules as a schema: required `version`, `title`, `items`; each item
 * has a string `id` and `content_html` or `content_text`; dates are RFC 3339; authors are
 * objects with at least one of name/url/avatar; hubs have `type` and `url`; extension keys
 * start with an underscore (anything else unknown is refused here, to catch typos).
 */
const Rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const Author = z
  .object({ name: z.string().optional(), url: z.string().url().optional(), avatar: z.string().url().optional() })
  .strict()
  .refine((a) => a.name ?? a.url ?? a.avatar, 'an author needs name, url or avatar');
const extensionsOnly = (known: string[]) => (o: Record<string, unknown>) =>
  Object.keys(o).every((k) => known.includes(k) || k.startsWith('_'));
const ITEM_KEYS = [
  'id',
  'url',
  'external_url',
  'title',
  'content_html',
  'content_text',
  'summary',
  'image',
  'banner_image',
  'date_published',
  'date_modified',
  'authors',
  'tags',
  'language',
  'attachments',
];
const FEED_KEYS = [
  'version',
  'title',
  'home_page_url',
  'feed_url',
  'description',
  'user_comment',
  'next_url',
  'icon',
  'favicon',
  'authors',
  'language',
  'expired',
  'hubs',
  'items',
];
const Item = z
  .looseObject({
    id: z.string().min(1),
    url: z.string().url().optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    image: z.string().url().optional(),
    date_published: Rfc3339.optional(),
    date_modified: Rfc3339.optional(),
    authors: z.array(Author).optional(),
    tags: z.array(z.string()).optional(),
  })
  .refine((i) => i.content_html !== undefined || i.content_text !== undefined, 'content_html or content_text')
  .refine(extensionsOnly(ITEM_KEYS), 'unknown item key without underscore');
const JsonFeed11 = z
  .looseObject({
    version: z.literal('https://jsonfeed.org/version/1.1'),
    title: z.string().min(1),
    home_page_url: z.string().url().optional(),
    feed_url: z.string().url().optional(),
    description: z.string().optional(),
    language: z.string().optional(),
    hubs: z.array(z.object({ type: z.string(), url: z.string().url() })).optional(),
    items: z.array(Item),
  })
  .refine(extensionsOnly(FEED_KEYS), 'unknown feed key without underscore');

let server: TestServer;
let slug: string;

beforeAll(async () => {
  server = await startServer();
  const admin = createApi(server.url, server.adminToken);
  const blog = await admin.createBlog({ title: 'Flood <live>', description: 'River & rain' });
  slug = blog.slug;
  await admin.createPost(blog.id, { blocks: [text('<p>First report.</p>')] });
  await admin.createPost(blog.id, {
    blocks: [
      text('<p>The river burst its banks.</p>'),
      { type: 'image', url: 'https://img.example.org/a.jpg', alt: 'Flooded street', caption: 'Main St' },
    ],
    keyEvent: true,
  });
  await admin.createPost(blog.id, { blocks: [text('<p>SECRET DRAFT</p>')], status: 'draft' });
  const edited = await admin.createPost(blog.id, { blocks: [text('<p>Roads closed.</p>')], pinned: true });
  await admin.patchPost(blog.id, edited.id, { blocks: [text('<p>Roads closed, one reopened.</p>')] });
});

describe('/live/:slug/feed.json (JSON Feed 1.1)', () => {
  it('is a valid JSON Feed 1.1 with the same posts, authors and images as the Atom feed', async () => {
    const res = await fetch(`${server.url}/live/${slug}/feed.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/feed\+json/);
    expect(res.headers.get('etag')).toBeTruthy();
    const feed = JsonFeed11.parse(await res.json());
    expect(feed.title).toBe('Flood <live>');
    expect(feed.feed_url).toBe(`${server.url}/live/${slug}/feed.json`);
    expect(feed.items).toHaveLength(3);
    expect(JSON.stringify(feed)).not.toContain('SECRET DRAFT');

    const atom = await (await fetch(`${server.url}/live/${slug}/feed.atom`)).text();
    const atomIds = [...atom.matchAll(/<entry>\s*<id>([^<]+)<\/id>/g)].map((m) => m[1]?.replace(/&amp;/g, '&'));
    expect(feed.items.map((i) => i.id)).toEqual(atomIds);
    const atomAuthors = [...atom.matchAll(/<author><name>([^<]+)<\/name>/g)].map((m) => m[1]);
    expect(feed.items.map((i) => i.authors?.[0]?.name)).toEqual(atomAuthors);

    const key = feed.items.find((i) => i.content_text?.includes('river burst'));
    expect(key?.image).toBe('https://img.example.org/a.jpg');
    expect(key?.content_html).toContain('<img src="https://img.example.org/a.jpg"');
    expect(key?._liveblog).toMatchObject({ keyEvent: true, pinned: false, correction: null });
    const edited = feed.items.find((i) => i.content_text?.includes('one reopened'));
    expect((edited?.date_modified ?? '') > (edited?.date_published ?? '~')).toBe(true);
  });

  it('is announced on the page, and 404 (in the error shape) for unknown or draft blogs', async () => {
    const html = await (await fetch(`${server.url}/live/${slug}`)).text();
    expect(html).toContain(
      `<link rel="alternate" type="application/feed+json" title="Flood &lt;live&gt;" href="${server.url}/live/${slug}/feed.json">`,
    );
    const missing = await fetch(`${server.url}/live/nope/feed.json`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const admin = createApi(server.url, server.adminToken);
    const draft = await admin.createBlog({ title: 'Hidden' });
    await admin.patchBlog(draft.id, { status: 'draft' });
    expect((await fetch(`${server.url}/live/${draft.slug}/feed.json`)).status).toBe(404);
  });
});

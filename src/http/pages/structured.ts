import type { Block, Blog, Post } from '../../domain/index.js';
import { htmlToText } from '../../domain/sanitize.js';
import { esc } from './html.js';

function blockText(b: Block): string {
  switch (b.type) {
    case 'text':
      return htmlToText(b.html);
    case 'quote':
      return b.attribution ? `“${b.text}” — ${b.attribution}` : `“${b.text}”`;
    case 'image':
      return b.caption ?? b.alt;
    case 'embed':
      return [b.title, b.text, b.url].filter(Boolean).join(': ');
    case 'poll':
      return `${b.question} ${b.options.map((o) => o.text).join(' / ')}`;
  }
}

/** The plain text of a post, for JSON-LD, feed titles and summaries. */
export function postText(post: Post): string {
  return post.blocks
    .map(blockText)
    .filter((s) => s.length > 0)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A headline from the text: the first sentence or the first words, at most `max` characters. */
export function headlineOf(text: string, max = 110): string {
  if (!text) return 'Update';
  const sentence = /^(.{10,}?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** When anything readers see last changed: the blog, its summary or its newest post edit. */
export function lastModified(blog: Blog, posts: Post[]): string {
  let latest = blog.updatedAt;
  if (blog.summary.updatedAt && blog.summary.updatedAt > latest) latest = blog.summary.updatedAt;
  for (const p of posts) if (p.updatedAt > latest) latest = p.updatedAt;
  return latest;
}

type Corrected = { correction?: { note: string; at: string } | null };
type Extended = { language?: string; endedAt?: string | null };

/**
 * schema.org LiveBlogPosting with one BlogPosting per update, as search engines expect.
 * A corrected update carries `correction` (a CorrectionComment with the public note and
 * its time); an ended blog its `coverageEndTime`; both the blog's `inLanguage`.
 */
export function liveBlogJsonLd(blog: Blog, posts: Post[], pageUrl: string): Record<string, unknown> {
  const ext = blog as Blog & Extended;
  const modified = lastModified(blog, posts);
  const ld: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'LiveBlogPosting',
    '@id': pageUrl,
    url: pageUrl,
    headline: blog.title,
    description: blog.description || blog.summary.bullets.map((b) => b.text).join(' '),
    datePublished: blog.createdAt,
    dateModified: modified,
    coverageStartTime: blog.createdAt,
    inLanguage: ext.language ?? 'en',
  };
  if (blog.status === 'ended' || (blog.status as string) === 'archived') ld.coverageEndTime = ext.endedAt ?? modified;
  ld.liveBlogUpdate = posts.map((p) => {
    const text = postText(p);
    const update: Record<string, unknown> = {
      '@type': 'BlogPosting',
      '@id': `${pageUrl}#post-${p.id}`,
      url: `${pageUrl}#post-${p.id}`,
      headline: headlineOf(text),
      articleBody: text,
      datePublished: p.createdAt,
      dateModified: p.updatedAt,
      author: { '@type': 'Person', name: p.author.name },
    };
    const image = p.blocks.find((b) => b.type === 'image');
    // An upload's url is its largest JPEG variant (up to 2048 px wide), what search engines want.
    if (image)
      update.image =
        image.width && image.height
          ? { '@type': 'ImageObject', url: image.url, width: image.width, height: image.height }
          : image.url;
    const correction = (p as Post & Corrected).correction;
    if (correction) {
      update.correction = { '@type': 'CorrectionComment', text: correction.note, datePublished: correction.at };
    }
    return update;
  });
  return ld;
}

/** Atom 1.0 feed: newest first; `updated` is the latest change readers can see. */
export function atomFeed(
  blog: Blog,
  posts: Post[],
  urls: { page: string; feed: string; hub?: string },
  renderHtml: (p: Post) => string,
): string {
  const newestFirst = [...posts].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const entries = newestFirst.map((p) => {
    const text = postText(p);
    return `  <entry>
    <id>${esc(`${urls.page}#post-${p.id}`)}</id>
    <title>${esc(headlineOf(text))}</title>
    <link rel="alternate" type="text/html" href="${esc(`${urls.page}#post-${p.id}`)}"/>
    <published>${esc(p.createdAt)}</published>
    <updated>${esc(p.updatedAt)}</updated>
    <author><name>${esc(p.author.name)}</name></author>
    <content type="html">${esc(renderHtml(p))}</content>
  </entry>`;
  });
  return stripXmlInvalid(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${esc((blog as Blog & Extended).language ?? 'en')}">
  <id>${esc(urls.page)}</id>
  <title>${esc(blog.title)}</title>
  ${blog.description ? `<subtitle>${esc(blog.description)}</subtitle>\n  ` : ''}<updated>${esc(lastModified(blog, posts))}</updated>
  <link rel="self" type="application/atom+xml" href="${esc(urls.feed)}"/>
${urls.hub ? `  <link rel="hub" href="${esc(urls.hub)}"/>\n` : ''}  <link rel="alternate" type="text/html" href="${esc(urls.page)}"/>
  <generator>liveblog</generator>
${entries.join('\n')}
</feed>
`);
}

/** Characters XML 1.0 forbids even when escaped (C0 controls but tab, LF, CR; lone surrogates; FFFE/FFFF). */
function stripXmlInvalid(s: string): string {
  return s.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML forbids
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '',
  );
}

import type { Blog, Post } from '../../domain/index.js';
import { headlineOf, lastModified, postText } from './structured.js';

/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the same posts, authors and images as the
 * Atom feed. Liveblog specifics that the spec has no field for travel in the `_liveblog`
 * extension object (extensions start with an underscore, per the spec): the post's seq,
 * pinned and key-event flags, and its correction when it has one.
 */
export interface JsonFeedUrls {
  page: string;
  feed: string;
  /** WebSub hubs announcing this feed (JSON Feed `hubs`). */
  hubs?: string[];
}

type Correction = { note: string; at: string } | null | undefined;

export function jsonFeed(
  blog: Blog,
  posts: Post[],
  urls: JsonFeedUrls,
  renderHtml: (p: Post) => string,
): Record<string, unknown> {
  const newestFirst = [...posts].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const language = (blog as Blog & { language?: string }).language ?? 'en';
  const feed: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: blog.title,
    home_page_url: urls.page,
    feed_url: urls.feed,
    language,
    _liveblog: { blogId: blog.id, seq: blog.seq, status: blog.status, updated: lastModified(blog, posts) },
  };
  if (blog.description) feed.description = blog.description;
  if (urls.hubs?.length) feed.hubs = urls.hubs.map((url) => ({ type: 'WebSub', url }));
  feed.items = newestFirst.map((p) => {
    const text = postText(p);
    const image = p.blocks.find((b) => b.type === 'image');
    const correction = (p as Post & { correction?: Correction }).correction ?? null;
    const tags = (p as Post & { tags?: string[] }).tags;
    const item: Record<string, unknown> = {
      id: `${urls.page}#post-${p.id}`,
      url: `${urls.page}#post-${p.id}`,
      title: headlineOf(text),
      content_html: renderHtml(p),
      content_text: text,
      date_published: p.createdAt,
      date_modified: p.updatedAt,
      authors: [{ name: p.author.name }],
      _liveblog: { postId: p.id, seq: p.seq, pinned: p.pinned, keyEvent: p.keyEvent, correction },
    };
    if (image?.type === 'image') item.image = image.url;
    if (tags?.length) item.tags = tags;
    return item;
  });
  return feed;
}

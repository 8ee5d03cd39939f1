import * as Y from 'yjs';
import { bulletsFromDoc } from '../collab/bullets-from-doc.js';
import type { Deps } from '../deps.js';
import { type Author, PostCreateInput, SUMMARY_FRAGMENT } from '../domain/index.js';
import { buildPost } from '../domain/post-building.js';
import { hashToken, newId, newToken } from '../lib/ids.js';
import { DEMO_BLOG, DEMO_BULLETS, DEMO_POSTS } from './story.js';

const COLORS = ['#c2410c', '#0369a1', '#15803d'];

/**
 * Writes the demo story through the same store calls the API uses, once: a second start
 * with --demo finds the blog and leaves it alone.
 */
export async function seedDemo(deps: Deps): Promise<void> {
  const { store, log } = deps;
  if (await store.getBlog(DEMO_BLOG.slug)) {
    log.info({ slug: DEMO_BLOG.slug }, 'demo blog already present');
    return;
  }
  const now = Date.now();
  const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const oldest = Math.max(...DEMO_POSTS.map((p) => p.minutesAgo));

  const blog = await store.createBlog(
    { id: newId(now - oldest * 60_000), ...DEMO_BLOG, status: 'live', allowedOrigins: [] },
    iso(oldest + 5),
  );
  const authors = new Map<string, Author>();
  for (const [i, name] of [...new Set(DEMO_POSTS.map((p) => p.author))].entries()) {
    const user = await store.createUser(
      {
        id: newId(),
        name,
        color: COLORS[i % COLORS.length] ?? '#333333',
        createdAt: iso(oldest + 10),
        canCreateBlogs: false,
      },
      hashToken(newToken()),
    );
    await store.setMember(blog.id, user.id, 'editor');
    authors.set(name, { id: user.id, name });
  }

  const ordered = [...DEMO_POSTS].sort((a, b) => b.minutesAgo - a.minutesAgo);
  for (const p of ordered) {
    const input = PostCreateInput.parse({ blocks: p.blocks, pinned: p.pinned ?? false, keyEvent: p.keyEvent ?? false });
    const author = authors.get(p.author);
    if (!author) throw new Error(`unknown demo author ${p.author}`);
    const at = iso(p.minutesAgo);
    const { event } = await store.createPost(buildPost(input, author, blog.id, at, newId(now - p.minutesAgo * 60_000)));
    if (event) deps.bus.publish({ kind: 'event', event });
  }

  // The summary is a collaborative doc: write it as one Yjs update in TipTap's shape, then
  // publish its rendering, exactly as the collab server would after an edit.
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment(SUMMARY_FRAGMENT);
  // Yjs types only accept content once they are part of the doc: build the tree, then type.
  const list = new Y.XmlElement('bulletList');
  fragment.insert(0, [list]);
  const texts = DEMO_BULLETS.map(() => new Y.XmlText());
  list.insert(
    0,
    texts.map((text) => {
      const item = new Y.XmlElement('listItem');
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [text]);
      item.insert(0, [paragraph]);
      return item;
    }),
  );
  DEMO_BULLETS.forEach((b, i) => {
    const text = texts[i];
    if (!text) return;
    if (b.bold) text.insert(0, b.bold, { bold: true });
    text.insert(text.length, b.text, { bold: null });
  });
  await store.appendDocUpdates(blog.id, [Y.encodeStateAsUpdate(doc)]);
  const published = await store.publishSummary(blog.id, bulletsFromDoc(fragment), iso(1));
  if (published) deps.bus.publish({ kind: 'event', event: published.event });
  log.info({ slug: blog.slug, posts: DEMO_POSTS.length }, 'demo blog written');
  process.stdout.write(`\n  Demo liveblog: ${deps.config.publicUrl}/live/${blog.slug}\n`);
}

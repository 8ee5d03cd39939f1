import { describe, expect, it } from 'vitest';
import { messagesFor } from '../../src/domain/i18n/index.js';
import type { Blog, Post } from '../../src/domain/index.js';
import { layout } from '../../src/http/pages/html.js';
import { renderBlogBody, renderPost } from '../../src/http/pages/render.js';
import { atomFeed, liveBlogJsonLd } from '../../src/http/pages/structured.js';

const T = '2026-12-01T10:00:00.000Z';
const blog = (extra: Record<string, unknown> = {}): Blog =>
  ({
    id: 'b1',
    slug: 'match',
    title: 'Cup final',
    description: '',
    status: 'live',
    seq: 3,
    createdAt: T,
    updatedAt: T,
    allowedOrigins: [],
    summary: { seq: 0, bullets: [], updatedAt: null },
    ...extra,
  }) as Blog;
const post = (extra: Record<string, unknown> = {}): Post =>
  ({
    id: 'p1',
    blogId: 'b1',
    seq: 3,
    createdAt: T,
    updatedAt: '2026-12-01T10:05:00.000Z',
    author: { id: 'u', name: 'Reporter' },
    status: 'published',
    pinned: false,
    keyEvent: true,
    blocks: [{ type: 'text', html: '<p>Goal for the home side.</p>' }],
    ...extra,
  }) as Post;

const corrected = post({
  correction: { note: 'An earlier version named the wrong scorer.', at: '2026-12-01T10:05:00.000Z' },
});

describe('page rendering', () => {
  it('"Corrected HH:MM — note" in the blog language, the note escaped', () => {
    const html = renderPost(
      post({ correction: { note: '<b>x</b>', at: '2026-12-01T14:07:00.000Z' } }),
      messagesFor('de'),
    );
    expect(html).toContain(
      '<strong>Korrigiert</strong> <time datetime="2026-12-01T14:07:00.000Z">14:07 UTC</time> — &lt;b&gt;x&lt;/b&gt;',
    );
    expect(html).toContain('Wichtiges Ereignis');
  });

  it('the ended banner, the key-events timeline and the language words', () => {
    const m = messagesFor('fr');
    const body = renderBlogBody(blog({ status: 'ended', endedAt: '2026-12-01T18:00:00.000Z' }), [post()], {
      olderHref: null,
      keyEvents: [post()],
      messages: m,
    });
    expect(body).toContain('Ce direct s’est terminé à <time datetime="2026-12-01T18:00:00.000Z">');
    expect(body).toContain('<nav class="lb-key-events"');
    expect(body).toContain('Moments clés');
    expect(body).toContain('href="#post-p1"');
  });

  it('lang and dir on the document: Arabic is right to left', () => {
    const m = messagesFor('ar');
    expect(layout({ title: 't', lang: m.lang, dir: m.dir, body: '' })).toContain('<html lang="ar" dir="rtl">');
    expect(layout({ title: 't', lang: 'en', dir: 'ltr', body: '' })).toContain('<html lang="en">');
  });
});

describe('structured data and feeds', () => {
  it('JSON-LD: inLanguage, coverageEndTime of an ended blog, correction of a corrected post', () => {
    const ld = liveBlogJsonLd(
      blog({ status: 'ended', language: 'es', endedAt: '2026-12-01T18:00:00.000Z' }),
      [corrected],
      'https://x/live/match',
    );
    expect(ld.inLanguage).toBe('es');
    expect(ld.coverageEndTime).toBe('2026-12-01T18:00:00.000Z');
    const [u] = ld.liveBlogUpdate as Record<string, unknown>[];
    expect(u?.correction).toEqual({
      '@type': 'CorrectionComment',
      text: 'An earlier version named the wrong scorer.',
      datePublished: '2026-12-01T10:05:00.000Z',
    });
    expect(liveBlogJsonLd(blog(), [post()], 'https://x').inLanguage).toBe('en');
  });

  it('Atom: xml:lang of the blog, the correction inside the entry', () => {
    const m = messagesFor('ja');
    const xml = atomFeed(blog({ language: 'ja' }), [corrected], { page: 'https://x/p', feed: 'https://x/f' }, (p) =>
      renderPost(p, m),
    );
    expect(xml).toContain('xml:lang="ja"');
    expect(xml).toContain('訂正');
    expect(xml).toContain('An earlier version named the wrong scorer.');
  });
});

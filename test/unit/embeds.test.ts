import { describe, expect, test } from 'vitest';
import { buildEmbedBlock, detectEmbed } from '../../src/domain/embeds.js';
import { DomainError, EmbedBlock } from '../../src/domain/index.js';

const YT = 'dQw4w9WgXcQ';

describe('detectEmbed', () => {
  test.each([
    [`https://www.youtube.com/watch?v=${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://youtube.com/watch?feature=share&v=${YT}&t=42`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://m.youtube.com/watch?v=${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://youtu.be/${YT}?si=abc`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://www.youtube.com/shorts/${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://www.youtube.com/embed/${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://www.youtube-nocookie.com/embed/${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    [`https://www.youtube.com/live/${YT}`, 'youtube', `https://www.youtube.com/watch?v=${YT}`],
    ['https://twitter.com/jack/status/20', 'twitter', 'https://twitter.com/jack/status/20'],
    ['https://x.com/jack/status/20?s=46', 'twitter', 'https://twitter.com/jack/status/20'],
    [
      'https://mobile.twitter.com/Some_User/status/1234567890123456789/photo/1',
      'twitter',
      'https://twitter.com/Some_User/status/1234567890123456789',
    ],
    ['https://www.instagram.com/p/C1a2b3c4d5/', 'instagram', 'https://www.instagram.com/p/C1a2b3c4d5/'],
    ['https://instagram.com/reel/C1a2b3c4d5?igsh=xyz', 'instagram', 'https://www.instagram.com/reel/C1a2b3c4d5/'],
    ['https://www.instagram.com/someone/p/C1a2b3c4d5/', 'instagram', 'https://www.instagram.com/p/C1a2b3c4d5/'],
    [
      'https://www.facebook.com/nytimes/posts/pfbid02xyz',
      'facebook',
      'https://www.facebook.com/nytimes/posts/pfbid02xyz',
    ],
    [
      'https://m.facebook.com/bbcnews/videos/123456789/',
      'facebook',
      'https://www.facebook.com/bbcnews/videos/123456789',
    ],
    ['https://www.facebook.com/watch/?v=123456789', 'facebook', 'https://www.facebook.com/watch/?v=123456789'],
    [
      'https://www.facebook.com/permalink.php?story_fbid=987&id=123',
      'facebook',
      'https://www.facebook.com/permalink.php?story_fbid=987&id=123',
    ],
    ['https://fb.watch/abcDEF12/', 'facebook', 'https://fb.watch/abcDEF12/'],
    ['https://example.com/article?id=1', 'link', 'https://example.com/article?id=1'],
    ['https://www.youtube.com/@somechannel', 'link', 'https://www.youtube.com/@somechannel'],
    ['https://twitter.com/jack', 'link', 'https://twitter.com/jack'],
    ['https://www.instagram.com/someone/', 'link', 'https://www.instagram.com/someone/'],
    ['https://notyoutube.com/watch?v=dQw4w9WgXcQ', 'link', 'https://notyoutube.com/watch?v=dQw4w9WgXcQ'],
    [
      'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ',
      'link',
      'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ',
    ],
  ])('%s → %s', (url, provider, canonical) => {
    const d = detectEmbed(url);
    expect(d?.provider).toBe(provider);
    expect(d?.url).toBe(canonical);
  });

  test('refuses non-http(s) and malformed URLs', () => {
    for (const u of ['javascript:alert(1)', 'ftp://example.com/x', 'not a url', 'data:text/html,x', '']) {
      expect(detectEmbed(u)).toBeNull();
    }
  });
});

describe('buildEmbedBlock', () => {
  test('detects the provider when none is given and generates the privacy-enhanced player', () => {
    const b = buildEmbedBlock({ url: `https://youtu.be/${YT}` }, ['blocks', 0]);
    expect(EmbedBlock.parse(b)).toEqual(b);
    expect(b.provider).toBe('youtube');
    expect(b.url).toBe(`https://www.youtube.com/watch?v=${YT}`);
    expect(b.html).toContain(`src="https://www.youtube-nocookie.com/embed/${YT}"`);
    expect(b.html).not.toContain('www.youtube.com/embed');
  });

  test('accepts a matching provider', () => {
    expect(buildEmbedBlock({ url: 'https://x.com/a/status/1', provider: 'twitter' }, ['b']).provider).toBe('twitter');
  });

  test.each([
    ['https://example.com/x', 'youtube'],
    [`https://youtu.be/${YT}`, 'twitter'],
    ['https://twitter.com/a/status/1', 'link'],
    ['https://www.instagram.com/p/C1a2b3c4d5/', 'facebook'],
  ] as const)('refuses %s claimed as %s, naming the field', (url, provider) => {
    let err: unknown;
    try {
      buildEmbedBlock({ url, provider }, ['blocks', 3]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('validation_failed');
    expect((err as DomainError).message).toContain('blocks.3.provider');
  });

  test('provider markup carries a plain link fallback', () => {
    const tw = buildEmbedBlock({ url: 'https://x.com/jack/status/20' }, ['b']);
    expect(tw.html).toMatch(/^<blockquote class="twitter-tweet"/);
    expect(tw.html).toContain('href="https://twitter.com/jack/status/20"');
    const ig = buildEmbedBlock({ url: 'https://www.instagram.com/p/C1a2b3c4d5/' }, ['b']);
    expect(ig.html).toContain('class="instagram-media"');
    expect(ig.html).toContain('href="https://www.instagram.com/p/C1a2b3c4d5/"');
    const fb = buildEmbedBlock({ url: 'https://www.facebook.com/bbc/videos/123' }, ['b']);
    expect(fb.html).toContain('class="fb-video"');
    expect(fb.html).toContain('<a href="https://www.facebook.com/bbc/videos/123"');
  });

  test('every client value is escaped in the markup', () => {
    const evil = '"><script>alert(1)</script><img src=x onerror=alert(1)>';
    for (const url of [
      `https://example.com/?q=${encodeURIComponent(evil)}`,
      `https://example.com/"onmouseover="alert(1)`,
      'https://x.com/jack/status/20',
      `https://youtu.be/${YT}`,
      'https://www.facebook.com/bbc/posts/1',
      'https://www.instagram.com/p/C1a2b3c4d5/',
    ]) {
      const b = buildEmbedBlock({ url, title: evil, text: evil }, ['b']);
      expect(b.html).not.toContain('<script');
      expect(b.html).not.toContain('<img');
      expect(b.html).not.toMatch(/"\s*onmouseover=/);
      expect(b.html).not.toMatch(/"\s*onerror=/);
      expect(b.title).toBe(evil);
    }
  });

  test('link cards show the title or the host', () => {
    const b = buildEmbedBlock({ url: 'https://www.example.org/a', text: 'A & B' }, ['b']);
    expect(b.html).toContain('<span class="lb-link-title">example.org</span>');
    expect(b.html).toContain('A &amp; B');
    expect(b.html).toContain('rel="noopener noreferrer nofollow"');
  });
});

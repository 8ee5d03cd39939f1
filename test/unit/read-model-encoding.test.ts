import { describe, expect, test } from 'vitest';
import { negotiate } from '../../src/http/read-model/encoding.js';
import { knownParams, oembedRef, publicRead } from '../../src/http/read-model/routes.js';

describe('Accept-Encoding negotiation', () => {
  test.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0.9, gzip;q=0.9', 'br'],
    ['br;q=0, gzip;q=0.001', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0', 'identity'],
    ['identity;q=0, gzip;q=0.1', 'gzip'],
    ['deflate', 'identity'],
    ['zstd, gzip;q=0.5', 'gzip'],
  ] as const)('%s → %s', (header, coding) => {
    expect(negotiate(header)).toBe(coding);
  });
});

describe('which requests are public reads', () => {
  test('paths', () => {
    expect(publicRead('/api/v1/blogs/abc/posts')).toMatchObject({ kind: 'blog', ref: 'abc' });
    expect(publicRead('/live/my-slug/feed.atom')).toMatchObject({ kind: 'blog', ref: 'my-slug' });
    expect(publicRead('/embed.js')).toMatchObject({ kind: 'static' });
    expect(publicRead('/assets/editor.js')).toMatchObject({ kind: 'static' });
    expect(publicRead('/oembed')).toMatchObject({ kind: 'oembed' });
    for (const p of ['/api/v1/blogs', '/api/v1/blogs/abc/posts/x', '/live/a%20b', '/editor', '/live/', '/assets/.x'])
      expect(publicRead(p), p).toBeNull();
  });

  test('query parameters and oEmbed URLs', () => {
    const posts = new Set(['limit', 'before']);
    expect(knownParams('limit=5&before=x', posts)).toBe(true);
    expect(knownParams('limit=5&junk=1', posts)).toBe(false);
    expect(oembedRef('https://news.example/live/storm')).toBe('storm');
    expect(oembedRef('http://127.0.0.1:3000/embed/storm/?x=1')).toBe('storm');
    expect(oembedRef('https://news.example/other/storm')).toBeNull();
    expect(oembedRef(null)).toBeNull();
  });
});

import { describe, expect, test } from 'vitest';
import { ReadCache } from '../../src/http/read-cache.js';

describe('ReadCache', () => {
  test('serves a body rendered for the same version, re-renders for a new one', async () => {
    const cache = new ReadCache();
    let renders = 0;
    const render = async () => ({ n: ++renders });
    expect((await cache.getOrRender('k', 1, render)).body).toBe('{"n":1}');
    expect((await cache.getOrRender('k', 1, render)).body).toBe('{"n":1}');
    expect((await cache.getOrRender('k', 2, render)).body).toBe('{"n":2}');
  });

  // Keys carry client-chosen parts (any well-formed `before` cursor, any limit): an empty
  // page is a 30-byte body under a 100-byte key, so a bound on body bytes alone lets a
  // stream of distinct cursors grow the map by millions of entries.
  test('keys count against the byte bound, so tiny bodies under many keys are evicted', async () => {
    const cache = new ReadCache(4_000);
    const key = (i: number) => `posts|blog|20|${'c'.repeat(80)}${i}`;
    let renders = 0;
    const render = async () => {
      renders++;
      return {};
    };
    for (let i = 0; i < 200; i++) await cache.getOrRender(key(i), 1, render);
    expect(renders).toBe(200);
    // The first key must have been evicted long ago: asking again renders again.
    await cache.getOrRender(key(0), 1, render);
    expect(renders).toBe(201);
  });
});

describe('ReadCache.dropBlog', () => {
  test('forgets every body of one blog and only of that blog', async () => {
    const cache = new ReadCache();
    let renders = 0;
    const render = async () => ({ n: ++renders });
    await cache.getOrRender('posts|a|20|', 1, render);
    await cache.getOrRender('summary|a', 1, render);
    await cache.getOrRender('posts|b|20|', 1, render);
    const before = cache.size;
    cache.dropBlog('a');
    expect(cache.size).toBeLessThan(before);
    // a's bodies render again, b's is still cached.
    expect((await cache.getOrRender('posts|a|20|', 1, render)).body).toBe('{"n":4}');
    expect((await cache.getOrRender('summary|a', 1, render)).body).toBe('{"n":5}');
    expect((await cache.getOrRender('posts|b|20|', 1, render)).body).toBe('{"n":3}');
  });
});

describe('ReadCache single flight', () => {
  test('a burst of requests for the same (key, version) renders once', async () => {
    const cache = new ReadCache();
    let renders = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const render = async () => {
      renders++;
      await gate;
      return { n: renders };
    };
    const burst = Array.from({ length: 1000 }, () => cache.getOrRender('posts|a|20|', 7, render));
    release();
    const bodies = await Promise.all(burst);
    expect(renders).toBe(1);
    expect(new Set(bodies.map((b) => b.body))).toEqual(new Set(['{"n":1}']));
    // A new version is a new flight.
    await cache.getOrRender('posts|a|20|', 8, render);
    expect(renders).toBe(2);
  });

  test('a render that began before a takedown is served to its callers but not kept', async () => {
    const cache = new ReadCache();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let renders = 0;
    const pending = cache.getOrRender('posts|a|20|', 1, async () => {
      renders++;
      await gate;
      return { content: 'taken down' };
    });
    cache.dropBlog('a');
    release();
    expect((await pending).body).toContain('taken down');
    await cache.getOrRender('posts|a|20|', 1, async () => {
      renders++;
      return { content: 'clean' };
    });
    expect(renders).toBe(2);
  });
});

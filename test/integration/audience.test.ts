import { describe, expect, it } from 'vitest';
import type { AudienceSeries } from '../../src/domain/index.js';
import { createApi, setupBlog } from '../helpers/api.js';
import { openReader } from '../helpers/realtime.js';
import { startServer } from '../helpers/server.js';
import { freshPostgresDatabase, REDIS_TEST_URL } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const FAST = { HEARTBEAT_MS: '100', AUDIENCE_FLUSH_MS: '100' };

async function audience(url: string, token: string, blogId: string, query = ''): Promise<AudienceSeries> {
  const res = await createApi(url, token).raw('GET', `/api/v1/blogs/${blogId}/audience${query}`);
  expect(res.status).toBe(200);
  return res.body as AudienceSeries;
}

describe('audience minute buckets (SQLite)', () => {
  it('counts readers by site and transport, and first loads, for members only', async () => {
    const s = await startServer(FAST);
    const { blog, editor, contributor, anon, outsider } = await setupBlog(s.url, s.adminToken);
    const partner = [0, 1].map(() => openReader(s.url, { transports: ['websocket'] }));
    const direct = openReader(s.url, { transports: ['polling'] });
    for (const r of partner) {
      expect(
        await r.subscribe({
          blogId: blog.id,
          sinceSeq: 0,
          firstLoad: true,
          site: 'https://News.Partner.example/a/b?x=1',
        }),
      ).toMatchObject({ ok: true });
    }
    expect(await direct.subscribe({ blogId: blog.slug, sinceSeq: 0, firstLoad: true })).toMatchObject({ ok: true });
    // A repeated subscribe on the same socket is not a new load.
    await direct.subscribe({ blogId: blog.slug, sinceSeq: 0, firstLoad: true });

    const series = await waitFor(
      async () => {
        const a = await audience(s.url, editor.token ?? '', blog.id);
        const b = a.buckets.at(-1);
        return b && b.readers === 3 && b.firstLoads === 3 && b.byTransport.websocket !== undefined ? a : null;
      },
      { what: 'a bucket with three readers' },
    );
    const bucket = series.buckets.at(-1);
    expect(bucket?.peak).toBe(3);
    expect(Object.keys(bucket?.bySite ?? {}).sort()).toEqual(['direct', 'https://news.partner.example']);
    expect(bucket?.at).toMatch(/:00\.000Z$/);

    // Contributors are members too; readers and outsiders are not.
    expect((await contributor.raw('GET', `/api/v1/blogs/${blog.id}/audience`)).status).toBe(200);
    expect((await anon.raw('GET', `/api/v1/blogs/${blog.id}/audience`)).status).toBe(401);
    expect((await outsider.raw('GET', `/api/v1/blogs/${blog.id}/audience`)).status).toBe(403);
    // Bad windows are a 400 naming the problem.
    const bad = await editor.raw(
      'GET',
      `/api/v1/blogs/${blog.id}/audience?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect(bad.status).toBe(400);
    expect((await editor.raw('GET', `/api/v1/blogs/${blog.id}/audience?from=yesterday`)).status).toBe(400);
    // An empty window has no buckets.
    const old = await audience(
      s.url,
      editor.token ?? '',
      blog.id,
      '?from=2020-01-01T00:00:00Z&to=2020-01-01T01:00:00Z',
    );
    expect(old.buckets).toEqual([]);

    // Totals on /metrics, without blog ids.
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/liveblog_audience_first_loads_total 3/);
    expect(metrics).toMatch(/liveblog_audience_readers\{site="embedded"\} 2/);
    expect(metrics).not.toContain(blog.id);
  });

  it('folds sites past the top N into "other" and keeps the buckets across a restart', async () => {
    const first = await startServer({ ...FAST, AUDIENCE_TOP_SITES: '2' });
    const { blog, editor } = await setupBlog(first.url, first.adminToken);
    const sites = ['https://a.example', 'https://a.example', 'https://b.example', 'https://c.example', 'javascript:x'];
    for (const site of sites) {
      const r = openReader(first.url, { transports: ['websocket'] });
      await r.subscribe({ blogId: blog.id, sinceSeq: 0, site });
    }
    const before = await waitFor(
      async () => {
        const b = (await audience(first.url, editor.token ?? '', blog.id)).buckets.at(-1);
        return b && b.readers === 5 ? b : null;
      },
      { what: 'five readers counted' },
    );
    expect(Object.keys(before.bySite)).toHaveLength(3);
    // bySite is the minute's average over heartbeats, and a heartbeat may fall between two of
    // the subscribes above: a.example's two readers (subscribed first) weigh most, up to 2.
    const a = before.bySite['https://a.example'] ?? 0;
    expect(a).toBeLessThanOrEqual(2);
    for (const [site, n] of Object.entries(before.bySite))
      if (site !== 'https://a.example') expect(a).toBeGreaterThanOrEqual(n);
    expect(before.bySite.other).toBeGreaterThan(0);
    await first.stop();

    const second = await startServer({ ...FAST, DATA_DIR: first.dataDir });
    const after = await audience(second.url, editor.token ?? '', blog.id);
    expect(after.buckets.some((b) => b.readers === 5)).toBe(true);
  });

  it('prunes buckets older than the retention', async () => {
    const s = await startServer(FAST);
    const { blog } = await setupBlog(s.url, s.adminToken);
    const store = s.app.deps.store;
    const sample = { blogId: blog.id, samples: 1, peak: 1, totalSum: 1, bySite: {}, byTransport: {}, firstLoads: 0 };
    await store.recordAudience('w1', [
      { ...sample, minute: '2020-01-01T00:00:00.000Z' },
      { ...sample, minute: '2026-01-01T00:00:00.000Z' },
    ]);
    expect(await store.pruneAudience('2025-01-01T00:00:00.000Z')).toBe(1);
    const left = await store.listAudience(blog.id, '2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z');
    expect(left.map((r) => r.minute)).toEqual(['2026-01-01T00:00:00.000Z']);
    // A repeated write of the same writer's minute replaces it (flushes are idempotent).
    await store.recordAudience('w1', [{ ...sample, minute: '2026-01-01T00:00:00.000Z', peak: 7 }]);
    const again = await store.listAudience(blog.id, '2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z');
    expect(again).toHaveLength(1);
    expect(again[0]?.peak).toBe(7);
  });
});

describe('audience on two PostgreSQL nodes', () => {
  it('merges both nodes: peak is the cross-node total, sites and transports add up', async () => {
    const DATABASE_URL = await freshPostgresDatabase();
    const env = { ...FAST, DATABASE_URL, REDIS_URL: REDIS_TEST_URL };
    const a = await startServer({ ...env, NODE_ID: 'aud-a' });
    const b = await startServer({ ...env, NODE_ID: 'aud-b' });
    const { blog, editor } = await setupBlog(a.url, a.adminToken);
    for (const url of [a.url, a.url, b.url]) {
      const r = openReader(url, { transports: ['websocket'] });
      await r.subscribe({
        blogId: blog.id,
        sinceSeq: 0,
        firstLoad: true,
        site: url === b.url ? 'https://b.example' : undefined,
      });
    }
    const bucket = await waitFor(
      async () => {
        const x = (await audience(b.url, editor.token ?? '', blog.id)).buckets.at(-1);
        return x && x.readers === 3 && x.firstLoads === 3 && (x.bySite['https://b.example'] ?? 0) > 0 ? x : null;
      },
      { what: 'a merged bucket', timeoutMs: 15_000 },
    );
    // Never the sum of the two nodes' views of the total (that would be 6).
    expect(bucket.peak).toBe(3);
    expect(bucket.average).toBeLessThanOrEqual(3);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { setupBlog, text } from '../helpers/api.js';
import { bulletList, connectEditor, listItem } from '../helpers/collab.js';
import { startServer } from '../helpers/server.js';
import { registerCleanup } from '../helpers/teardown.js';
import { waitFor } from '../helpers/wait.js';

/**
 * /metrics during a small load: every family exists with sane values, no label carries an id
 * (label sets stay bounded), and Prometheus's own linter (`promtool check metrics`) finds
 * nothing in our families. One scrape is saved to test-artifacts/.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small parser for the Prometheus text format (enough for prom-client's output). */
function parseScrape(body: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of body.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m?.[1] || !m[3]) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      if (pair[1]) labels[pair[1]] = pair[2] ?? '';
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((acc, s) => acc + s.value, 0);

const P = 'liveblog_';

describe('/metrics', () => {
  it('exports every family with sane values under load, and no id in any label', async () => {
    const server = await startServer({ HEARTBEAT_MS: '200', SUMMARY_DEBOUNCE_MS: '0' });
    const cast = await setupBlog(server.url, server.adminToken, 'Scrape target blog');
    const blogId = cast.blog.id;

    // Readers: two on WebSocket, one on long-polling.
    const readers = [
      io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false }),
      io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false }),
      io(server.url, { transports: ['polling'], forceNew: true, reconnection: false }),
    ];
    for (const r of readers) registerCleanup(() => void r.disconnect());
    let received = 0;
    for (const r of readers) {
      r.on('event', () => (received += 1));
      expect(await r.timeout(10_000).emitWithAck('subscribe', { blogId, sinceSeq: 0 })).toMatchObject({ ok: true });
    }
    // A refused reader (bad token) and a refused editor (no token).
    const refused = io(server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { token: 'nope' },
    });
    await new Promise<void>((resolve) => refused.once('connect_error', () => resolve()));
    refused.close();
    const stranger = new WebSocket(`${server.url.replace('http', 'ws')}/collab/${blogId}`);
    await new Promise<void>((resolve) => stranger.once('error', () => resolve()));

    // One collab editor typing, and a garbage frame on another editor connection.
    const editor = connectEditor(server, blogId, cast.users.editor.token);
    await waitFor(() => editor.provider.synced, { what: 'editor synced' });
    bulletList(editor.doc).insert(0, [listItem('the first thing we know')]);
    const garbage = new WebSocket(
      `${server.url.replace('http', 'ws')}/collab/${blogId}?token=${cast.users.editor.token}`,
    );
    await new Promise<void>((resolve) => garbage.once('open', () => resolve()));
    const garbageClosed = new Promise<void>((resolve) => garbage.once('close', () => resolve()));
    garbage.send(Buffer.from([0xff, 0xff, 0xff, 0x01]));
    await garbageClosed;

    // HTTP writes and reads.
    const postIds: string[] = [];
    for (let i = 0; i < 10; i++)
      postIds.push((await cast.editor.createPost(blogId, { blocks: [text(`<p>update ${i}</p>`)] })).id);
    await cast.editor.patchPost(blogId, postIds[0] ?? '', { pinned: true });
    await cast.anon.listPosts(blogId);
    await cast.anon.raw('GET', '/api/v1/blogs/no-such-blog');
    await waitFor(() => received >= readers.length * 11, { what: 'readers got the events' });
    await waitFor(async () => (await cast.anon.getSummary(blogId)).bullets.length === 1, { what: 'summary rendered' });

    // Let a heartbeat tick count the rooms, then scrape.
    const res = await waitFor(
      async () => {
        const r = await fetch(`${server.url}/metrics`);
        const body = await r.text();
        return /^liveblog_rooms_subscribed [1-9]/m.test(body) ? { r, body } : null;
      },
      { what: 'a scrape with a subscribed room' },
    );
    expect(res.r.status).toBe(200);
    expect(res.r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseScrape(res.body);

    // Every family we export, with its type.
    const families: [string, string][] = [
      ['readers_connected', 'gauge'],
      ['rooms_subscribed', 'gauge'],
      ['events_committed_total', 'counter'],
      ['commit_to_emit_seconds', 'histogram'],
      ['catchups_total', 'counter'],
      ['slow_consumer_disconnects_total', 'counter'],
      ['refused_connections_total', 'counter'],
      ['collab_docs_loaded', 'gauge'],
      ['collab_editors_connected', 'gauge'],
      ['collab_update_commit_seconds', 'histogram'],
      ['collab_compactions_total', 'counter'],
      ['collab_refused_frames_total', 'counter'],
      ['bus_messages_total', 'counter'],
      ['bus_reconnects_total', 'counter'],
      ['http_request_duration_seconds', 'histogram'],
      ['rate_limited_total', 'counter'],
      // process defaults, under the same prefix
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
    ];
    for (const [name, type] of families) expect(types.get(`${P}${name}`), name).toBe(type);
    // Nothing outside the prefix.
    for (const name of types.keys()) expect(name.startsWith(P), name).toBe(true);

    // Sane values for what the load did.
    expect(sum(samples, `${P}readers_connected`, { transport: 'websocket' })).toBe(2);
    expect(sum(samples, `${P}readers_connected`, { transport: 'polling' })).toBe(1);
    expect(sum(samples, `${P}rooms_subscribed`)).toBe(1);
    expect(sum(samples, `${P}events_committed_total`, { type: 'post.created' })).toBe(10);
    expect(sum(samples, `${P}events_committed_total`, { type: 'post.updated' })).toBe(1);
    expect(sum(samples, `${P}events_committed_total`, { type: 'summary.updated' })).toBeGreaterThanOrEqual(1);
    expect(sum(samples, `${P}commit_to_emit_seconds_count`)).toBeGreaterThanOrEqual(11);
    expect(sum(samples, `${P}catchups_total`)).toBe(3);
    expect(sum(samples, `${P}slow_consumer_disconnects_total`)).toBe(0);
    expect(sum(samples, `${P}refused_connections_total`)).toBeGreaterThanOrEqual(2);
    expect(sum(samples, `${P}collab_docs_loaded`)).toBe(1);
    expect(sum(samples, `${P}collab_editors_connected`)).toBe(1);
    expect(sum(samples, `${P}collab_update_commit_seconds_count`)).toBeGreaterThanOrEqual(1);
    expect(sum(samples, `${P}collab_refused_frames_total`)).toBeGreaterThanOrEqual(1);
    expect(sum(samples, `${P}bus_messages_total`, { direction: 'out' })).toBeGreaterThanOrEqual(11);
    // One node: its own messages are delivered locally, nothing arrives from other nodes.
    expect(sum(samples, `${P}bus_messages_total`, { direction: 'in' })).toBe(0);
    expect(sum(samples, `${P}bus_reconnects_total`)).toBe(0);
    const postRoute = { route: '/api/v1/blogs/:blogId/posts', method: 'POST', status: '201' };
    expect(sum(samples, `${P}http_request_duration_seconds_count`, postRoute)).toBe(10);
    expect(sum(samples, `${P}http_request_duration_seconds_count`, { status: '404' })).toBeGreaterThanOrEqual(1);
    expect(sum(samples, `${P}process_resident_memory_bytes`)).toBeGreaterThan(1_000_000);
    // Histograms are cumulative: +Inf bucket equals the count.
    expect(sum(samples, `${P}commit_to_emit_seconds_bucket`, { le: '+Inf' })).toBe(
      sum(samples, `${P}commit_to_emit_seconds_count`),
    );

    // Bounded labels: no blog, post or user id, slug or token anywhere in the scrape.
    const secrets = [blogId, cast.blog.slug, ...postIds, ...Object.values(cast.users).flatMap((u) => [u.id, u.token])];
    for (const s of secrets) expect(res.body.includes(s), `scrape contains ${s}`).toBe(false);
    const labelValues = new Set(samples.flatMap((s) => Object.values(s.labels)));
    for (const v of labelValues) expect(v.length, `label value ${v}`).toBeLessThan(80);

    // Prometheus conventions (base units, suffixes), judged by promtool from Debian's
    // prometheus package. prom-client's own nodejs_active_*_total gauges are not ours to rename.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
    expect(lint.error, 'promtool is needed: apt-get install prometheus').toBeUndefined();
    const findings = `${lint.stdout}${lint.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith(`${P}nodejs_active_`));
    expect(findings).toEqual([]);

    mkdirSync('test-artifacts', { recursive: true });
    const ours = res.body.split('\n').filter((l) => l.startsWith(P));
    writeFileSync('test-artifacts/metrics.txt', `${ours.join('\n')}\n`);
    const appLines = ours.filter((l) => !/^liveblog_(process|nodejs)_/.test(l) && !/_bucket\{/.test(l));
    console.log(
      `[metrics] one scrape during load (${ours.length} lines; buckets and process defaults omitted):\n${appLines.join('\n')}`,
    );
    editor.destroy();
  });
});

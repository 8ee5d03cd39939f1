import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { setupBlog, text } from '../helpers/api.js';
import { type Received, type Receiver, startReceiver } from '../helpers/receiver.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const FAST = {
  OUTBOUND_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_POLL_MS: '50',
  OUTBOUND_TIMEOUT_MS: '1000',
  RATE_WRITES_PER_MIN: '100000',
  RATE_WEBSUB_PER_MIN: '1000',
};

/** A subscriber that confirms intent the WebSub way: 200 with the challenge as the body. */
function honest(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://x');
  res.end(req.method === 'GET' ? (url.searchParams.get('hub.challenge') ?? '') : 'thanks');
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function hub(s: TestServer, fields: Record<string, string>) {
  const res = await fetch(`${s.url}/websub`, form(fields));
  return { status: res.status, text: await res.text() };
}

const gets = (r: Receiver) =>
  r.received.filter((x) => x.method === 'GET').map((x) => new URL(x.path, 'http://x').searchParams);
const posts = (r: Receiver): Received[] => r.received.filter((x) => x.method === 'POST');

async function blogWithTopic(s: TestServer) {
  const t = await setupBlog(s.url, s.adminToken);
  return { t, atom: `${s.url}/live/${t.blog.slug}/feed.atom`, json: `${s.url}/live/${t.blog.slug}/feed.json` };
}

/** Subscribes and waits until the hub holds the verified subscription. */
async function subscribe(s: TestServer, topic: string, callback: string, extra: Record<string, string> = {}) {
  const res = await hub(s, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callback, ...extra });
  expect(res.status).toBe(202);
  return waitFor(() => s.app.deps.store.outward.findWebSub(topic, callback), { what: 'a verified subscription' });
}

describe('WebSub hub', () => {
  it('verifies intent, then distributes the whole feed on each change, signed, with hub and self links', async () => {
    const s = await startServer(FAST);
    const { t, atom, json } = await blogWithTopic(s);
    const r = await startReceiver(honest);
    const j = await startReceiver(honest);

    // The feeds and the page announce the hub.
    const feed = await (await fetch(atom)).text();
    expect(feed).toContain(`<link rel="hub" href="${s.url}/websub"/>`);
    expect(feed).toContain(`<link rel="self" type="application/atom+xml" href="${atom}"/>`);
    expect(((await (await fetch(json)).json()) as { hubs: unknown }).hubs).toEqual([
      { type: 'WebSub', url: `${s.url}/websub` },
    ]);
    expect(await (await fetch(`${s.url}/live/${t.blog.slug}`)).text()).toContain(
      `<link rel="hub" href="${s.url}/websub">`,
    );

    const sub = await subscribe(s, atom, `${r.url}/cb?mine=1`, { 'hub.secret': 's3cret', 'hub.lease_seconds': '600' });
    expect(sub.leaseSeconds).toBe(600);
    // Unknown parameters are ignored (the spec says so).
    await subscribe(s, json, `${j.url}/cb`, { 'hub.extra': 'yes' });
    const verify = gets(r)[0]!;
    expect(verify.get('hub.mode')).toBe('subscribe');
    expect(verify.get('hub.topic')).toBe(atom);
    expect(verify.get('hub.lease_seconds')).toBe('600');
    expect(verify.get('mine')).toBe('1');
    expect(verify.get('hub.challenge')?.length).toBeGreaterThanOrEqual(20);

    await t.editor.createPost(t.blog.id, { blocks: [text('<p>The bridge is closed.</p>')] });
    await waitFor(() => posts(r).some((p) => p.body.includes('The bridge is closed.')), {
      what: 'an Atom distribution',
    });
    await waitFor(() => posts(j).some((p) => p.body.includes('The bridge is closed.')), {
      what: 'a JSON distribution',
    });
    const d = posts(r).at(-1)!;
    expect(d.path).toBe('/cb?mine=1');
    expect(d.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(d.headers.link).toBe(`<${s.url}/websub>; rel="hub", <${atom}>; rel="self"`);
    // The body is the topic as a feed reader gets it, and the HMAC is over exactly those bytes.
    expect(d.body).toBe(await (await fetch(atom)).text());
    const expected = `sha256=${createHmac('sha256', 's3cret').update(d.raw).digest('hex')}`;
    expect(d.headers['x-hub-signature']).toBe(expected);
    const jd = posts(j).at(-1)!;
    expect(jd.headers['content-type']).toBe('application/feed+json; charset=utf-8');
    expect(jd.headers['x-hub-signature']).toBeUndefined();
    expect(JSON.parse(jd.body).items[0].content_text).toBe('The bridge is closed.');
  });

  it('the page is a topic too, and every topic names its hub and itself in a Link header (discovery)', async () => {
    const s = await startServer(FAST);
    const { t, atom, json } = await blogWithTopic(s);
    const page = `${s.url}/live/${t.blog.slug}`;
    for (const topic of [page, atom, json]) {
      const res = await fetch(topic, { headers: { 'accept-encoding': 'gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('link')).toBe(`<${s.url}/websub>; rel="hub", <${topic}>; rel="self"`);
    }
    const html = await (await fetch(page)).text();
    expect(html).toContain(`<link rel="self" href="${page}">`);
    // An older page of the page is not the topic: no self link there.
    const older = await fetch(`${page}?before=${encodeURIComponent('zzzz')}`);
    expect(older.headers.get('link')).toBeNull();

    const r = await startReceiver(honest);
    await subscribe(s, page, `${r.url}/page`);
    await t.editor.createPost(t.blog.id, { blocks: [text('<p>Ferries are running.</p>')] });
    await waitFor(() => posts(r).some((p) => p.body.includes('Ferries are running.')), { what: 'a page distribution' });
    const d = posts(r).at(-1)!;
    expect(d.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(d.headers.link).toBe(`<${s.url}/websub>; rel="hub", <${page}>; rel="self"`);
    // A query, another path or another origin is not one of ours.
    for (const topic of [`${page}?x=1`, `${page}/other`, 'https://elsewhere.example/live/x']) {
      const res = await hub(s, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${r.url}/x` });
      expect(res.status).toBe(400);
    }
  });

  it('leaves no subscription for forged callbacks (wrong echo, non-2xx) and denies unknown topics', async () => {
    const s = await startServer(FAST);
    const { atom } = await blogWithTopic(s);
    const wrongEcho = await startReceiver((_req, res) => res.end('not the challenge'));
    const refuses = await startReceiver((req, res) => {
      res.statusCode = 404;
      res.end(new URL(req.url ?? '/', 'http://x').searchParams.get('hub.challenge') ?? '');
    });
    const denied = await startReceiver(honest);
    for (const cb of [wrongEcho.url, refuses.url]) {
      expect((await hub(s, { 'hub.mode': 'subscribe', 'hub.topic': atom, 'hub.callback': cb })).status).toBe(202);
    }
    const nowhere = `${s.url}/live/no-such-blog/feed.atom`;
    expect((await hub(s, { 'hub.mode': 'subscribe', 'hub.topic': nowhere, 'hub.callback': denied.url })).status).toBe(
      202,
    );
    await waitFor(
      async () =>
        wrongEcho.received.length > 0 &&
        refuses.received.length > 0 &&
        denied.received.length > 0 &&
        (await s.app.deps.store.outward.countJobs('websub.verify')) === 0,
      { what: 'the verifications to finish' },
    );
    expect(await s.app.deps.store.outward.findWebSub(atom, wrongEcho.url)).toBeNull();
    expect(await s.app.deps.store.outward.findWebSub(atom, refuses.url)).toBeNull();
    const denial = gets(denied)[0]!;
    expect(denial.get('hub.mode')).toBe('denied');
    expect(denial.get('hub.topic')).toBe(nowhere);
    expect(denial.get('hub.reason')).toBeTruthy();
    expect(await s.app.deps.store.outward.findWebSub(nowhere, denied.url)).toBeNull();
  });

  it('unsubscribes after verification; an expired lease stops distributions', async () => {
    const s = await startServer({ ...FAST, WEBSUB_LEASE_MIN_SECONDS: '1' });
    const { t, atom } = await blogWithTopic(s);
    const leaving = await startReceiver(honest);
    const expiring = await startReceiver(honest);
    const staying = await startReceiver(honest);
    await subscribe(s, atom, leaving.url);
    const short = await subscribe(s, atom, expiring.url, { 'hub.lease_seconds': '1' });
    expect(short.leaseSeconds).toBe(1);
    await subscribe(s, atom, staying.url);

    const res = await hub(s, { 'hub.mode': 'unsubscribe', 'hub.topic': atom, 'hub.callback': leaving.url });
    expect(res.status).toBe(202);
    await waitFor(async () => (await s.app.deps.store.outward.findWebSub(atom, leaving.url)) === null, {
      what: 'the unsubscription',
    });
    expect(gets(leaving).at(-1)?.get('hub.mode')).toBe('unsubscribe');
    expect(gets(leaving).at(-1)?.has('hub.lease_seconds')).toBe(false);
    // Time passing is the condition here: the lease of one second is over.
    await waitFor(() => Date.now() > Date.parse(short.expiresAt) + 5, { what: 'the short lease to end' });

    await t.editor.createPost(t.blog.id, { blocks: [text('<p>After they left.</p>')] });
    await waitFor(() => posts(staying).some((p) => p.body.includes('After they left.')), { what: 'distribution' });
    expect(posts(leaving)).toHaveLength(0);
    expect(posts(expiring)).toHaveLength(0);
  });

  it('a subscriber that hangs holds one slot for a bounded time; the others are served meanwhile, and it is retried', async () => {
    const s = await startServer(FAST);
    const { t, atom } = await blogWithTopic(s);
    let hanging = true;
    const stuck = await startReceiver((req, res) => {
      if (req.method === 'POST' && hanging) return; // never answers (the hub's timeout ends it)
      honest(req, res);
    });
    const fine = await startReceiver(honest);
    await subscribe(s, atom, stuck.url);
    await subscribe(s, atom, fine.url);
    await t.editor.createPost(t.blog.id, { blocks: [text('<p>Slow news.</p>')] });
    await waitFor(() => posts(fine).some((p) => p.body.includes('Slow news.')), { what: 'the healthy subscriber' });
    // The first attempt at the stuck one is still unanswered (or just timed out): never blocking.
    expect(posts(stuck).length).toBeGreaterThanOrEqual(1);
    hanging = false;
    await waitFor(() => posts(stuck).length >= 2, { what: 'a retry after the timeout', timeoutMs: 15_000 });
    expect(posts(stuck).at(-1)?.body).toContain('Slow news.');
  });

  it('distributes the feed as the store has it, even before this node has heard of the change', async () => {
    const s = await startServer(FAST);
    const { t, atom } = await blogWithTopic(s);
    const r = await startReceiver(honest);
    await subscribe(s, atom, r.url);
    // The public read of the feed is kept for the seq this node knows...
    expect((await fetch(atom)).status).toBe(200);
    expect((await fetch(atom)).status).toBe(200);
    // ...and a change committed with no bus news (as when another node's event is still on
    // its way through Redis) still goes out as it is, not as the kept bytes were.
    const at = new Date().toISOString();
    await s.app.deps.store.createPost({
      id: 'quietpost0000000000001',
      blogId: t.blog.id,
      createdAt: at,
      updatedAt: at,
      author: { id: 'someone', name: 'Someone' },
      status: 'published',
      pinned: false,
      keyEvent: false,
      blocks: [{ type: 'text', html: '<p>Heard of later.</p>' }],
      publishAt: null,
      tags: [],
      correction: null,
      approvedBy: null,
      review: null,
    } as Parameters<typeof s.app.deps.store.createPost>[0]);
    await waitFor(() => posts(r).some((p) => p.body.includes('Heard of later.')), { what: 'the fresh distribution' });
  });

  it('answers bad requests with a clear 400 and queues nothing', async () => {
    const s = await startServer({ RATE_WEBSUB_PER_MIN: '1000' });
    const { atom } = await blogWithTopic(s);
    const ok = { 'hub.mode': 'subscribe', 'hub.topic': atom, 'hub.callback': 'https://sub.example.com/cb' };
    for (const fields of [
      {},
      { ...ok, 'hub.mode': 'publish' },
      { ...ok, 'hub.topic': 'https://elsewhere.example.com/live/x/feed.atom' },
      { ...ok, 'hub.topic': `${s.url}/live/x/feed.rss` },
      { ...ok, 'hub.callback': 'not a url' },
      { ...ok, 'hub.callback': 'http://127.0.0.1:9/cb' },
      { ...ok, 'hub.callback': 'http://169.254.169.254/latest' },
      { ...ok, 'hub.secret': 'x'.repeat(200) },
      { ...ok, 'hub.lease_seconds': '-1' },
    ]) {
      const res = await hub(s, fields as Record<string, string>);
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(JSON.parse(res.text).error.message).toBeTruthy();
    }
    const asJson = await fetch(`${s.url}/websub`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ok),
    });
    expect(asJson.status).toBe(400);
    const huge = await fetch(`${s.url}/websub`, form({ ...ok, pad: 'x'.repeat(20_000) }));
    expect(huge.status).toBe(413);
    expect(await s.app.deps.store.outward.countJobs('websub.distribute')).toBe(0);
  });

  it('with WEBSUB_HUB_URL announces that hub and pings it on every change instead', async () => {
    const external = await startReceiver((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    // Pings name the public URL of the feeds (what the external hub will fetch).
    const publicUrl = 'https://news.example.org';
    const s = await startServer({ ...FAST, WEBSUB_HUB_URL: `${external.url}/hub`, PUBLIC_URL: publicUrl });
    const { t } = await blogWithTopic(s);
    const atom = `${publicUrl}/live/${t.blog.slug}/feed.atom`;
    const json = `${publicUrl}/live/${t.blog.slug}/feed.json`;
    const atomBody = await (await fetch(`${s.url}/live/${t.blog.slug}/feed.atom`)).text();
    expect(atomBody).toContain(`<link rel="hub" href="${external.url}/hub"/>`);
    expect(((await (await fetch(`${s.url}/live/${t.blog.slug}/feed.json`)).json()) as { hubs: unknown }).hubs).toEqual([
      { type: 'WebSub', url: `${external.url}/hub` },
    ]);
    await t.editor.createPost(t.blog.id, { blocks: [text('<p>Ping.</p>')] });
    await waitFor(() => external.received.length >= 3, { what: 'three pings' });
    const pinged = external.received.slice(0, 3).map((x) => Object.fromEntries(new URLSearchParams(x.body)));
    expect(pinged).toEqual([
      { 'hub.mode': 'publish', 'hub.url': `${publicUrl}/live/${t.blog.slug}` },
      { 'hub.mode': 'publish', 'hub.url': atom },
      { 'hub.mode': 'publish', 'hub.url': json },
    ]);
    expect(external.received[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

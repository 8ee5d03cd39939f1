import { createHash } from 'node:crypto';
import type { Bus } from '../../bus/types.js';
import { type Blog, blogVisible } from '../../domain/index.js';
import type { Metrics } from '../../lib/metrics.js';
import { matchesIfNoneMatch } from '../etag.js';
import { type Coding, compress, negotiate } from './encoding.js';
import { BlogHeads, HEAD_TRUST_MS, type Head } from './heads.js';
import { preloadBlog } from './preload.js';
import { knownParams, oembedRef, type PublicRead, publicRead } from './routes.js';

export { preloadedBlog } from './preload.js';

export interface ReadModelOptions {
  /** Bytes every stored representation together may hold (all codings, keys, headers). */
  maxBytes: number;
  /** Cache-Control s-maxage for shared caches (CDNs) on blog reads. */
  sMaxAge: number;
  /** Cache-Control stale-while-revalidate on blog reads. */
  staleWhileRevalidate: number;
  headTrustMs?: number;
  /** How long a static asset is served before it is checked against the file again. */
  staticTtlMs?: number;
  /** PUBLIC_URL is set: pages no longer depend on the request's host. */
  fixedBase?: boolean;
}

interface Variant {
  body: Bytes;
  etag: string;
  ok: Record<string, string>;
  notModified: Record<string, string>;
}

type Bytes = Uint8Array<ArrayBuffer>;

interface Entry {
  version: number;
  blogId: string | null;
  hash: string;
  gzip: Bytes;
  br: Bytes;
  variants: Record<Coding, Variant>;
  size: number;
  /** When it last moved to the young end of the eviction order. */
  touched: number;
}

/** The app's own fetch, which answers without coming back to the read model. */
export type Dispatch = (req: Request, env: unknown) => Response | Promise<Response>;

/** One request on its way through the read model. */
interface Ask {
  req: Request;
  env: unknown;
  dispatch: Dispatch;
  read: PublicRead;
  header: (name: string) => string | undefined;
  started: number;
  /** What the representation depends on in the URL: path and query, and the host for pages. */
  key: string;
}

type Flight = { entry: Entry } | { response: Response };

/** What a render's answer may carry that we replace or that belongs to one request only. */
const DROPPED = new Set([
  'etag',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'cache-control',
  'vary',
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
]);
/** Request headers a render must not see: it renders the whole, uncoded representation. */
const STRIPPED = ['if-none-match', 'if-modified-since', 'if-match', 'range', 'accept-encoding', 'cookie'];
const ENTRY_OVERHEAD = 2048;
/** What hono/request-id accepts from a client. */
const REQUEST_ID = /^[\w\-=]+$/;

/**
 * The read model: every public representation (posts pages, summary, blog, /changes, the
 * public page, feeds, oEmbed, the embed iframe, the widget script) kept as bytes, ETag and
 * precompressed gzip and brotli, per (URL, version). A blog read's version is the blog's seq
 * as this node knows it (BlogHeads), so a warm read is a Map lookup in front of the app's
 * router: no store, no token, no logger, no limiter, no middleware. A miss renders once through the ordinary route (single-flight: a
 * burst of first readers waits for one render) and keeps the answer when it is a public 200.
 */
export class ReadModel {
  readonly heads: BlogHeads;
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Promise<Flight>>();
  private readonly timers = new Map<string, { observe(value: number): void }>();
  private readonly blogCacheControl: string;
  private readonly staticTtlMs: number;
  /** Moves with every dropBlog: a render that began before a takedown is not kept. */
  private drops = 0;
  private bytes = 0;

  constructor(
    getBlog: (ref: string) => Promise<Blog | null>,
    private readonly metrics: Metrics,
    private readonly opts: ReadModelOptions,
  ) {
    this.heads = new BlogHeads(getBlog, opts.headTrustMs ?? HEAD_TRUST_MS);
    this.blogCacheControl = `public, max-age=0, s-maxage=${opts.sMaxAge}, stale-while-revalidate=${opts.staleWhileRevalidate}`;
    this.staticTtlMs = opts.staticTtlMs ?? 2_000;
  }

  /** Follows committed events of every node; forgets a blog's bytes on a takedown. */
  attach(bus: Bus): void {
    bus.subscribe(({ msg }) => {
      if (msg.kind !== 'event') return;
      const e = msg.event;
      this.heads.onEvent(e);
      // A takedown, or a blog no longer public: its bytes go at once, not at eviction.
      if (e.type === 'post.deleted' || (e.type === 'blog.updated' && !blogVisible(e.data, false)))
        this.dropBlog(e.blogId);
    });
    bus.onResync(() => this.heads.resync());
  }

  /**
   * Answers a public read from memory, or returns null when the request is not one (the app
   * answers it). Synchronous when warm. A miss renders through `dispatch`, the app's own
   * fetch (auth, validation, the route's own headers), which does not come back here.
   */
  serve(req: Request, env: unknown, dispatch: Dispatch): Response | Promise<Response> | null {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return null;
    const url = req.url;
    const read = publicRead(pathOf(url));
    if (!read) return null;
    const header = headerReader(env, req);
    // Whatever depends on a credential is answered by the ordinary path, and never stored.
    if (header('authorization') !== undefined) return null;
    const started = performance.now();
    // Pages put the base URL in their links, which without PUBLIC_URL is the (loopback) host
    // the request named; nothing else depends on the host, and keying it on the host would
    // let a client turn each made-up Host into a render.
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const q = url.indexOf('?', pathStart);
    if (q >= 0 && read.kind !== 'static' && !knownParams(url.slice(q + 1), read.params)) return null;
    const hostFree = this.opts.fixedBase || read.kind === 'static' || read.label.startsWith('/api/');
    let key = hostFree && pathStart >= 0 ? url.slice(pathStart) : url;
    if (read.kind === 'static' && q >= 0) key = url.slice(pathStart, q);
    const ask: Ask = { req, env, dispatch, read, header, started, key };
    if (read.kind === 'static') return this.answer(ask, Math.floor(started / this.staticTtlMs), null);
    const ref = read.kind === 'blog' ? read.ref : oembedRef(new URL(url).searchParams.get('url'));
    if (!ref) return null;
    const head = this.heads.current(ref, started);
    if (head) return this.answer(ask, head.seq, head);
    return this.heads.resolve(ref).then(
      (h) => (h ? this.answer(ask, h.seq, h) : dispatch(req, env)),
      // The store is unreachable: the ordinary path answers that in its own way (503).
      () => dispatch(req, env),
    );
  }

  private answer(ask: Ask, version: number, head: Head | null): Response | Promise<Response> {
    const key = ask.key;
    const entry = this.entries.get(key);
    if (entry && entry.version === version) {
      // Refresh its place in the eviction order (at most once a second: a Map re-insert per
      // request is a measurable share of a warm read).
      if (ask.started - entry.touched > 1000) {
        entry.touched = ask.started;
        this.entries.delete(key);
        this.entries.set(key, entry);
      }
      return this.respond(ask, entry, true);
    }
    return this.fill(key, version, head, ask).then(
      (got) => {
        if (got instanceof Response) return ask.req.method === 'HEAD' ? new Response(null, got) : got;
        // The request that rendered was counted by the ordinary path it went through.
        return got ? this.respond(ask, got.entry, !got.rendered) : ask.dispatch(ask.req, ask.env);
      },
      () => ask.dispatch(ask.req, ask.env),
    );
  }

  private respond(ask: Ask, entry: Entry, count: boolean): Response {
    const v = entry.variants[negotiate(ask.header('accept-encoding'))];
    const inm = ask.header('if-none-match');
    const fresh = inm !== undefined && (inm === v.etag || matchesIfNoneMatch(inm, v.etag));
    if (count) this.observe(ask.read.label, ask.req.method, fresh ? '304' : '200', ask.started);
    // A sane X-Request-Id the client (or its proxy) chose is echoed, as the ordinary path does;
    // none is made up for a read that logs nothing.
    const id = ask.header('x-request-id');
    const traced = id !== undefined && id.length <= 100 && REQUEST_ID.test(id);
    if (fresh)
      return new Response(null, {
        status: 304,
        headers: traced ? { ...v.notModified, 'x-request-id': id } : v.notModified,
      });
    return new Response(ask.req.method === 'HEAD' ? null : v.body, {
      status: 200,
      headers: traced ? { ...v.ok, 'x-request-id': id } : v.ok,
    });
  }

  /** The request-duration metric, through label-bound children (no label hashing per read). */
  private observe(route: string, method: string, status: string, started: number): void {
    const k = `${route} ${method} ${status}`;
    let child = this.timers.get(k);
    if (!child) {
      child = this.metrics.httpDurationSeconds.labels({ route, method, status });
      this.timers.set(k, child);
    }
    child.observe((performance.now() - started) / 1000);
  }

  /** The entry for (key, version), rendering it once however many requests ask at once. */
  private async fill(
    key: string,
    version: number,
    head: Head | null,
    ask: Ask,
  ): Promise<{ entry: Entry; rendered: boolean } | Response | null> {
    const flightKey = `${version}|${key}`;
    const waiting = this.flights.get(flightKey);
    // Followers of a render that was not stored (an error, a private answer) take the ordinary path.
    if (waiting) return waiting.then((f) => ('entry' in f ? { entry: f.entry, rendered: false } : null));
    const flight = this.render(key, version, head, ask).finally(() => this.flights.delete(flightKey));
    this.flights.set(flightKey, flight);
    const f = await flight;
    return 'entry' in f ? { entry: f.entry, rendered: true } : f.response;
  }

  private async render(key: string, version: number, head: Head | null, ask: Ask): Promise<Flight> {
    const drops = this.drops;
    const raw = ask.req;
    const headers = new Headers(raw.headers);
    for (const h of STRIPPED) headers.delete(h);
    const req = new Request(raw.url, { method: 'GET', headers });
    if (head?.blog && head.blog.seq === version) preloadBlog(req, head.blog);
    const res = await ask.dispatch(req, ask.env);
    if (!storable(res)) return { response: res };
    const identity = Buffer.from(await res.arrayBuffer());
    const hash = createHash('sha1').update(identity).digest('base64url');
    const previous = this.entries.get(key);
    // A static asset re-checked after its TTL is usually unchanged: keep its compressed bytes.
    // Own ArrayBuffers (zlib's may be pooled), typed as a Response body wants them.
    const coded =
      previous?.hash === hash
        ? previous
        : await compress(identity, head ? 5 : 11).then((c) => ({
            gzip: new Uint8Array(c.gzip),
            br: new Uint8Array(c.br),
          }));
    const entry = this.entry(res, version, head?.blogId ?? null, hash, new Uint8Array(identity), coded, key);
    entry.touched = ask.started;
    // Read before a takedown: served to the requests that asked before it, never kept.
    if (drops !== this.drops) return { entry };
    const current = this.entries.get(key);
    // A slower render for an older version must not replace a newer one.
    if (current && current.version > version) return { entry };
    if (current) this.remove(key, current);
    this.entries.set(key, entry);
    this.bytes += entry.size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.opts.maxBytes) break;
      this.remove(k, e);
    }
    return { entry };
  }

  private entry(
    res: Response,
    version: number,
    blogId: string | null,
    hash: string,
    identity: Bytes,
    { gzip, br }: { gzip: Bytes; br: Bytes },
    key: string,
  ): Entry {
    const kept: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (!DROPPED.has(name)) kept[name] = value;
    });
    const vary = new Set(
      (res.headers.get('vary') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
    vary.add('Accept-Encoding');
    const tag = blogId ? `blog-${blogId}` : 'assets';
    const common: Record<string, string> = {
      'cache-control': blogId ? this.blogCacheControl : (res.headers.get('cache-control') ?? 'no-cache'),
      vary: [...vary].join(', '),
      'cache-tag': tag,
      'surrogate-key': tag,
    };
    const variant = (coding: Coding, body: Bytes): Variant => {
      // A coding that does not shrink the body is not worth the client's decoding.
      if (coding !== 'identity' && body.length >= identity.length) return variant('identity', identity);
      const etag = coding === 'identity' ? `"${hash}"` : `"${hash}-${coding === 'gzip' ? 'gz' : 'br'}"`;
      // A 304 carries what RFC 9110 §15.4.5 asks for (the validator and the cache headers) and
      // the CORS ones a cross-origin revalidation is judged by; the cache that asked still
      // holds the rest (CSP, security headers) with the 200 it stored.
      const notModified: Record<string, string> = { ...common, etag };
      for (const [name, value] of Object.entries(kept))
        if (name.startsWith('access-control-')) notModified[name] = value;
      return {
        body,
        etag,
        notModified,
        ok: {
          ...kept,
          ...common,
          etag,
          'content-length': String(body.length),
          ...(coding === 'identity' ? {} : { 'content-encoding': coding }),
        },
      };
    };
    const variants = { identity: variant('identity', identity), gzip: variant('gzip', gzip), br: variant('br', br) };
    const size = identity.length + gzip.length + br.length + key.length * 2 + ENTRY_OVERHEAD;
    return { version, blogId, hash, gzip, br, variants, size, touched: 0 };
  }

  /**
   * Forgets every representation of one blog. A takedown calls it on every node: the removed
   * content must not linger in memory, even under URLs no longer asked for.
   */
  dropBlog(blogId: string): void {
    this.drops += 1;
    for (const [key, e] of [...this.entries]) if (e.blogId === blogId) this.remove(key, e);
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.size;
  }
}

/** The path of an absolute URL string, without its query (no URL object on the warm path). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const q = url.indexOf('?', start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

type NodeHeaders = Record<string, string | string[] | undefined>;

/**
 * Reads request headers from Node's already-parsed IncomingMessage when the app runs on
 * @hono/node-server (building the fetch Headers object is a good part of a warm read's
 * cost), from the Request otherwise (app.request() in tests).
 */
function headerReader(env: unknown, raw: Request): (name: string) => string | undefined {
  const incoming = (env as { incoming?: { headers?: NodeHeaders } } | undefined)?.incoming?.headers;
  if (!incoming) return (name) => raw.headers.get(name) ?? undefined;
  return (name) => {
    const v = incoming[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };
}

/** A public, whole, uncoded 200 that no cookie or stream makes per-client. */
function storable(res: Response): boolean {
  if (res.status !== 200 || res.headers.has('set-cookie') || res.headers.has('content-encoding')) return false;
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('text/event-stream')) return false;
  return /(^|,)\s*public\b/.test(res.headers.get('cache-control') ?? '');
}

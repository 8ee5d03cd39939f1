import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Bus } from '../../bus/types.js';
import type { Blog } from '../../domain/index.js';
import type { Metrics } from '../../lib/metrics.js';
import type { HttpEnv } from '../context.js';
import { matchesIfNoneMatch } from '../etag.js';
import { type Coding, compress, negotiate } from './encoding.js';
import { BlogHeads, HEAD_TRUST_MS, type Head } from './heads.js';
import { preloadBlog } from './preload.js';
import { oembedRef, publicRead } from './routes.js';

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
  /** The request whose miss rendered it. */
  renderedBy: Request;
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

/**
 * The read model: every public representation (posts pages, summary, blog, /changes, the
 * public page, feeds, oEmbed, the embed iframe, the widget script) kept as bytes, ETag and
 * precompressed gzip and brotli, per (URL, version). A blog read's version is the blog's seq
 * as this node knows it (BlogHeads), so a warm read is a Map lookup: no store, no token, no
 * logger, no limiter. A miss renders once through the ordinary route (single-flight: a
 * burst of first readers waits for one render) and keeps the answer when it is a public 200.
 */
export class ReadModel {
  readonly heads: BlogHeads;
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Promise<Flight>>();
  private readonly renders = new WeakSet<Request>();
  private readonly blogCacheControl: string;
  private readonly staticTtlMs: number;
  /** Moves with every dropBlog: a render that began before a takedown is not kept. */
  private drops = 0;
  private bytes = 0;

  constructor(
    getBlog: (ref: string) => Promise<Blog | null>,
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
      this.heads.onEvent(msg.event);
      if (msg.event.type === 'post.deleted') this.dropBlog(msg.event.blogId);
    });
    bus.onResync(() => this.heads.resync());
  }

  /**
   * The first middleware of the app. `render` is the app's own fetch: a miss is rendered by
   * the ordinary route (auth, validation, the route's own headers), marked so that this
   * middleware lets it through.
   */
  middleware(
    render: (req: Request, env: unknown) => Response | Promise<Response>,
    metrics: Metrics,
  ): MiddlewareHandler<HttpEnv> {
    return async (c, next) => {
      const raw = c.req.raw;
      const method = raw.method;
      if ((method !== 'GET' && method !== 'HEAD') || this.renders.has(raw)) return next();
      const read = publicRead(c.req.path);
      if (!read) return next();
      const header = headerReader(c.env, raw);
      // Whatever depends on a credential is answered by the ordinary path, and never stored.
      if (header('authorization') !== undefined) return next();
      const started = performance.now();
      let version: number;
      let head: Head | null = null;
      if (read.kind === 'static') version = Math.floor(started / this.staticTtlMs);
      else {
        const ref = read.kind === 'blog' ? read.ref : oembedRef(c.req.query('url') ?? null);
        if (!ref) return next();
        try {
          head = this.heads.current(ref, started) ?? (await this.heads.resolve(ref));
        } catch {
          // The store is unreachable: the ordinary path answers that in its own way (503).
          return next();
        }
        if (!head) return next();
        version = head.seq;
      }
      const key = raw.url;
      let entry = this.entries.get(key);
      // The request that rendered was counted by the ordinary path it went through.
      let counted = false;
      if (entry && entry.version === version) {
        // Refresh its place in the eviction order.
        this.entries.delete(key);
        this.entries.set(key, entry);
      } else {
        let got: Entry | Response | null;
        try {
          got = await this.fill(key, version, head, raw, c.env, render);
        } catch {
          return next();
        }
        if (got instanceof Response) return got;
        if (!got) return next();
        counted = got.renderedBy === raw;
        entry = got;
      }
      const v = entry.variants[negotiate(header('accept-encoding'))];
      const fresh = matchesIfNoneMatch(header('if-none-match'), v.etag);
      const status = fresh ? 304 : 200;
      if (!counted)
        metrics.httpDurationSeconds.observe(
          { route: read.label, method, status: fresh ? '304' : '200' },
          (performance.now() - started) / 1000,
        );
      return fresh
        ? new Response(null, { status, headers: v.notModified })
        : new Response(v.body, { status, headers: v.ok });
    };
  }

  /** The entry for (key, version), rendering it once however many requests ask at once. */
  private async fill(
    key: string,
    version: number,
    head: Head | null,
    raw: Request,
    env: unknown,
    render: (req: Request, env: unknown) => Response | Promise<Response>,
  ): Promise<Entry | Response | null> {
    const flightKey = `${version}|${key}`;
    const waiting = this.flights.get(flightKey);
    // Followers of a render that was not stored (an error, a private answer) take the ordinary path.
    if (waiting) return waiting.then((f) => ('entry' in f ? f.entry : null));
    const flight = this.render(key, version, head, raw, env, render).finally(() => this.flights.delete(flightKey));
    this.flights.set(flightKey, flight);
    const f = await flight;
    return 'entry' in f ? f.entry : f.response;
  }

  private async render(
    key: string,
    version: number,
    head: Head | null,
    raw: Request,
    env: unknown,
    render: (req: Request, env: unknown) => Response | Promise<Response>,
  ): Promise<Flight> {
    const drops = this.drops;
    const headers = new Headers(raw.headers);
    for (const h of STRIPPED) headers.delete(h);
    const req = new Request(raw.url, { method: 'GET', headers });
    this.renders.add(req);
    if (head?.blog && head.blog.seq === version) preloadBlog(req, head.blog);
    const res = await render(req, env);
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
    const entry = this.entry(res, version, head?.blogId ?? null, hash, new Uint8Array(identity), coded, key, raw);
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
    renderedBy: Request,
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
      const notModified: Record<string, string> = { ...kept, ...common, etag };
      delete notModified['content-type'];
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
    return { version, blogId, hash, gzip, br, variants, size, renderedBy };
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

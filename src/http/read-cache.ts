import type { Context, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import { etagOf } from './etag.js';

/** A serialised JSON body and its ETag; `T` is the type it was serialised from. */
export interface CachedBody<T = unknown> {
  body: string;
  etag: string;
  /** Type only: never set. */
  readonly of?: T;
}

/** Sends a cached body as the JSON answer its route declares (typed as if by c.json). */
export function sendCachedJson<T>(c: Context, cached: CachedBody<T>): TypedResponse<JSONParsed<T>, 200, 'json'> {
  return c.body(cached.body, 200, {
    'Content-Type': 'application/json',
    ETag: cached.etag,
  }) as unknown as TypedResponse<JSONParsed<T>, 200, 'json'>;
}

/** A rough cost of one Map entry and its object beyond the strings it holds. */
const ENTRY_OVERHEAD = 128;

/**
 * Rendered public reads keyed by what they depend on: a blog's `seq` moves with every change a
 * reader can see, so a body cached under (route, blog, seq) is exact, on one node or many, and
 * a burst of late readers costs one store query and one serialisation per change.
 * Bounded by total bytes; the oldest entries go first.
 */
export class ReadCache {
  private readonly entries = new Map<string, CachedBody & { version: number; size: number }>();
  /**
   * Renders in flight by (version, key): a burst of readers on a cold or just-changed blog
   * (a push alert sends thousands at once) waits for one store read instead of making its own.
   */
  private readonly inflight = new Map<string, Promise<CachedBody>>();
  /** Moves with every dropBlog: a render that began before a takedown is not stored. */
  private drops = 0;
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  getOrRender<T>(key: string, version: number, render: () => Promise<T>): Promise<CachedBody<T>> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      // Refresh its place in the eviction order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      // Same key and version: the body was rendered from the same render() type.
      return Promise.resolve(hit as CachedBody<T>);
    }
    const flight = `${version}|${key}`;
    let pending = this.inflight.get(flight);
    if (!pending) {
      pending = this.render(key, version, render).finally(() => this.inflight.delete(flight));
      this.inflight.set(flight, pending);
    }
    // Same key and version: the same render() type.
    return pending as Promise<CachedBody<T>>;
  }

  private async render(key: string, version: number, render: () => Promise<unknown>): Promise<CachedBody> {
    const drops = this.drops;
    const body = JSON.stringify(await render());
    const etag = etagOf(body);
    // Keys carry client-chosen parts (cursor, limit): they and the per-entry overhead count
    // too, or many tiny bodies under distinct keys would grow the map without bound.
    const size = key.length + body.length + etag.length + ENTRY_OVERHEAD;
    const entry = { body, etag, version, size };
    // Read before a takedown: served to the requests that asked before it, never kept.
    if (drops !== this.drops) return entry;
    const previous = this.entries.get(key);
    // A slower render for an older version must not replace a newer one.
    if (previous && previous.version > version) return entry;
    if (previous) this.remove(key, previous.size);
    this.entries.set(key, entry);
    this.bytes += size;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(k, e.size);
    }
    return entry;
  }

  /**
   * Forgets every body of one blog (keys are `route|blogId|…`). A takedown calls it on every
   * node: the removed content must not linger in memory, even under keys no longer served.
   */
  dropBlog(blogId: string): void {
    this.drops += 1;
    for (const [key, e] of [...this.entries]) if (key.split('|')[1] === blogId) this.remove(key, e.size);
  }

  /** Bytes held (keys, bodies, ETags and per-entry overhead). */
  get size(): number {
    return this.bytes;
  }

  private remove(key: string, size: number): void {
    this.entries.delete(key);
    this.bytes -= size;
  }
}

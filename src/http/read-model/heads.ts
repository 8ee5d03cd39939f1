import { type Blog, blogVisible, type LiveEvent } from '../../domain/index.js';

/** How long a head learnt from the store is trusted without bus news before it is re-read. */
export const HEAD_TRUST_MS = 2_000;

/**
 * What this node knows of one public blog: its id, slug and the newest seq it has heard of.
 * `blog` is the whole blog as last read or announced, kept only while it is as new as `seq`
 * (a render may then start from it instead of reading the blog again).
 */
export interface Head {
  blogId: string;
  slug: string;
  seq: number;
  blog: Blog | null;
  /** performance.now() of the last store read (bus news keeps a head current in between). */
  checkedAt: number;
}

/**
 * Each public blog's newest seq on this node, so a warm read can pick its cached bytes with
 * no store query. It moves with the bus (every committed event of every node reaches every
 * node's subscribers, this node's own synchronously), is re-read after a bus outage
 * (`resync`), and is re-read once per HEAD_TRUST_MS even without news, the backstop for a
 * doorbell Redis lost without reconnecting. Draft and missing blogs are never held: their
 * reads take the ordinary path.
 */
export class BlogHeads {
  private readonly byRef = new Map<string, Head>();
  private readonly byId = new Map<string, Head>();
  private readonly pending = new Map<string, Promise<Head | null>>();

  constructor(
    private readonly getBlog: (ref: string) => Promise<Blog | null>,
    private readonly trustMs = HEAD_TRUST_MS,
    private readonly maxBlogs = 10_000,
  ) {}

  /** The head for a ref (id or slug) when it is current enough to serve from; else undefined. */
  current(ref: string, now: number): Head | undefined {
    const h = this.byRef.get(ref);
    return h && now - h.checkedAt < this.trustMs ? h : undefined;
  }

  /** Reads the blog once for every concurrent caller (a cold burst costs one store read). */
  resolve(ref: string): Promise<Head | null> {
    let p = this.pending.get(ref);
    if (!p) {
      p = this.load(ref).finally(() => this.pending.delete(ref));
      this.pending.set(ref, p);
    }
    return p;
  }

  private async load(ref: string): Promise<Head | null> {
    const startedAt = performance.now();
    const blog = await this.getBlog(ref);
    if (!blog || !blogVisible(blog, false)) {
      this.forget(blog?.id ?? this.byRef.get(ref)?.blogId);
      this.byRef.delete(ref);
      return null;
    }
    let h = this.byId.get(blog.id);
    if (!h) {
      if (this.byId.size >= this.maxBlogs) this.clear();
      h = { blogId: blog.id, slug: blog.slug, seq: blog.seq, blog, checkedAt: startedAt };
      this.byId.set(blog.id, h);
    }
    if (h.slug !== blog.slug) {
      this.byRef.delete(h.slug);
      h.slug = blog.slug;
    }
    // Bus news may have overtaken the read: the seq only moves forward.
    if (blog.seq >= h.seq) {
      h.seq = blog.seq;
      h.blog = blog;
    }
    h.checkedAt = Math.max(h.checkedAt, startedAt);
    this.byRef.set(ref, h);
    this.byRef.set(blog.id, h);
    this.byRef.set(blog.slug, h);
    return h;
  }

  /** A committed event from any node: the blog's seq moves; settings changes move the rest. */
  onEvent(event: LiveEvent): void {
    const h = this.byId.get(event.blogId);
    if (!h) return;
    if (event.seq > h.seq) {
      h.seq = event.seq;
      h.blog = null;
    }
    if (event.type === 'blog.updated') {
      const blog = event.data;
      if (!blogVisible(blog, false)) {
        this.forget(h.blogId);
        return;
      }
      if (blog.slug !== h.slug) {
        this.byRef.delete(h.slug);
        h.slug = blog.slug;
        this.byRef.set(blog.slug, h);
      }
    }
  }

  /** After a bus outage: every head is re-read before it is served from again. */
  resync(): void {
    for (const h of this.byId.values()) h.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private forget(blogId: string | undefined): void {
    if (!blogId) return;
    this.byId.delete(blogId);
    for (const [ref, h] of this.byRef) if (h.blogId === blogId) this.byRef.delete(ref);
  }

  private clear(): void {
    this.byId.clear();
    this.byRef.clear();
  }
}

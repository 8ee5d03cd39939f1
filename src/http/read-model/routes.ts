/**
 * The public reads the read model serves: each names the blog its bytes depend on (so the
 * blog's seq versions them) or is a static asset (versioned by time, re-checked against
 * the file). `label` is the route pattern, as the request-duration metric names it.
 */
export type PublicRead =
  | { label: string; kind: 'blog'; ref: string; params: ReadonlySet<string> }
  | { label: string; kind: 'oembed'; params: ReadonlySet<string> }
  /** Assets ignore their query (`embed.js?v=2` is the same script): it is not part of the key. */
  | { label: string; kind: 'static' };

/**
 * The query parameters each read's route takes (its zod query schema in src/domain/api.ts).
 * A request with any other parameter is left to the ordinary path: an ignored parameter with
 * a new value each time would otherwise be a new key, and a render, each time.
 */
const PARAMS: Record<string, ReadonlySet<string>> = {
  '/api/v1/blogs/:blogId/posts': new Set(['limit', 'before', 'status', 'tag', 'keyEvents', 'order']),
  '/api/v1/blogs/:blogId/summary/history': new Set(['limit']),
  '/api/v1/blogs/:blogId/changes': new Set(['since']),
  '/live/:slug': new Set(['before']),
  '/embed/:slug': new Set(['tag', 'keyEvents', 'order']),
  '/oembed': new Set(['url', 'format', 'maxwidth', 'maxheight']),
};
const NONE: ReadonlySet<string> = new Set();

/** True when every parameter of `query` (without its `?`) is one `params` allows. */
export function knownParams(query: string, params: ReadonlySet<string>): boolean {
  for (const name of new URLSearchParams(query).keys()) if (!params.has(name)) return false;
  return true;
}

/** A blog id or slug as the store knows them; anything else takes the ordinary path. */
const REF = '([A-Za-z0-9_-]{1,80})';

const BLOG_READS: [RegExp, string][] = [
  [new RegExp(`^/api/v1/blogs/${REF}$`), '/api/v1/blogs/:blogId'],
  [new RegExp(`^/api/v1/blogs/${REF}/posts$`), '/api/v1/blogs/:blogId/posts'],
  [new RegExp(`^/api/v1/blogs/${REF}/summary$`), '/api/v1/blogs/:blogId/summary'],
  [new RegExp(`^/api/v1/blogs/${REF}/summary/history$`), '/api/v1/blogs/:blogId/summary/history'],
  [new RegExp(`^/api/v1/blogs/${REF}/changes$`), '/api/v1/blogs/:blogId/changes'],
  [new RegExp(`^/live/${REF}$`), '/live/:slug'],
  [new RegExp(`^/live/${REF}/feed\\.atom$`), '/live/:slug/feed.atom'],
  [new RegExp(`^/live/${REF}/feed\\.json$`), '/live/:slug/feed.json'],
  [new RegExp(`^/embed/${REF}$`), '/embed/:slug'],
];

const STATIC_READS: [RegExp, string][] = [
  [/^\/embed\.js$/, '/embed.js'],
  [/^\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/, '/assets/:name'],
];

export function publicRead(path: string): PublicRead | null {
  // Cheap first cut: most requests on a busy node are these prefixes or none of them.
  const c = path.charCodeAt(1);
  if (c === 97 /* a */) {
    if (path.startsWith('/api/v1/blogs/')) return blogRead(path);
    if (path.startsWith('/assets/')) return staticRead(path);
    return null;
  }
  if (c === 108 /* l */ || c === 101 /* e */) {
    if (path === '/embed.js') return { label: '/embed.js', kind: 'static' };
    return blogRead(path);
  }
  if (path === '/oembed') return { label: '/oembed', kind: 'oembed', params: PARAMS['/oembed'] ?? NONE };
  return null;
}

function blogRead(path: string): PublicRead | null {
  for (const [re, label] of BLOG_READS) {
    const m = re.exec(path);
    if (m?.[1]) return { label, kind: 'blog', ref: m[1], params: PARAMS[label] ?? NONE };
  }
  return null;
}

function staticRead(path: string): PublicRead | null {
  for (const [re, label] of STATIC_READS) if (re.test(path)) return { label, kind: 'static' };
  return null;
}

/** The blog an oEmbed `url` names (/live/:slug or /embed/:slug on any host), or null. */
export function oembedRef(url: string | null): string | null {
  if (!url) return null;
  const m = /^https?:\/\/[^/?#]+\/(?:live|embed)\/([A-Za-z0-9_-]{1,80})\/?(?:[?#].*)?$/.exec(url);
  return m?.[1] ?? null;
}

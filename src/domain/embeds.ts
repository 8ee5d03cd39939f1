import type { EmbedBlock, EmbedProvider } from './blocks.js';
import { escapeHtml, fieldError } from './sanitize.js';

/**
 * Embeds: the provider is detected from the URL, the URL is reduced to its canonical form,
 * and the markup is generated here. Clients never supply markup, so a hostile URL can at
 * worst produce a plain escaped link.
 */
export interface DetectedEmbed {
  provider: EmbedProvider;
  /** The canonical URL stored and emitted. */
  url: string;
  /** The provider's id for the item (video id, status id, shortcode), when it has one. */
  id?: string;
  /** Facebook only: which of its embed kinds applies. */
  kind?: 'post' | 'video';
}

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const TWEET_USER = /^[A-Za-z0-9_]{1,15}$/;
const TWEET_ID = /^\d{1,20}$/;
const INSTAGRAM_CODE = /^[A-Za-z0-9_-]{5,40}$/;
const FACEBOOK_SEGMENT = /^[A-Za-z0-9._-]{1,100}$/;

function hostIs(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function segments(u: URL): string[] {
  return u.pathname.split('/').filter((s) => s.length > 0);
}

function detectYouTube(u: URL, host: string): DetectedEmbed | null {
  let id: string | undefined;
  const seg = segments(u);
  if (host === 'youtu.be') {
    id = seg[0];
  } else if (hostIs(host, 'youtube.com') || hostIs(host, 'youtube-nocookie.com')) {
    if (seg[0] === 'watch') id = u.searchParams.get('v') ?? undefined;
    else if (seg[0] === 'shorts' || seg[0] === 'embed' || seg[0] === 'live' || seg[0] === 'v') id = seg[1];
  } else {
    return null;
  }
  if (!id || !YOUTUBE_ID.test(id)) return null;
  return { provider: 'youtube', id, url: `https://www.youtube.com/watch?v=${id}` };
}

function detectTwitter(u: URL, host: string): DetectedEmbed | null {
  if (!hostIs(host, 'twitter.com') && !hostIs(host, 'x.com')) return null;
  const [user, status, id] = segments(u);
  if (!user || !id || (status !== 'status' && status !== 'statuses')) return null;
  if (!TWEET_USER.test(user) || !TWEET_ID.test(id)) return null;
  return { provider: 'twitter', id, url: `https://twitter.com/${user}/status/${id}` };
}

function detectInstagram(u: URL, host: string): DetectedEmbed | null {
  if (!hostIs(host, 'instagram.com') && host !== 'instagr.am') return null;
  let seg = segments(u);
  // Profile-prefixed permalinks (instagram.com/USER/p/CODE) point at the same item.
  if (seg.length >= 3 && (seg[1] === 'p' || seg[1] === 'reel')) seg = seg.slice(1);
  const [kind, code] = seg;
  if ((kind !== 'p' && kind !== 'reel') || !code || !INSTAGRAM_CODE.test(code)) return null;
  return { provider: 'instagram', id: code, url: `https://www.instagram.com/${kind}/${code}/` };
}

function detectFacebook(u: URL, host: string): DetectedEmbed | null {
  if (host === 'fb.watch') {
    const [code] = segments(u);
    if (!code || !FACEBOOK_SEGMENT.test(code)) return null;
    return { provider: 'facebook', kind: 'video', id: code, url: `https://fb.watch/${code}/` };
  }
  if (!hostIs(host, 'facebook.com')) return null;
  const seg = segments(u);
  if (!seg.every((s) => FACEBOOK_SEGMENT.test(s))) return null;
  const base = 'https://www.facebook.com';
  // /PAGE/posts/ID, /PAGE/videos/ID, /PAGE/videos/SLUG/ID
  if (seg.length >= 3 && (seg[1] === 'posts' || seg[1] === 'videos')) {
    return {
      provider: 'facebook',
      kind: seg[1] === 'posts' ? 'post' : 'video',
      id: seg[seg.length - 1],
      url: `${base}/${seg.join('/')}`,
    };
  }
  if (seg[0] === 'watch') {
    const v = u.searchParams.get('v');
    if (v && /^\d{1,25}$/.test(v)) return { provider: 'facebook', kind: 'video', id: v, url: `${base}/watch/?v=${v}` };
    return null;
  }
  if (seg[0] === 'reel' && seg[1]) {
    return { provider: 'facebook', kind: 'video', id: seg[1], url: `${base}/reel/${seg[1]}` };
  }
  if (seg[0] === 'permalink.php' || seg[0] === 'story.php') {
    const story = u.searchParams.get('story_fbid');
    const owner = u.searchParams.get('id');
    if (story && owner && /^[A-Za-z0-9]{1,100}$/.test(story) && /^\d{1,25}$/.test(owner)) {
      return {
        provider: 'facebook',
        kind: 'post',
        id: story,
        url: `${base}/permalink.php?story_fbid=${story}&id=${owner}`,
      };
    }
  }
  return null;
}

/** Detects the provider and canonical URL; null when the URL is not an absolute http(s) URL. */
export function detectEmbed(rawUrl: string): DetectedEmbed | null {
  let u: URL;
  try {
    u = new URL(rawUrl.trim());
  } catch {
    return null;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !u.hostname) return null;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  return (
    detectYouTube(u, host) ??
    detectTwitter(u, host) ??
    detectInstagram(u, host) ??
    detectFacebook(u, host) ?? { provider: 'link', url: u.href }
  );
}

const LINK_ATTRS = 'rel="noopener noreferrer nofollow" target="_blank"';

function fallbackLink(url: string, label: string): string {
  return `<a href="${escapeHtml(url)}" ${LINK_ATTRS}>${escapeHtml(label)}</a>`;
}

function hostLabel(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** The markup readers render for an embed. Every interpolated value is escaped. */
export function renderEmbedHtml(d: DetectedEmbed, title?: string, text?: string): string {
  const caption = text ? `<p>${escapeHtml(text)}</p>` : '';
  switch (d.provider) {
    case 'youtube': {
      const src = `https://www.youtube-nocookie.com/embed/${encodeURIComponent(d.id ?? '')}`;
      return (
        `<div class="lb-embed lb-embed-youtube"><iframe src="${escapeHtml(src)}" ` +
        `title="${escapeHtml(title ?? 'YouTube video')}" width="560" height="315" loading="lazy" ` +
        'frameborder="0" referrerpolicy="strict-origin-when-cross-origin" ' +
        'allow="accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen" allowfullscreen></iframe>' +
        `${caption}</div>`
      );
    }
    case 'twitter':
      return (
        `<blockquote class="twitter-tweet" data-dnt="true">${caption}` +
        `${fallbackLink(d.url, title ?? 'View the post on X')}</blockquote>`
      );
    case 'instagram':
      return (
        `<blockquote class="instagram-media" data-instgrm-permalink="${escapeHtml(d.url)}" data-instgrm-version="14">` +
        `${caption}${fallbackLink(d.url, title ?? 'View this post on Instagram')}</blockquote>`
      );
    case 'facebook': {
      const cls = d.kind === 'video' ? 'fb-video' : 'fb-post';
      return (
        `<div class="${cls}" data-href="${escapeHtml(d.url)}" data-show-text="true">` +
        `<blockquote cite="${escapeHtml(d.url)}" class="fb-xfbml-parse-ignore">${caption}` +
        `${fallbackLink(d.url, title ?? 'View on Facebook')}</blockquote></div>`
      );
    }
    case 'link': {
      const host = hostLabel(d.url);
      const desc = text ? `<span class="lb-link-text">${escapeHtml(text)}</span>` : '';
      return (
        `<a class="lb-embed lb-link-card" href="${escapeHtml(d.url)}" ${LINK_ATTRS}>` +
        `<span class="lb-link-title">${escapeHtml(title ?? host)}</span>${desc}` +
        `<span class="lb-link-host">${escapeHtml(host)}</span></a>`
      );
    }
  }
}

/**
 * Turns a client's embed block into the stored block: provider checked against the URL,
 * URL canonicalised, markup generated. `path` names the block in validation errors.
 */
export function buildEmbedBlock(
  input: { url: string; provider?: EmbedProvider | undefined; title?: string | undefined; text?: string | undefined },
  path: (string | number)[],
): EmbedBlock {
  const detected = detectEmbed(input.url);
  if (!detected) throw fieldError([...path, 'url'], 'must be an absolute http(s) URL');
  if (input.provider && input.provider !== detected.provider) {
    throw fieldError(
      [...path, 'provider'],
      `is '${input.provider}' but the URL is ${detected.provider === 'link' ? 'a plain link' : `a ${detected.provider} URL`}`,
    );
  }
  const title = input.title || undefined;
  const text = input.text || undefined;
  const block: EmbedBlock = {
    type: 'embed',
    provider: detected.provider,
    url: detected.url,
    html: renderEmbedHtml(detected, title, text),
  };
  if (title) block.title = title;
  if (text) block.text = text;
  return block;
}

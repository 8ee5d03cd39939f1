import sanitizeHtml from 'sanitize-html';
import { DomainError } from './errors.js';

/**
 * The inline HTML subset posts may carry. Everything outside it is dropped: unknown tags
 * lose their markup but keep their text, dangerous containers (script, style, iframe …)
 * lose their content too, and no attribute survives but a link's vetted href.
 */
const ALLOWED_TAGS = ['p', 'strong', 'em', 'a', 'br', 'ul', 'ol', 'li', 'blockquote'];
const LINK_SCHEMES = ['http', 'https', 'mailto'];
/** Elements whose text content is code or chrome, never prose: removed with their content. */
const DROP_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'noscript',
  'iframe',
  'object',
  'embed',
  'template',
  'title',
  'svg',
  'math',
  'xmp',
  'noembed',
  'noframes',
  'select',
  'button',
];

/** True for an absolute http(s) or mailto URL; anything else (javascript:, data:, relative) is refused. */
export function isSafeLinkHref(href: string | undefined): href is string {
  if (!href) return false;
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:"):
  // judge the URL the way the browser will read it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  if (!m?.[1] || !LINK_SCHEMES.includes(m[1].toLowerCase())) return false;
  if (m[1].toLowerCase() === 'mailto') return true;
  try {
    const u = new URL(href.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

const inlineOptions: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'rel', 'target'] },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: DROP_WITH_CONTENT,
  enforceHtmlBoundary: false,
  parseStyleAttributes: false,
  exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
  transformTags: {
    b: 'strong',
    i: 'em',
    a: (_tag, attribs): sanitizeHtml.Tag => {
      const href = attribs.href?.trim();
      // A link without a usable target loses every attribute; exclusiveFilter then drops the tag, keeping its text.
      if (!isSafeLinkHref(href)) return { tagName: 'a', attribs: {} };
      return {
        tagName: 'a',
        attribs: { href, rel: 'noopener noreferrer nofollow', target: '_blank' },
      };
    },
  },
};

/** Sanitises client HTML down to the inline subset. Pure; never throws. */
export function sanitizeInlineHtml(html: string): string {
  return sanitizeHtml(html, inlineOptions).trim();
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Decodes the entities sanitize-html emits (named basics and numeric references). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** The visible text of (already sanitised) HTML, whitespace collapsed. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>|<\/(?:p|li|blockquote)>/gi, ' ');
  const stripped = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {}, nonTextTags: DROP_WITH_CONTENT });
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A validation failure on one field, in the shape HTTP turns into 400 validation_failed. */
export function fieldError(path: (string | number)[], message: string): DomainError {
  const p = path.join('.');
  return new DomainError('validation_failed', `${p}: ${message}`, [{ path: p, message }]);
}

/**
 * Sanitises a text block's HTML; a block left with no visible text is refused, naming the
 * field (e.g. `blocks.2.html`), because an empty paragraph is almost always a client bug.
 */
export function sanitizeTextBlockHtml(html: string, path: (string | number)[]): string {
  const clean = sanitizeInlineHtml(html);
  if (
    htmlToText(clean)
      .replace(/\u00a0/g, ' ')
      .trim() === ''
  ) {
    throw fieldError(path, 'has no text left after removing disallowed HTML');
  }
  return clean;
}

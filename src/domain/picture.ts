import type { ImageBlock } from './blocks.js';
import type { MediaVariant } from './media.js';

/**
 * The one rendering of an image block, shared by the public page (server) and the widget
 * (browser). It imports no runtime code, so the widget bundle stays small; the caller passes
 * its escaper and its ThumbHash decoder.
 *
 * An uploaded image becomes a `<picture>`: AVIF, then WebP sources, a JPEG `<img>` with
 * `srcset`/`sizes`, explicit width and height (the browser reserves the box: no layout
 * shift), `loading="lazy"`, and the placeholder (average colour under a blurred ThumbHash)
 * as the box's background until the photo paints over it. A URL image stays a plain `<img>`.
 */
export interface PictureOptions {
  esc: (s: string) => string;
  /** ThumbHash (base64) → data URL, or null when it cannot be decoded. */
  placeholderUrl?: (thumbhash: string) => string | null;
  /** The `sizes` attribute: how wide the image is shown in the layout. */
  sizes?: string;
  /** Class of the figure element. */
  figureClass?: string;
}

/** Column width of pages and the widget: full width on phones, at most 720 CSS pixels. */
export const DEFAULT_SIZES = '(min-width: 760px) 720px, 100vw';

const srcset = (variants: readonly MediaVariant[], esc: (s: string) => string) =>
  variants
    .slice()
    .sort((a, b) => a.width - b.width)
    .map((v) => `${esc(v.url)} ${v.width}w`)
    .join(', ');

export function imageHtml(block: ImageBlock, opts: PictureOptions): string {
  const { esc } = opts;
  const sizes = opts.sizes ?? DEFAULT_SIZES;
  const caption = [block.caption ? esc(block.caption) : '', block.credit ? `<small>${esc(block.credit)}</small>` : '']
    .filter(Boolean)
    .join(' ');
  const figcaption = caption ? `<figcaption>${caption}</figcaption>` : '';
  const cls = opts.figureClass ? ` class="${esc(opts.figureClass)}"` : '';
  const variants = block.variants ?? [];
  if (variants.length === 0 || !block.width || !block.height) {
    return `<figure${cls}><img src="${esc(block.url)}" alt="${esc(block.alt)}" loading="lazy" decoding="async">${figcaption}</figure>`;
  }
  const ofType = (type: MediaVariant['type']) => variants.filter((v) => v.type === type);
  const sources = (['image/avif', 'image/webp'] as const)
    .map((type) => ofType(type))
    .filter((list) => list.length > 0)
    .map((list) => `<source type="${list[0]!.type}" srcset="${srcset(list, esc)}" sizes="${esc(sizes)}">`)
    .join('');
  const jpegs = ofType('image/jpeg');
  const background = [
    block.color ?? '',
    block.placeholder && opts.placeholderUrl ? placeholderLayer(opts.placeholderUrl(block.placeholder)) : '',
  ]
    .filter(Boolean)
    .join(' ');
  const style = background ? ` style="background:${esc(background)}"` : '';
  const img =
    `<img src="${esc(block.url)}"${jpegs.length > 0 ? ` srcset="${srcset(jpegs, esc)}" sizes="${esc(sizes)}"` : ''}` +
    ` width="${block.width}" height="${block.height}" alt="${esc(block.alt)}" loading="lazy" decoding="async"${style}>`;
  return `<figure${cls}><picture>${sources}${img}</picture>${figcaption}</figure>`;
}

/** A CSS background layer for the decoded placeholder (data URLs hold only [A-Za-z0-9+/=:;,]). */
function placeholderLayer(url: string | null): string {
  if (!url || !/^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(url)) return '';
  return `url(${url}) center / cover no-repeat`;
}

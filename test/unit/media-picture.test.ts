import { describe, expect, it } from 'vitest';
import type { ImageBlock } from '../../src/domain/index.js';
import { imageHtml } from '../../src/domain/picture.js';
import { esc } from '../../src/http/pages/html.js';
import { renderBlock } from '../../src/http/pages/render.js';

const v = (w: number, h: number, type: 'image/avif' | 'image/webp' | 'image/jpeg', ext: string) => ({
  url: `https://live.example.com/media/${String(w).padStart(4, '0')}${'0'.repeat(60)}.${ext}`,
  width: w,
  height: h,
  type,
});
const block: ImageBlock = {
  type: 'image',
  url: v(1280, 853, 'image/jpeg', 'jpeg').url,
  alt: 'Smoke "over" <the> bridge',
  caption: 'The bridge at 9:40',
  credit: 'A. Reporter',
  mediaId: 'm1',
  width: 1280,
  height: 853,
  variants: [
    v(320, 213, 'image/avif', 'avif'),
    v(1280, 853, 'image/avif', 'avif'),
    v(320, 213, 'image/webp', 'webp'),
    v(1280, 853, 'image/webp', 'webp'),
    v(1280, 853, 'image/jpeg', 'jpeg'),
    v(320, 213, 'image/jpeg', 'jpeg'),
  ],
  placeholder: 'HBkSHYSIeHiPiHh8eJd4eTN0EEQG',
  color: '#8a7f70',
};

describe('image rendering (page and widget share it)', () => {
  it('an upload is a <picture>: AVIF then WebP sources, a JPEG img with srcset, sizes, size and lazy loading', () => {
    const html = imageHtml(block, { esc });
    expect(html).toMatch(
      /^<figure><picture><source type="image\/avif" srcset="[^"]*0320[^"]* 320w, [^"]*1280[^"]* 1280w" sizes="[^"]+"><source type="image\/webp"/,
    );
    expect(html).toContain(`<img src="${block.url}" srcset="`);
    expect(html).toContain('width="1280" height="853"');
    expect(html).toContain('loading="lazy"');
    expect(html).toContain('alt="Smoke &quot;over&quot; &lt;the&gt; bridge"');
    expect(html).toContain('style="background:#8a7f70"');
    expect(html).toContain('<figcaption>The bridge at 9:40 <small>A. Reporter</small></figcaption>');
  });

  it('the page adds the decoded ThumbHash under the colour', () => {
    const html = renderBlock(block);
    expect(html).toMatch(
      /style="background:#8a7f70 url\(data:image\/png;base64,[A-Za-z0-9+/=]+\) center \/ cover no-repeat"/,
    );
    expect(html).toContain('class="lb-image"');
  });

  it('a URL image stays a plain img; a bad placeholder is dropped, not injected', () => {
    const plain = imageHtml({ type: 'image', url: 'https://e.com/a.jpg', alt: 'A' }, { esc });
    expect(plain).toBe('<figure><img src="https://e.com/a.jpg" alt="A" loading="lazy" decoding="async"></figure>');
    const hostile = imageHtml(block, {
      esc,
      placeholderUrl: () => 'data:image/png;base64,AAA=) ; background:url(//evil',
    });
    expect(hostile).toContain('style="background:#8a7f70"');
  });
});

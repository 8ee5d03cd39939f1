import type { Block, BlockInput, Media } from '../../src/domain/index.js';
import type { EditorApi } from './api.js';
import { flash, h } from './dom.js';

type ImageBlock = Extract<Block, { type: 'image' }>;

export interface ImageField {
  el: HTMLElement;
  read(): BlockInput;
  destroy(): void;
  /** Uploads a file into this block (from the picker, a drop or a paste). */
  upload(file: File): Promise<void>;
}

const text = (name: string, label: string, value = '', type = 'text') =>
  h('label', {}, label, h('input', { name, type, value, 'data-field': name }));

/**
 * An image block: upload a photo (file picker, drag and drop onto the block, or paste into
 * the composer) or give a URL. While the bytes go out a progress bar shows how far; then the
 * server's variants are previewed and alt text, caption and credit are filled from the
 * library item (alt is required before publishing; the server says so if it is missing).
 */
export function imageField(ctx: { api: EditorApi; blogId: string }, initial?: ImageBlock): ImageField {
  let mediaId: string | undefined = initial?.mediaId;
  const fileInput = h('input', {
    type: 'file',
    accept: 'image/jpeg,image/png,image/webp,image/avif,image/gif',
    'data-field': 'file',
  });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const status = h('p', { class: 'flash', role: 'status' });
  const preview = h('img', { class: 'upload-preview', alt: '', hidden: true });
  const url = text('url', 'or an image URL (https)', initial?.mediaId ? '' : (initial?.url ?? ''), 'url');
  const drop = h(
    'div',
    { class: 'dropzone', 'data-dropzone': '' },
    h('label', {}, 'Photo: choose a file, drop it here or paste it', fileInput),
    progress,
    preview,
    status,
  );
  const el = h(
    'div',
    { class: 'fields' },
    drop,
    url,
    text('alt', 'Alt text (required to publish)', initial?.alt ?? ''),
    text('caption', 'Caption', initial?.caption ?? ''),
    text('credit', 'Credit', initial?.credit ?? ''),
  );
  const value = (name: string) => (el.querySelector(`[data-field="${name}"]`) as HTMLInputElement).value.trim();
  const set = (name: string, v: string | null) => {
    const f = el.querySelector(`[data-field="${name}"]`) as HTMLInputElement;
    if (v && !f.value) f.value = v;
  };
  const show = (src: string) => {
    preview.src = src;
    preview.hidden = false;
  };
  if (initial?.mediaId) {
    const small = initial.variants?.find((v) => v.type === 'image/jpeg' && v.width <= 640);
    show(small?.url ?? initial.url);
  }

  async function upload(file: File): Promise<void> {
    progress.hidden = false;
    progress.value = 0;
    flash(status, `Uploading ${file.name || 'image'}…`);
    try {
      const media: Media = await ctx.api.uploadMedia(ctx.blogId, file, (f) => {
        progress.value = f;
        if (f >= 1) flash(status, 'Processing…');
      });
      mediaId = media.id;
      el.setAttribute('data-media-id', media.id);
      (el.querySelector('[data-field="url"]') as HTMLInputElement).value = '';
      set('alt', media.alt);
      set('caption', media.caption);
      set('credit', media.credit);
      const small = media.variants.find((v) => v.type === 'image/jpeg' && v.width <= 640) ?? media.variants[0];
      show(small?.url ?? media.url);
      flash(status, `Uploaded (${media.width} × ${media.height}).`);
    } catch (err) {
      flash(status, (err as Error).message, 'error');
    } finally {
      progress.hidden = true;
    }
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void upload(file);
    fileInput.value = '';
  });
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void upload(file);
  });

  return {
    el,
    upload,
    destroy: () => {},
    read: (): BlockInput => {
      const alt = value('alt');
      const caption = value('caption');
      const credit = value('credit');
      const extra = { ...(caption ? { caption } : {}), ...(credit ? { credit } : {}) };
      // A URL typed after an upload wins: the reporter chose to link an image instead.
      if (value('url') || !mediaId) return { type: 'image', url: value('url'), alt, ...extra };
      return { type: 'image', mediaId, alt, ...extra };
    },
  };
}

import type { Block, BlockInput, Post } from '../../src/domain/index.js';
import type { EditorApi, PostDraft } from './api.js';
import { localInputToIso } from './countdown.js';
import { flash, h } from './dom.js';
import { type ImageField, imageField } from './image-field.js';
import { richText } from './rich-text.js';

interface BlockField {
  el: HTMLElement;
  read(): BlockInput;
  destroy(): void;
}

const input = (name: string, label: string, value = '', type = 'text') =>
  h('label', {}, label, h('input', { name, type, value, 'data-field': name }));

function field(root: HTMLElement, name: string): string {
  return (root.querySelector(`[data-field="${name}"]`) as HTMLInputElement | HTMLTextAreaElement).value.trim();
}

function optional<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== '')) as T;
}

function textField(initial?: Extract<Block, { type: 'text' }>): BlockField {
  const { el, editor } = richText({ label: 'Text', ...(initial ? { content: initial.html } : {}) });
  return { el, read: () => ({ type: 'text', html: editor.getHTML() }), destroy: () => editor.destroy() };
}

function quoteField(initial?: Extract<Block, { type: 'quote' }>): BlockField {
  const el = h(
    'div',
    { class: 'fields' },
    h('label', {}, 'Quote', h('textarea', { 'data-field': 'text', rows: 3 }, initial?.text ?? '')),
    input('attribution', 'Attribution', initial?.attribution ?? ''),
  );
  return {
    el,
    read: () => optional({ type: 'quote' as const, text: field(el, 'text'), attribution: field(el, 'attribution') }),
    destroy: () => {},
  };
}

function embedField(initial?: Extract<Block, { type: 'embed' }>): BlockField {
  const el = h(
    'div',
    { class: 'fields' },
    input('url', 'URL (X/Twitter, YouTube, Facebook, Instagram or any link)', initial?.url ?? '', 'url'),
    input('title', 'Title (optional)', initial?.title ?? ''),
    input('text', 'Text (optional)', initial?.text ?? ''),
  );
  return {
    el,
    read: () =>
      optional({ type: 'embed' as const, url: field(el, 'url'), title: field(el, 'title'), text: field(el, 'text') }),
    destroy: () => {},
  };
}

/**
 * A poll: a question and one option per line (2–6). Editing keeps each option's id, so
 * votes stay with their option when its wording is corrected.
 */
/** An ISO time as a datetime-local value in the editor's own time zone. */
const localInput = (iso: string) =>
  new Date(Date.parse(iso) - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function pollField(initial?: Extract<Block, { type: 'poll' }>): BlockField {
  const ids = initial?.options.map((o) => o.id) ?? [];
  const el = h(
    'div',
    { class: 'fields' },
    input('question', 'Question', initial?.question ?? ''),
    h(
      'label',
      {},
      'Options (one per line, 2 to 6)',
      h('textarea', { 'data-field': 'options', rows: 4 }, initial?.options.map((o) => o.text).join('\n') ?? ''),
    ),
    input('closesAt', 'Closes at (optional)', initial?.closesAt ? localInput(initial.closesAt) : '', 'datetime-local'),
  );
  return {
    el,
    read: () => {
      const lines = field(el, 'options')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
      const options = lines.map((text, i) => (ids[i] ? { id: ids[i], text } : text));
      const closes = localInputToIso(field(el, 'closesAt')) ?? undefined;
      return {
        type: 'poll' as const,
        question: field(el, 'question'),
        options,
        ...(closes ? { closesAt: closes } : {}),
      };
    },
    destroy: () => {},
  };
}

function makeField(ctx: { api: EditorApi; blogId: string }, type: Block['type'], initial?: Block): BlockField {
  switch (type) {
    case 'text':
      return textField(initial?.type === 'text' ? initial : undefined);
    case 'quote':
      return quoteField(initial?.type === 'quote' ? initial : undefined);
    case 'image':
      return imageField(ctx, initial?.type === 'image' ? initial : undefined);
    case 'embed':
      return embedField(initial?.type === 'embed' ? initial : undefined);
    case 'poll':
      return pollField(initial?.type === 'poll' ? initial : undefined);
  }
}

/**
 * The post composer: a list of blocks of any type, saved as a draft or published.
 * `edit(post)` loads an existing post; saving then patches it.
 */
export function postComposer(blogId: string, api: EditorApi) {
  let editing: Post | null = null;
  let fields: { type: Block['type']; f: BlockField; box: HTMLElement }[] = [];
  const blocksEl = h('div', { class: 'blocks' });
  const pinned = h('input', { type: 'checkbox', name: 'pinned' });
  const keyEvent = h('input', { type: 'checkbox', name: 'keyEvent' });
  const tags = h('input', { type: 'text', name: 'tags', 'data-field': 'tags', placeholder: 'goals, var' });
  const publishAt = h('input', { type: 'datetime-local', name: 'publishAt', 'data-field': 'publishAt' });
  // Only for an edit of a published post: readers see "Corrected HH:MM — note".
  const correctionNote = h('input', { type: 'text', name: 'correction', 'data-field': 'correction' });
  const correctionRow = h(
    'label',
    { class: 'correction-row', hidden: true },
    'Correction note (public) ',
    correctionNote,
  );
  const message = h('p', { class: 'flash', role: 'status' });
  const title = h('h2', {}, 'New post');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel edit');

  function addBlock(type: Block['type'], initial?: Block): BlockField {
    const f = makeField({ api, blogId }, type, initial);
    const box = h('div', { class: `block block-${type}`, 'data-block-type': type });
    const entry = { type, f, box };
    box.append(
      h(
        'div',
        { class: 'block-head' },
        h('strong', {}, type),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            onclick: () => {
              f.destroy();
              box.remove();
              fields = fields.filter((x) => x !== entry);
            },
          },
          'remove',
        ),
      ),
      f.el,
    );
    fields.push(entry);
    blocksEl.append(box);
    return f;
  }

  /** A photo pasted or dropped anywhere in the composer goes into a new image block. */
  function takeImage(file: File): void {
    const field = addBlock('image') as ImageField;
    void field.upload(file);
  }
  const imageFile = (list: FileList | undefined | null) =>
    [...(list ?? [])].find((f) => f.type.startsWith('image/')) ?? null;

  function reset(): void {
    for (const x of fields) x.f.destroy();
    fields = [];
    blocksEl.replaceChildren();
    editing = null;
    pinned.checked = false;
    keyEvent.checked = false;
    tags.value = '';
    publishAt.value = '';
    correctionNote.value = '';
    correctionRow.hidden = true;
    title.textContent = 'New post';
    cancel.hidden = true;
    addBlock('text');
  }

  const DONE = {
    published: 'Published.',
    draft: 'Draft saved.',
    submitted: 'Submitted for review.',
    scheduled: 'Scheduled.',
  };

  async function save(status: 'draft' | 'submitted' | 'published' | 'scheduled'): Promise<void> {
    const blocks = fields.map((x) => x.f.read());
    if (!blocks.length) return flash(message, 'Add at least one block.', 'error');
    try {
      const body: PostDraft = { blocks, pinned: pinned.checked, keyEvent: keyEvent.checked };
      body.tags = tags.value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (status === 'scheduled') {
        const at = localInputToIso(publishAt.value);
        if (!at) return flash(message, 'Pick a date and time to schedule it.', 'error');
        body.publishAt = at;
      } else if (!(editing && (editing.status as string) === status && status === 'published')) {
        body.status = status;
      }
      if (editing && editing.status === 'published' && correctionNote.value.trim()) {
        body.correction = { note: correctionNote.value.trim() };
      }
      if (editing) await api.patchPost(blogId, editing.id, body);
      else await api.createPost(blogId, body);
      flash(message, DONE[status]);
      reset();
    } catch (err) {
      flash(message, (err as Error).message, 'error');
    }
  }

  const el = h(
    'section',
    { class: 'panel composer', 'aria-labelledby': 'composer-h' },
    title,
    blocksEl,
    h(
      'div',
      { class: 'row' },
      'Add: ',
      ...(['text', 'quote', 'image', 'embed', 'poll'] as const).map((t) =>
        h('button', { type: 'button', class: 'secondary', onclick: () => addBlock(t) }, t),
      ),
    ),
    h('div', { class: 'row' }, h('label', {}, pinned, ' Pinned'), h('label', {}, keyEvent, ' Key event')),
    h('div', { class: 'row' }, h('label', {}, 'Tags ', tags), h('label', {}, 'Publish at ', publishAt)),
    correctionRow,
    h(
      'div',
      { class: 'row' },
      h(
        'button',
        { type: 'button', class: 'primary', 'data-action': 'publish', onclick: () => void save('published') },
        'Publish',
      ),
      h('button', { type: 'button', 'data-action': 'draft', onclick: () => void save('draft') }, 'Save draft'),
      h(
        'button',
        { type: 'button', 'data-action': 'submit-review', onclick: () => void save('submitted') },
        'Submit for review',
      ),
      h('button', { type: 'button', 'data-action': 'schedule', onclick: () => void save('scheduled') }, 'Schedule'),
      cancel,
    ),
    message,
  );
  title.id = 'composer-h';
  el.addEventListener('paste', (e) => {
    const file = imageFile(e.clipboardData?.files);
    if (!file) return;
    e.preventDefault();
    takeImage(file);
  });
  el.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  });
  el.addEventListener('drop', (e) => {
    // Drops on an image block's own zone are handled (and stopped) there.
    if ((e.target as HTMLElement).closest('[data-dropzone]')) return;
    const file = imageFile(e.dataTransfer?.files);
    if (!file) return;
    e.preventDefault();
    takeImage(file);
  });
  reset();

  return {
    el,
    edit(post: Post): void {
      reset();
      for (const x of fields) x.f.destroy();
      fields = [];
      blocksEl.replaceChildren();
      for (const b of post.blocks) addBlock(b.type, b);
      editing = post;
      pinned.checked = post.pinned;
      keyEvent.checked = post.keyEvent;
      tags.value = ((post as Post & { tags?: string[] }).tags ?? []).join(', ');
      correctionRow.hidden = post.status !== 'published';
      title.textContent = 'Edit post';
      cancel.hidden = false;
      el.scrollIntoView({ behavior: 'smooth' });
    },
    destroy(): void {
      for (const x of fields) x.f.destroy();
    },
  };
}

import { Editor, type Extensions } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { h } from './dom.js';

/**
 * A small TipTap editor with a toolbar (bold, italic, link, bullet list). Used for post
 * text blocks and, with collaboration extensions, for the shared summary.
 */
export function richText(opts: { extensions?: Extensions; content?: string; label: string; collaborative?: boolean }): {
  el: HTMLElement;
  editor: Editor;
} {
  const surface = h('div', { class: 'rt-surface' });
  const toolbar = h('div', { class: 'rt-toolbar', role: 'toolbar', 'aria-label': `${opts.label} formatting` });
  const wrap = h('div', { class: 'rt' }, toolbar, surface);
  const editor = new Editor({
    element: surface,
    extensions: [
      StarterKit.configure({
        heading: false,
        codeBlock: false,
        code: false,
        horizontalRule: false,
        strike: false,
        underline: false,
        // The collaborative summary keeps history in Yjs (per-user undo), not in ProseMirror.
        // No trailing empty paragraph either: in the summary it would be a stray non-bullet.
        ...(opts.collaborative ? { undoRedo: false, trailingNode: false } : {}),
        link: { openOnClick: false, autolink: true, protocols: ['http', 'https', 'mailto'] },
      }),
      ...(opts.extensions ?? []),
    ],
    ...(opts.content !== undefined ? { content: opts.content } : {}),
    editorProps: {
      attributes: { 'aria-label': opts.label, role: 'textbox', 'aria-multiline': 'true', class: 'rt-content' },
    },
  });
  const button = (label: string, title: string, run: () => void) =>
    h(
      'button',
      {
        type: 'button',
        title,
        'aria-label': title,
        onmousedown: (e: Event) => e.preventDefault(),
        onclick: run,
      },
      label,
    );
  toolbar.append(
    button('B', 'Bold', () => editor.chain().focus().toggleBold().run()),
    button('I', 'Italic', () => editor.chain().focus().toggleItalic().run()),
    button('Link', 'Link', () => {
      const url = prompt('Link URL (empty to remove)', editor.getAttributes('link').href ?? 'https://');
      if (url === null) return;
      if (url.trim() === '') editor.chain().focus().unsetLink().run();
      else editor.chain().focus().extendMarkRange('link').setLink({ href: url.trim() }).run();
    }),
    button('• List', 'Bullet list', () => editor.chain().focus().toggleBulletList().run()),
  );
  return { el: wrap, editor };
}

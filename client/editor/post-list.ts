import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Post, ServerToClientEvents } from '../../src/domain/index.js';
import { esc } from '../embed/render.js';
import { exactTime, relativeTime } from '../embed/time.js';
import type { EditorApi, ListStatus } from './api.js';
import { countdownText } from './countdown.js';
import { flash, h } from './dom.js';

/** The fields this wave added to posts, as the editor reads them. */
type WorkflowPost = Omit<Post, 'status'> & {
  status: Post['status'] | 'submitted' | 'scheduled';
  publishAt?: string | null;
  tags?: string[];
  correction?: { note: string; at: string } | null;
  approvedBy?: { id: string; name: string } | null;
  review?: { note: string; by: { name: string }; at: string } | null;
};

const LISTS: { status: ListStatus; css: string; title: string; label: string; empty: string }[] = [
  {
    status: 'submitted',
    css: 'review',
    title: 'Review queue',
    label: 'Submitted for review',
    empty: 'Nothing to review.',
  },
  { status: 'scheduled', css: 'scheduled', title: 'Scheduled', label: 'Scheduled posts', empty: 'Nothing scheduled.' },
  { status: 'draft', css: 'drafts', title: 'Drafts', label: 'Drafts', empty: 'No drafts.' },
  {
    status: 'published',
    css: 'published',
    title: 'Published',
    label: 'Published posts',
    empty: 'Nothing published yet.',
  },
];

/**
 * The editors' live lists of posts: the review queue (contributors' submissions), the
 * scheduled posts with a countdown, drafts and published posts. A Socket.IO subscription
 * with the editor's token and `drafts: true` says when something changed; the lists are then
 * re-read over HTTP (editors are few, and a re-read can never drift from the server).
 */
export function postList(blogId: string, token: () => string, api: EditorApi, onEdit: (post: Post) => void) {
  const lists = new Map(
    LISTS.map((l) => [l.status, h('ol', { class: `list ${l.css}`, 'aria-label': l.label, 'data-list': l.status })]),
  );
  const message = h('p', { class: 'flash', role: 'status' });
  const live = h('span', { class: 'live-status', 'data-testid': 'live-status' }, 'connecting…');
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  async function refresh(): Promise<void> {
    try {
      const pages = await Promise.all(LISTS.map((l) => api.listPosts(blogId, l.status)));
      if (closed) return;
      LISTS.forEach((l, i) => {
        const ol = lists.get(l.status);
        const posts = (pages[i]?.posts ?? []) as WorkflowPost[];
        if (!ol) return;
        ol.replaceChildren(...posts.map((post) => item(post)));
        if (!posts.length) ol.append(h('li', { class: 'empty' }, l.empty));
      });
      tickCountdowns();
    } catch (err) {
      flash(message, (err as Error).message, 'error');
    }
  }
  const refreshSoon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void refresh();
    }, 50);
  };

  async function act(run: () => Promise<unknown>, done: string): Promise<void> {
    try {
      await run();
      flash(message, done);
      refreshSoon();
    } catch (err) {
      flash(message, (err as Error).message, 'error');
    }
  }

  /** An inline "return with a note" form, so the note is typed where the post is read. */
  function returnForm(post: WorkflowPost): HTMLElement {
    const note = h('textarea', { rows: 2, 'data-field': 'review-note', placeholder: 'What should change?' });
    const form = h(
      'form',
      {
        class: 'return-form',
        hidden: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void act(() => api.returnPost(blogId, post.id, note.value), 'Returned to its author.');
        },
      },
      h('label', {}, 'Note for the author ', note),
      h('button', { type: 'submit', class: 'secondary', 'data-action': 'send-return' }, 'Send back'),
    );
    return form;
  }

  function item(post: WorkflowPost): HTMLLIElement {
    const preview = h('div', { class: 'preview' });
    // Text blocks are sanitised by the server; other fields are escaped.
    preview.innerHTML = post.blocks
      .map((b) =>
        b.type === 'text'
          ? b.html
          : b.type === 'quote'
            ? `<blockquote>${esc(b.text)}</blockquote>`
            : b.type === 'poll'
              ? `<p>[poll] ${esc(b.question)}${b.closedAt ? ' (closed)' : ''}</p>`
              : `<p>[${b.type}] ${esc(b.url)}</p>`,
      )
      .join('');
    const btn = (label: string, action: string, run: () => void) =>
      h('button', { type: 'button', class: 'secondary', 'data-action': action, onclick: run }, label);
    const patch = (body: Parameters<EditorApi['patchPost']>[2], done: string) =>
      void act(() => api.patchPost(blogId, post.id, body), done);
    const returning = post.status === 'submitted' ? returnForm(post) : null;
    const actions: HTMLElement[] = [btn('Edit', 'edit', () => onEdit(post as Post))];
    switch (post.status) {
      case 'draft':
        actions.push(
          btn('Submit for review', 'submit', () => void act(() => api.submitPost(blogId, post.id), 'Submitted.')),
          btn('Publish', 'publish', () => patch({ status: 'published' }, 'Published.')),
        );
        break;
      case 'submitted':
        actions.push(
          btn('Publish', 'approve', () => void act(() => api.publishPost(blogId, post.id), 'Published.')),
          btn('Return with a note', 'return', () => {
            if (returning) returning.hidden = false;
            returning?.querySelector('textarea')?.focus();
          }),
        );
        break;
      case 'scheduled':
        actions.push(
          btn('Publish now', 'publish-now', () => void act(() => api.publishPost(blogId, post.id), 'Published.')),
          btn('Cancel schedule', 'unschedule', () => patch({ publishAt: null }, 'Schedule cancelled.')),
        );
        break;
      case 'published':
        actions.push(
          btn('Unpublish', 'unpublish', () => patch({ status: 'draft' }, 'Back to drafts.')),
          btn(post.pinned ? 'Unpin' : 'Pin', 'pin', () =>
            patch({ pinned: !post.pinned }, post.pinned ? 'Unpinned.' : 'Pinned.'),
          ),
          btn(post.keyEvent ? 'Not key' : 'Key event', 'key', () => patch({ keyEvent: !post.keyEvent }, 'Saved.')),
        );
        break;
    }
    actions.push(
      btn('Delete', 'delete', () => {
        if (confirm('Delete this post?')) void act(() => api.deletePost(blogId, post.id), 'Deleted.');
      }),
    );
    const badge = (text: string) => h('span', { class: 'badge' }, text);
    const countdown =
      post.status === 'scheduled' && post.publishAt
        ? h(
            'span',
            { class: 'countdown', 'data-countdown': post.publishAt, title: exactTime(post.publishAt) },
            countdownText(Date.parse(post.publishAt) - Date.now()),
          )
        : null;
    return h(
      'li',
      {
        class: `item ${post.status}${post.pinned ? ' pinned' : ''}${post.keyEvent ? ' key' : ''}`,
        'data-post-id': post.id,
        'data-status': post.status,
      },
      h(
        'div',
        { class: 'meta' },
        h('time', { datetime: post.createdAt, title: exactTime(post.createdAt) }, relativeTime(post.createdAt)),
        ` · ${post.author.name}`,
        post.status === 'draft' ? badge('Draft') : null,
        post.status === 'submitted' ? badge('For review') : null,
        post.status === 'scheduled' ? badge('Scheduled') : null,
        countdown,
        post.pinned ? badge('Pinned') : null,
        post.keyEvent ? badge('Key event') : null,
        post.correction ? badge('Corrected') : null,
        post.approvedBy ? ` · approved by ${post.approvedBy.name}` : null,
      ),
      post.review
        ? h(
            'p',
            { class: 'review-note', 'data-testid': 'review-note' },
            `Returned by ${post.review.by.name}: ${post.review.note}`,
          )
        : null,
      preview,
      post.tags?.length ? h('p', { class: 'tags' }, post.tags.map((t) => `#${t}`).join(' ')) : null,
      h('div', { class: 'row' }, ...actions),
      returning,
    );
  }

  /** Every second: the scheduled posts' countdowns; a post that fell due shows "due now" until it moves. */
  function tickCountdowns(): void {
    for (const el of lists.get('scheduled')?.querySelectorAll<HTMLElement>('[data-countdown]') ?? []) {
      el.textContent = countdownText(Date.parse(el.dataset.countdown ?? '') - Date.now());
    }
  }
  const ticker = setInterval(tickCountdowns, 1000);

  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(location.origin, {
    path: '/socket.io',
    // Read at each (re)connect, so a reconnection uses the current, renewed access token.
    auth: (cb) => cb({ token: token() }),
  });
  socket.on('connect', () => {
    live.textContent = 'live';
    socket.emit('subscribe', { blogId, drafts: true }, (ack) => {
      if (!ack.ok) flash(message, `Live updates refused: ${ack.error.message}`, 'error');
      refreshSoon();
    });
  });
  socket.on('disconnect', () => {
    live.textContent = 'reconnecting…';
  });
  socket.on('event', refreshSoon);
  socket.on('draft', refreshSoon);

  const sections = LISTS.flatMap((l) => [h('h3', {}, l.title), lists.get(l.status) as HTMLElement]);
  const el = h(
    'section',
    { class: 'panel posts-panel', 'aria-labelledby': 'posts-h' },
    h('h2', { id: 'posts-h' }, 'Posts ', live),
    message,
    ...sections,
  );
  void refresh();
  return {
    el,
    destroy(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      clearInterval(ticker);
      socket.disconnect();
    },
  };
}

import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Post, ServerToClientEvents } from '../../src/domain/index.js';
import { esc } from '../embed/render.js';
import { exactTime, relativeTime } from '../embed/time.js';
import type { EditorApi } from './api.js';
import { flash, h } from './dom.js';

/**
 * The editors' live list of posts, drafts included. A Socket.IO subscription with the
 * editor's token and `drafts: true` says when something changed; the list is then re-read
 * over HTTP (editors are few, and a re-read can never drift from the server).
 */
export function postList(blogId: string, token: () => string, api: EditorApi, onEdit: (post: Post) => void) {
  const drafts = h('ol', { class: 'list drafts', 'aria-label': 'Drafts' });
  const published = h('ol', { class: 'list published', 'aria-label': 'Published posts' });
  const message = h('p', { class: 'flash', role: 'status' });
  const live = h('span', { class: 'live-status', 'data-testid': 'live-status' }, 'connecting…');
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  async function refresh(): Promise<void> {
    try {
      const [d, p] = await Promise.all([api.listPosts(blogId, 'draft'), api.listPosts(blogId, 'published')]);
      if (closed) return;
      drafts.replaceChildren(...d.posts.map((post) => item(post)));
      published.replaceChildren(...p.posts.map((post) => item(post)));
      if (!d.posts.length) drafts.append(h('li', { class: 'empty' }, 'No drafts.'));
      if (!p.posts.length) published.append(h('li', { class: 'empty' }, 'Nothing published yet.'));
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

  function item(post: Post): HTMLLIElement {
    const preview = h('div', { class: 'preview' });
    // Text blocks are sanitised by the server; other fields are escaped.
    preview.innerHTML = post.blocks
      .map((b) =>
        b.type === 'text'
          ? b.html
          : b.type === 'quote'
            ? `<blockquote>${esc(b.text)}</blockquote>`
            : `<p>[${b.type}] ${esc(b.url)}</p>`,
      )
      .join('');
    const btn = (label: string, action: string, run: () => void) =>
      h('button', { type: 'button', class: 'secondary', 'data-action': action, onclick: run }, label);
    return h(
      'li',
      { class: `item${post.pinned ? ' pinned' : ''}${post.keyEvent ? ' key' : ''}`, 'data-post-id': post.id },
      h(
        'div',
        { class: 'meta' },
        h('time', { datetime: post.createdAt, title: exactTime(post.createdAt) }, relativeTime(post.createdAt)),
        ` · ${post.author.name}`,
        post.status === 'draft' ? h('span', { class: 'badge' }, 'Draft') : null,
        post.pinned ? h('span', { class: 'badge' }, 'Pinned') : null,
        post.keyEvent ? h('span', { class: 'badge' }, 'Key event') : null,
      ),
      preview,
      h(
        'div',
        { class: 'row' },
        btn('Edit', 'edit', () => onEdit(post)),
        post.status === 'draft'
          ? btn(
              'Publish',
              'publish',
              () => void act(() => api.patchPost(blogId, post.id, { status: 'published' }), 'Published.'),
            )
          : btn(
              'Unpublish',
              'unpublish',
              () => void act(() => api.patchPost(blogId, post.id, { status: 'draft' }), 'Back to drafts.'),
            ),
        btn(
          post.pinned ? 'Unpin' : 'Pin',
          'pin',
          () =>
            void act(
              () => api.patchPost(blogId, post.id, { pinned: !post.pinned }),
              post.pinned ? 'Unpinned.' : 'Pinned.',
            ),
        ),
        btn(
          post.keyEvent ? 'Not key' : 'Key event',
          'key',
          () => void act(() => api.patchPost(blogId, post.id, { keyEvent: !post.keyEvent }), 'Saved.'),
        ),
        btn('Delete', 'delete', () => {
          if (confirm('Delete this post for every reader?'))
            void act(() => api.deletePost(blogId, post.id), 'Deleted.');
        }),
      ),
    );
  }

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

  const el = h(
    'section',
    { class: 'panel posts-panel', 'aria-labelledby': 'posts-h' },
    h('h2', { id: 'posts-h' }, 'Posts ', live),
    message,
    h('h3', {}, 'Drafts'),
    drafts,
    h('h3', {}, 'Published'),
    published,
  );
  void refresh();
  return {
    el,
    destroy(): void {
      closed = true;
      if (timer) clearTimeout(timer);
      socket.disconnect();
    },
  };
}

import type { Blog } from '../../src/domain/index.js';
import { type ApiError, createEditorApi, type EditorApi, type Me } from './api.js';
import { postComposer } from './composer.js';
import { flash, h } from './dom.js';
import { postList } from './post-list.js';
import { EDITOR_CSS } from './styles.js';
import { type EditorUser, summaryEditor } from './summary.js';

/**
 * The editor page: sign in with a token (kept for the tab in sessionStorage), pick or
 * create a blog, then write posts, follow them live and co-edit the summary.
 */
const TOKEN_KEY = 'liveblog.token';
const app = document.getElementById('lb-editor-app') as HTMLElement;
let teardown: (() => void)[] = [];

function clear(): void {
  for (const t of teardown) t();
  teardown = [];
  app.replaceChildren();
}

function topBar(title: string, me: Me | null): HTMLElement {
  const who = me ? (me.kind === 'admin' ? 'admin' : me.user.name) : '';
  return h(
    'header',
    { class: 'top' },
    h('h1', {}, title),
    me
      ? h(
          'div',
          {},
          h('span', { class: 'hint', 'data-testid': 'signed-in-as' }, `Signed in as ${who} `),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                sessionStorage.removeItem(TOKEN_KEY);
                location.hash = '';
                void route();
              },
            },
            'Sign out',
          ),
        )
      : null,
  );
}

function signIn(error?: string): void {
  clear();
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'flash', role: 'status' });
  if (error) flash(message, error, 'error');
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (e: Event) => {
        e.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, token.value.trim());
        void route();
      },
    },
    h('h2', {}, 'Sign in'),
    h('label', {}, 'Access token', token),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    message,
  );
  app.append(topBar('Liveblog editor', null), form);
}

function editorUser(me: Me): EditorUser {
  if (me.kind === 'user') return { name: me.user.name, color: me.user.color };
  return { name: 'Admin', color: '#6b4fbb' };
}

async function blogList(api: EditorApi, me: Me): Promise<void> {
  clear();
  const list = h('ul', { class: 'list blogs', 'data-testid': 'blog-list' });
  const message = h('p', { class: 'flash', role: 'status' });
  const titleIn = h('input', { name: 'title', required: true, maxlength: 200 });
  const descIn = h('input', { name: 'description', maxlength: 2000 });
  const render = (blogs: Blog[]) =>
    list.replaceChildren(
      ...blogs.map((b) =>
        h(
          'li',
          {},
          h('a', { href: `#/blog/${encodeURIComponent(b.id)}` }, b.title),
          ` `,
          h('span', { class: 'hint' }, `${b.status} · /live/${b.slug}`),
        ),
      ),
      ...(blogs.length ? [] : [h('li', { class: 'empty' }, 'No blogs yet.')]),
    );
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (e: Event) => {
        e.preventDefault();
        api
          .createBlog({ title: titleIn.value, description: descIn.value })
          .then((b) => {
            location.hash = `#/blog/${encodeURIComponent(b.id)}`;
          })
          .catch((err: ApiError) => flash(message, err.message, 'error'));
      },
    },
    h('h2', {}, 'New liveblog'),
    h('label', {}, 'Title', titleIn),
    h('label', {}, 'Description', descIn),
    h('button', { type: 'submit', class: 'primary' }, 'Create'),
    message,
  );
  app.append(
    topBar('Liveblog editor', me),
    h('div', { class: 'grid' }, h('section', { class: 'panel' }, h('h2', {}, 'Your liveblogs'), list), form),
  );
  render((await api.listBlogs()).blogs);
}

async function blogView(api: EditorApi, me: Me, token: string, blogId: string): Promise<void> {
  clear();
  const blog = await api.getBlog(blogId);
  const composer = postComposer(blog.id, api);
  const posts = postList(blog.id, token, api, (p) => composer.edit(p));
  const summary = summaryEditor(blog.id, token, editorUser(me));
  teardown.push(
    () => composer.destroy(),
    () => posts.destroy(),
    () => summary.destroy(),
  );
  const snippet = `<div data-liveblog="${blog.slug}"></div><script async src="${location.origin}/embed.js"></script>`;
  app.append(
    topBar(blog.title, me),
    h(
      'p',
      { class: 'hint' },
      h('a', { href: '#/' }, '← All blogs'),
      ' · ',
      h('a', { href: `/live/${encodeURIComponent(blog.slug)}`, target: '_blank', rel: 'noopener' }, 'Public page'),
    ),
    h(
      'div',
      { class: 'grid' },
      h('div', {}, summary.el, composer.el),
      h(
        'div',
        {},
        posts.el,
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Embed on a partner site'),
          h('code', { class: 'snippet' }, snippet),
        ),
      ),
    ),
  );
}

async function route(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return signIn();
  const api = createEditorApi(token);
  let me: Me;
  try {
    me = await api.me();
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    return signIn(`Sign-in failed: ${(err as Error).message}`);
  }
  const m = /^#\/blog\/([A-Za-z0-9_-]+)$/.exec(location.hash);
  try {
    if (m?.[1]) await blogView(api, me, token, m[1]);
    else await blogList(api, me);
  } catch (err) {
    clear();
    app.append(
      topBar('Liveblog editor', me),
      h('p', { class: 'flash error' }, (err as Error).message),
      h('a', { href: '#/' }, 'Back'),
    );
  }
}

document.head.append(h('style', {}, EDITOR_CSS));
window.addEventListener('hashchange', () => void route());
void route();

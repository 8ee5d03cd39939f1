import type { Blog } from '../../src/domain/index.js';
import { type ApiError, createEditorApi, type EditorApi, type Me } from './api.js';
import { audienceChart } from './audience-chart.js';
import { postComposer } from './composer.js';
import { flash, h } from './dom.js';
import { auditTable, membersPanel, peoplePanel } from './people.js';
import { postList } from './post-list.js';
import { questionQueue } from './questions.js';
import * as session from './session.js';
import { EDITOR_CSS } from './styles.js';
import { type EditorUser, summaryEditor } from './summary.js';
import { disabledWebhooksNotice } from './webhooks.js';

/**
 * The editor page: sign in (password, single sign-on, an invitation link, or a pasted
 * token), pick or create a blog, then write posts, follow them live and co-edit the summary.
 * Admins manage people and read the audit trail; owners manage their blog's members.
 */
const app = document.getElementById('lb-editor-app') as HTMLElement;
let teardown: (() => void)[] = [];

function clear(): void {
  for (const t of teardown) t();
  teardown = [];
  app.replaceChildren();
  delete app.dataset.role;
}

function topBar(title: string, me: Me | null): HTMLElement {
  const who = me ? (me.user?.name ?? 'admin') : '';
  const adminLinks =
    me?.kind === 'admin'
      ? [h('a', { href: '#/people' }, 'People'), ' · ', h('a', { href: '#/audit' }, 'Audit'), ' ']
      : [];
  return h(
    'header',
    { class: 'top' },
    h('h1', {}, title),
    me
      ? h(
          'div',
          {},
          ...adminLinks,
          h('span', { class: 'hint', 'data-testid': 'signed-in-as' }, `Signed in as ${who} `),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                void session.signOut().then(() => {
                  location.hash = '';
                  void route();
                });
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
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'flash', role: 'status' });
  if (error) flash(message, error, 'error');
  const form = h(
    'form',
    {
      class: 'panel',
      'data-testid': 'password-sign-in',
      onsubmit: (e: Event) => {
        e.preventDefault();
        session
          .passwordSignIn(email.value.trim(), password.value)
          .then(() => route())
          .catch((err: Error) => flash(message, err.message, 'error'));
      },
    },
    h('h2', {}, 'Sign in'),
    h('label', {}, 'Email', email),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    message,
  );
  const sso = h(
    'p',
    { class: 'hint', hidden: true },
    h('a', { href: '/auth/oidc/login?returnTo=/editor', 'data-testid': 'sso' }, 'Sign in with your newsroom account'),
  );
  void fetch('/api/v1/auth/methods')
    .then((r) => r.json() as Promise<{ oidc: boolean }>)
    .then((m) => {
      sso.hidden = !m.oidc;
    })
    .catch(() => undefined);
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true });
  const tokenForm = h(
    'form',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        session.usePastedToken(token.value.trim());
        void route();
      },
    },
    h('label', {}, 'Or paste an access token (admin or personal token)', token),
    h('button', { type: 'submit' }, 'Use token'),
  );
  app.append(topBar('Liveblog editor', null), form, h('section', { class: 'panel' }, sso, tokenForm));
}

function invitationForm(token: string): void {
  clear();
  const password = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true });
  const message = h('p', { class: 'flash', role: 'status' });
  const form = h(
    'form',
    {
      class: 'panel',
      'data-testid': 'invitation',
      onsubmit: (e: Event) => {
        e.preventDefault();
        session
          .acceptInvitation(token, password.value)
          .then(() => {
            history.replaceState(null, '', '/editor');
            return route();
          })
          .catch((err: Error) => flash(message, err.message, 'error'));
      },
    },
    h('h2', {}, 'Welcome: choose your password'),
    h('p', { class: 'hint' }, 'At least 10 characters; a few unusual words make a good one.'),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit', class: 'primary' }, 'Set password and sign in'),
    message,
  );
  app.append(topBar('Liveblog editor', null), form);
}

function editorUser(me: Me): EditorUser {
  if (me.user) return { name: me.user.name, color: me.user.color };
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

async function blogView(api: EditorApi, me: Me, blogId: string): Promise<void> {
  clear();
  const blog = await api.getBlog(blogId);
  const composer = postComposer(blog.id, api);
  const summary = summaryEditor(blog.id, session.accessToken, editorUser(me));
  // Archived is read-only for editors too; the server stops taking summary edits at once.
  const archived = 'This blog is archived: the summary is read-only';
  if (blog.status === 'archived') summary.setReadOnly(archived);
  const posts = postList(
    blog.id,
    session.accessToken,
    api,
    (p) => composer.edit(p),
    (b) => {
      if (b.status === 'archived') summary.setReadOnly(archived);
    },
  );
  // Reader questions for those who may publish (editors, owners, admins); the audience chart
  // for every member. Judged from the member list, so nobody polls a route that refuses them.
  const participation = h('div', {});
  const stops: (() => void)[] = [];
  let left = false;
  // Owners (and admins) manage members and read the blog's trail; other members never ask.
  const ownerPanels = h('div', {});
  const hooksNotice = h('div', {});
  void api
    .listMembers(blog.id)
    .then(async ({ members }) => {
      const mine = members.find((m) => m.userId === me.user?.id);
      // A contributor's page offers what a contributor may do (drafts, submit for review):
      // the buttons the server would refuse are hidden (styles.ts), not merely refused.
      if (me.kind !== 'admin' && mine) app.dataset.role = mine.role;
      if (!left && (me.kind === 'admin' || mine)) {
        const panels = [
          ...(me.kind === 'admin' || mine?.role !== 'contributor' ? [questionQueue(blog.id, api)] : []),
          audienceChart(blog.id, api),
        ];
        for (const panel of panels) {
          participation.append(panel.el);
          stops.push(panel.destroy);
        }
      }
      if (me.kind !== 'admin' && mine?.role !== 'owner') return;
      const notice = disabledWebhooksNotice(api, blog.id);
      teardown.push(() => notice.destroy());
      hooksNotice.append(notice.el);
      const [panel, trail] = await Promise.all([membersPanel(api, blog.id), api.blogAudit(blog.id)]);
      ownerPanels.append(
        panel,
        h('section', { class: 'panel' }, h('h2', {}, 'Audit trail'), auditTable(trail.entries)),
      );
    })
    .catch(() => undefined);
  teardown.push(
    () => composer.destroy(),
    () => posts.destroy(),
    () => summary.destroy(),
    () => {
      left = true;
      for (const stop of stops) stop();
    },
  );
  const snippet = `<div data-liveblog="${blog.slug}"></div><script async src="${location.origin}/embed.js"></script>`;
  app.append(
    topBar(blog.title, me),
    hooksNotice,
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
        participation,
        h(
          'section',
          { class: 'panel' },
          h('h2', {}, 'Embed on a partner site'),
          h('code', { class: 'snippet' }, snippet),
        ),
        ownerPanels,
      ),
    ),
  );
}

async function route(): Promise<void> {
  const invite = /^#invite=([A-Za-z0-9_-]{20,100})$/.exec(location.hash);
  if (invite?.[1]) return invitationForm(invite[1]);
  const sso = /^#sso=([A-Za-z0-9_-]{20,100})$/.exec(location.hash);
  if (sso?.[1]) {
    session.adoptSsoReturn(sso[1]);
    // The fragment held the CSRF token: out of the address bar and history.
    history.replaceState(null, '', '/editor');
  }
  if (!(await session.ensureSignedIn())) return signIn();
  const api = createEditorApi(session.accessToken);
  let me: Me;
  try {
    me = await api.me();
  } catch (err) {
    await session.signOut();
    return signIn(`Sign-in failed: ${(err as Error).message}`);
  }
  const m = /^#\/blog\/([A-Za-z0-9_-]+)$/.exec(location.hash);
  try {
    if (m?.[1]) await blogView(api, me, m[1]);
    else if (location.hash === '#/people' && me.kind === 'admin') {
      clear();
      app.append(
        topBar('People', me),
        h('p', { class: 'hint' }, h('a', { href: '#/' }, '← All blogs')),
        await peoplePanel(api),
      );
    } else if (location.hash === '#/audit' && me.kind === 'admin') {
      clear();
      const trail = await api.audit();
      app.append(
        topBar('Audit trail', me),
        h('p', { class: 'hint' }, h('a', { href: '#/' }, '← All blogs')),
        h('section', { class: 'panel' }, auditTable(trail.entries)),
      );
    } else await blogList(api, me);
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

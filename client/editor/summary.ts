import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { h } from './dom.js';
import { richText } from './rich-text.js';

/** The Y.XmlFragment name (domain/summary.ts SUMMARY_FRAGMENT); not imported, to keep zod out of the bundle. */
const SUMMARY_FRAGMENT = 'summary';

export interface EditorUser {
  name: string;
  color: string;
}

/**
 * The shared "what we know so far" editor: TipTap over the blog's Yjs doc (fragment
 * `summary`) through the stock y-websocket provider at /collab/:blogId, with the other
 * editors' carets and names, and how many editors are here.
 */
export function summaryEditor(
  blogId: string,
  token: () => string,
  user: EditorUser,
): { el: HTMLElement; destroy(): void } {
  const doc = new Y.Doc();
  const wsBase = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
  const provider = new WebsocketProvider(wsBase, blogId, doc, { params: { token: token() } });
  // The provider builds its URL from params at each reconnect: keep the renewed token there.
  const keepFresh = setInterval(() => {
    provider.params.token = token();
  }, 5000);
  provider.awareness.setLocalStateField('user', user);

  const { el: rt, editor } = richText({
    label: 'Summary',
    collaborative: true,
    extensions: [
      Collaboration.configure({ document: doc, field: SUMMARY_FRAGMENT }),
      CollaborationCaret.configure({ provider, user }),
    ],
  });
  // The summary is a bullet list: an editor who starts typing into an empty summary starts one.
  // Judged on the shared fragment, not the local view, so it never undoes someone's list.
  editor.on('focus', () => {
    if (provider.synced && doc.getXmlFragment(SUMMARY_FRAGMENT).length === 0) editor.commands.toggleBulletList();
  });
  const status = h('span', { class: 'collab-status', 'data-testid': 'collab-status' }, 'Connecting…');
  const present = h('span', { class: 'collab-present', 'data-testid': 'editors-present' }, '');
  const names = h('span', { class: 'collab-names' });

  const onStatus = ({ status: s }: { status: string }) => {
    status.textContent = s === 'connected' ? 'Connected' : s === 'connecting' ? 'Connecting…' : 'Offline';
    status.dataset.status = s;
  };
  const onAwareness = () => {
    const states = [...provider.awareness.getStates().values()] as { user?: EditorUser }[];
    present.textContent = `${states.length} editor${states.length === 1 ? '' : 's'} here`;
    present.dataset.count = String(states.length);
    names.replaceChildren(
      ...states
        .map((s) => s.user)
        .filter((u): u is EditorUser => !!u && typeof u.name === 'string')
        .map((u) =>
          h(
            'span',
            { class: 'who', style: `border-color:${/^#[0-9a-f]{6}$/i.test(u.color) ? u.color : '#888'}` },
            u.name,
          ),
        ),
    );
  };
  // The server ends a connection whose access ended (4401: signed out, deactivated, token
  // revoked; 4403: no longer a member). The provider does not come back after a 44xx, so the
  // page says so and stops taking keystrokes that could never be saved.
  const onClosed = ({ code }: { code: number }) => {
    if (code < 4400 || code >= 4500) return;
    status.dataset.status = 'revoked';
    status.dataset.code = String(code);
    status.textContent =
      code === 4401
        ? 'Your access ended (signed out or deactivated): you can no longer edit the summary'
        : code === 4403
          ? 'Your role on this blog changed: you can no longer edit the summary'
          : 'The server refused this connection: you can no longer edit the summary';
    editor.setEditable(false);
    rt.dataset.readonly = 'true';
  };
  provider.on('status', onStatus);
  provider.on('closed', onClosed);
  provider.awareness.on('change', onAwareness);
  onAwareness();

  const el = h(
    'section',
    { class: 'panel summary-panel', 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h' }, 'Summary: what we know so far'),
    h(
      'p',
      { class: 'hint' },
      'Shared with every editor of this blog; readers see the bullets a moment after you type.',
    ),
    h('div', { class: 'collab-bar' }, status, present, names),
    rt,
  );
  return {
    el,
    destroy() {
      clearInterval(keepFresh);
      editor.destroy();
      provider.off('status', onStatus);
      provider.off('closed', onClosed);
      provider.awareness.off('change', onAwareness);
      provider.destroy();
      doc.destroy();
    },
  };
}

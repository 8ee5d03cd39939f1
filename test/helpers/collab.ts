import * as Y from 'yjs';

/** One run of text with the marks TipTap's StarterKit stores as XmlText formatting attributes. */
/** Server settings that render the summary within ~100 ms of an edit (instead of 300 ms to 1.5 s). */
export const FAST_SUMMARY = { SUMMARY_DEBOUNCE_MS: '20', SUMMARY_MAX_WAIT_MS: '100' };

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  href?: string;
}

/** Builds a listItem > paragraph > text element (ProseMirror shape, as y-prosemirror stores it). */
export function listItem(runs: Run[] | string): Y.XmlElement {
  const item = new Y.XmlElement('listItem');
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  item.insert(0, [paragraph]);
  let at = 0;
  for (const run of typeof runs === 'string' ? [{ text: runs }] : runs) {
    const attrs: Record<string, unknown> = {};
    if (run.bold) attrs.bold = {};
    if (run.italic) attrs.italic = {};
    if (run.href) attrs.link = { href: run.href };
    text.insert(at, run.text, attrs);
    at += run.text.length;
  }
  return item;
}

/** The summary fragment's bulletList, created on first use (editors create the skeleton, never the server). */
export function bulletList(doc: Y.Doc): Y.XmlElement {
  const fragment = doc.getXmlFragment('summary');
  const first = fragment.get(0);
  if (first instanceof Y.XmlElement && first.nodeName === 'bulletList') return first;
  const list = new Y.XmlElement('bulletList');
  fragment.insert(0, [list]);
  return list;
}

/** Plain text of every listItem, in order: what tests compare across editors. */
export function itemTexts(doc: Y.Doc): string[] {
  const list = doc.getXmlFragment('summary').get(0);
  if (!(list instanceof Y.XmlElement)) return [];
  return list.toArray().map((item) => {
    if (!(item instanceof Y.XmlElement)) return '';
    const p = item.get(0);
    const t = p instanceof Y.XmlElement ? p.get(0) : null;
    return t instanceof Y.XmlText ? (t.toDelta() as { insert: unknown }[]).map((op) => String(op.insert)).join('') : '';
  });
}

import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type { Role } from '../../src/domain/index.js';
import { hashToken, newId, newToken } from '../../src/lib/ids.js';
import type { TestServer } from './server.js';
import { registerCleanup } from './teardown.js';

export interface Person {
  id: string;
  name: string;
  color: string;
  token: string;
}

/** Creates a user straight in the store (the HTTP users route belongs to another part). */
export async function createPerson(server: TestServer, name: string, color = '#aa3300'): Promise<Person> {
  const token = newToken();
  const user = { id: newId(), name, color, createdAt: new Date().toISOString(), canCreateBlogs: false };
  await server.app.deps.store.createUser(user, hashToken(token));
  return { ...user, token };
}

/** A live blog with members of the given roles (in order). */
export async function createBlogWith(
  server: TestServer,
  roles: Role[],
): Promise<{ blogId: string; slug: string; people: Person[] }> {
  const { store } = server.app.deps;
  const slug = `collab-${newId().slice(-10)}`;
  const blog = await store.createBlog(
    { id: newId(), slug, title: 'Collab test', description: '', status: 'live', allowedOrigins: [] },
    new Date().toISOString(),
  );
  const people: Person[] = [];
  for (const [i, role] of roles.entries()) {
    const p = await createPerson(server, `${role} ${i}`, `#1${i}22${i}4`.slice(0, 7).padEnd(7, '0'));
    await store.setMember(blog.id, p.id, role);
    people.push(p);
  }
  return { blogId: blog.id, slug, people };
}

export interface Editor {
  doc: Y.Doc;
  provider: WebsocketProvider;
  closes: { code: number; reason: string }[];
  destroy(): void;
}

/** A stock y-websocket provider against the server (BroadcastChannel off: only the server connects docs). */
export function connectEditor(server: { port: number }, blogKey: string, token: string | null): Editor {
  const doc = new Y.Doc();
  const params: Record<string, string> = token === null ? {} : { token };
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/collab`, blogKey, doc, {
    params,
    // biome-ignore lint/suspicious/noExplicitAny: the provider types expect the DOM WebSocket
    WebSocketPolyfill: WebSocket as any,
    disableBc: true,
    maxBackoffTime: 300,
  });
  const closes: Editor['closes'] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    provider.destroy();
    doc.destroy();
  };
  registerCleanup(destroy);
  return { doc, provider, closes, destroy };
}

/** Rebuilds the doc as the store holds it (snapshot + update rows). */
export async function docFromStore(server: TestServer, blogId: string): Promise<Y.Doc> {
  const state = await server.app.deps.store.loadDoc(blogId);
  const doc = new Y.Doc();
  if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
  for (const row of state.updates) Y.applyUpdate(doc, row.data);
  return doc;
}

/** Sum of a labelled counter's values matching `labels`. */
export async function counterValue(
  metric: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

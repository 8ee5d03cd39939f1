import { type Messages, messagesFor } from '../../src/domain/i18n/index.js';
import type { Blog, CountsFrame, Post, Summary } from '../../src/domain/index.js';
import type { ReaderView } from '../reader/index.js';
import { applyTally, askFormHtml, Participation, sendQuestion } from './participation.js';
import { announcement, esc, renderPostInto, renderTimelineInto, summaryHtml } from './render.js';
import { WIDGET_CSS } from './styles.js';
import { exactTime, relativeTime } from './time.js';

/** What the widget needs from the reader client (client/reader). */
export interface WidgetState {
  blog: Blog | null;
  summary: Summary | null;
  posts: Post[];
  readers: number;
  connected: boolean;
  hasMore: boolean;
  unloadedNewer: number;
  view: ReaderView;
  error: string | null;
}

export interface WidgetSource {
  subscribe(listener: (state: WidgetState) => void): () => void;
  loadMore(): Promise<unknown>;
  close(): void;
  /** Live vote and reaction counts (client/reader's onCounts). */
  onCounts?(listener: (frame: CountsFrame) => void): () => void;
}

/** Makes the reader for a view; called again when the reader switches order or view. */
export type SourceFactory = (view: Partial<ReaderView>) => WidgetSource;

const TICK_MS = 30_000;
/** "N new updates" in oldest-first order with pages missing loads at most this many to reach the end. */
const MAX_CATCH_UP_PAGES = 20;

type BlogExtras = { language?: string; endedAt?: string | null };

/**
 * One widget in one open shadow root. Existing posts update in place; new posts appear at
 * once while the reader looks at the end they land on (the top newest-first, the bottom
 * oldest-first), otherwise they wait behind a "N new updates" button so the page never
 * jumps under the reader's eyes. The widget's words follow the blog's language; its times
 * the reader's locale and time zone.
 */
export class LiveblogWidget {
  private readonly root: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly endedEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly newButton: HTMLButtonElement;
  private readonly list: HTMLOListElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly live: HTMLElement;
  private readonly askEl: HTMLElement;
  private readonly participation: Participation | null;
  private unsubscribeCounts: () => void = () => {};
  /** Whether the posts of a page load were seen (later ones arrived live: zero counts). */
  private countsLoaded = false;
  private wasConnected = false;
  private everConnected = false;
  private readonly items = new Map<string, { li: HTMLLIElement; version: string }>();
  /** Posts the reader has been shown (or that were there at first render). */
  private readonly shown = new Set<string>();
  private state: WidgetState | null = null;
  private firstRender = true;
  private loadingMore = false;
  private m: Messages = messagesFor('en');
  private view: Partial<ReaderView>;
  private source: WidgetSource;
  private unsubscribe: () => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly onScroll = () => {
    if (!this.isAway()) this.revealPending();
  };

  constructor(
    private readonly host: HTMLElement,
    private readonly createSource: SourceFactory,
    initialView: Partial<ReaderView> = {},
    /** The server's origin, for votes, reactions and questions (none: read-only widget). */
    private readonly baseUrl: string | null = null,
  ) {
    this.view = initialView;
    const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    shadow.innerHTML =
      `<style>${WIDGET_CSS}</style><div class="root" part="root">` +
      '<div class="bar"></div><p class="ended-banner" role="status" hidden></p>' +
      '<section class="summary" hidden></section>' +
      '<section class="ask-box" hidden></section>' +
      '<div class="controls" hidden></div>' +
      '<button type="button" class="new" hidden></button>' +
      '<ol class="posts"></ol>' +
      '<button type="button" class="more" hidden></button>' +
      '<div class="sr" aria-live="polite" aria-atomic="true"></div></div>';
    const q = <T extends Element>(sel: string) => shadow.querySelector(sel) as T;
    this.root = q('.root');
    this.bar = q('.bar');
    this.endedEl = q('.ended-banner');
    this.summaryEl = q('.summary');
    this.controls = q('.controls');
    this.newButton = q('button.new');
    this.list = q('ol.posts');
    this.moreButton = q('button.more');
    this.live = q('.sr');
    this.askEl = q('.ask-box');
    this.participation = baseUrl
      ? new Participation(
          baseUrl,
          () => this.state?.blog?.id ?? null,
          (id) => {
            const li = this.items.get(id)?.li;
            const post = this.state?.posts.find((p) => p.id === id);
            return li && post ? { li, post } : null;
          },
        )
      : null;
    this.list.addEventListener('click', (e) => this.participation?.onClick(e.target as HTMLElement));
    this.askEl.addEventListener('submit', (e) => {
      e.preventDefault();
      const blogId = this.state?.blog?.id;
      if (baseUrl && blogId) void sendQuestion(baseUrl, blogId, e.target as HTMLFormElement);
    });
    this.moreButton.textContent = this.m.text('loadMore');
    this.newButton.addEventListener('click', () => void this.onNewClick());
    this.moreButton.addEventListener('click', () => {
      this.moreButton.disabled = true;
      void this.loadMore().finally(() => {
        this.moreButton.disabled = false;
      });
    });
    this.controls.addEventListener('click', (e) => {
      const target = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-view]');
      if (target) this.switchView({ keyEvents: target.dataset.view === 'key' });
    });
    this.controls.addEventListener('change', (e) => {
      const sel = e.target as HTMLSelectElement;
      if (sel.classList.contains('order')) this.switchView({ order: sel.value === 'oldest' ? 'oldest' : 'newest' });
    });
    window.addEventListener('scroll', this.onScroll, { passive: true });
    this.timer = setInterval(() => this.refreshTimes(), TICK_MS);
    this.source = createSource(this.view);
    this.unsubscribe = this.source.subscribe((s) => this.render(s));
    this.followCounts();
  }

  private followCounts(): void {
    this.unsubscribeCounts = this.source.onCounts?.((f) => this.participation?.onFrame(f)) ?? (() => {});
  }

  destroy(): void {
    this.unsubscribeCounts();
    this.unsubscribe();
    clearInterval(this.timer);
    window.removeEventListener('scroll', this.onScroll);
    this.source.close();
  }

  /** The reader's switch (order, key events): a fresh reader for the new view, list rebuilt. */
  private switchView(change: Partial<ReaderView>): void {
    const current = this.state?.view ?? { order: 'newest' };
    const next: Partial<ReaderView> = { ...this.view, order: current.order, ...change };
    if (next.order === current.order && !!next.keyEvents === !!current.keyEvents) return;
    this.view = next;
    this.unsubscribeCounts();
    this.unsubscribe();
    this.source.close();
    this.countsLoaded = false;
    this.items.clear();
    this.shown.clear();
    this.list.innerHTML = '';
    this.firstRender = true;
    this.state = null;
    this.source = this.createSource(next);
    this.unsubscribe = this.source.subscribe((s) => this.render(s));
    this.followCounts();
  }

  private get oldestFirst(): boolean {
    return this.state?.view.order === 'oldest';
  }

  /**
   * True when the reader is not looking at the end new posts land on: newest first, the top
   * of the list is above the viewport; oldest first, its bottom is below the viewport.
   */
  private isAway(): boolean {
    const r = this.list.getBoundingClientRect();
    return this.oldestFirst ? r.bottom > window.innerHeight : r.top < 0;
  }

  private loadMore(): Promise<unknown> {
    this.loadingMore = true;
    return this.source.loadMore().finally(() => {
      this.loadingMore = false;
    });
  }

  private render(s: WidgetState): void {
    this.state = s;
    const blog = s.blog as (Blog & BlogExtras) | null;
    if (blog) this.applyLanguage(blog.language ?? 'en');
    this.renderBar(s);
    this.renderEnded(blog);
    this.summaryEl.innerHTML = summaryHtml(s.summary?.bullets ?? [], this.m);
    this.summaryEl.hidden = !s.summary?.bullets.length;
    this.renderControls(s.view);
    // Plain attributes on the host let the page (and tests) see the widget's state.
    this.host.dataset.connected = String(s.connected);
    this.host.dataset.loaded = String(s.blog !== null);
    this.host.dataset.order = s.view.order;
    this.host.dataset.view = s.view.keyEvents ? 'key-events' : 'all';

    const away = !this.firstRender && this.isAway();
    const shownPosts = s.posts.filter((p) => this.shown.has(p.id));
    // Posts beyond the end new ones land on (older ones newest-first: load more, a
    // catch-up) extend the list on the far side: shown at once. Posts on the landing end
    // would push the reader's place: held back while the reader is away.
    const fresh: Post[] = [];
    for (const p of s.posts) {
      if (this.shown.has(p.id)) continue;
      const landsAtEnd = this.oldestFirst
        ? !this.loadingMore && shownPosts.length > 0 && isAfterAll(p, shownPosts)
        : isNewerThanAll(p, shownPosts);
      if (landsAtEnd) fresh.push(p);
      else this.shown.add(p.id);
    }
    if (this.firstRender || !away) {
      if (!this.firstRender) this.announce(fresh);
      for (const p of fresh) this.shown.add(p.id);
    }
    if (s.blog) this.firstRender = false;
    this.renderPosts(s.posts.filter((p) => this.shown.has(p.id)));
    this.updateNewButton();
    this.moreButton.hidden = !s.hasMore;
    this.renderAsk(blog);
    this.loadCounts(s);
  }

  /**
   * Counts of posts that came from a page load (the first, or "load more") are fetched; posts
   * that arrived live start at zero and follow the frames; after a reconnect (frames may
   * have been missed) every post's counts are fetched again.
   */
  private loadCounts(s: WidgetState): void {
    const p = this.participation;
    if (!p || !s.blog) return;
    const ids = s.posts.map((x) => x.id);
    const reconnected = s.connected && !this.wasConnected && this.everConnected;
    this.wasConnected = s.connected;
    this.everConnected ||= s.connected;
    if (reconnected) void p.load(ids, true);
    else if (!this.countsLoaded || this.loadingMore) void p.load(ids);
    else p.markFresh(ids);
    this.countsLoaded = true;
  }

  /** The question form, while the blog is live and the widget can reach its server. */
  private renderAsk(blog: (Blog & BlogExtras) | null): void {
    const open = !!this.baseUrl && blog?.status === 'live';
    this.askEl.hidden = !open;
    if (open && !this.askEl.firstChild) this.askEl.innerHTML = askFormHtml();
  }

  private applyLanguage(language: string): void {
    if (this.m.lang === language && this.root.lang === language) return;
    this.m = messagesFor(language);
    this.root.lang = this.m.lang;
    this.root.dir = this.m.dir;
    this.moreButton.textContent = this.m.text('loadMore');
    this.list.setAttribute('aria-label', this.m.text('updates'));
    // Words inside rendered posts (badges) follow on the next refill.
    for (const item of this.items.values()) item.version = '';
  }

  private renderBar(s: WidgetState): void {
    const ended = s.blog?.status === 'ended' || (s.blog?.status as string) === 'archived';
    const parts = [
      `<span class="live${ended ? ' ended' : ''}">${esc(this.m.text(ended ? 'endedBadge' : 'live'))}</span>`,
    ];
    if (s.error) parts.push(`<span class="offline">${esc(s.error)}</span>`);
    else if (!s.connected && !ended) parts.push(`<span class="offline">${esc(this.m.text('reconnecting'))}</span>`);
    if (s.readers > 0) parts.push(`<span>${esc(this.m.count('readers', s.readers))}</span>`);
    this.bar.innerHTML = parts.join('');
  }

  private renderEnded(blog: (Blog & BlogExtras) | null): void {
    const ended = blog?.status === 'ended' || (blog?.status as string) === 'archived';
    this.endedEl.hidden = !ended;
    if (!blog || !ended) return;
    const at = blog.endedAt ?? blog.updatedAt;
    this.endedEl.innerHTML = esc(this.m.text('endedAt', { time: '\u0000' })).replace(
      '\u0000',
      `<time datetime="${esc(at)}">${esc(exactTime(at))}</time>`,
    );
  }

  private renderControls(view: ReaderView): void {
    const key = `${this.m.lang}|${view.order}|${view.keyEvents ? 1 : 0}`;
    if (this.controls.dataset.key === key) return;
    this.controls.dataset.key = key;
    this.controls.hidden = false;
    const t = (k: Parameters<Messages['text']>[0]) => esc(this.m.text(k));
    this.controls.innerHTML =
      `<span class="views" role="group">` +
      `<button type="button" data-view="all" aria-pressed="${!view.keyEvents}">${t('allUpdates')}</button>` +
      `<button type="button" data-view="key" aria-pressed="${!!view.keyEvents}">${t('keyEvents')}</button></span>` +
      `<select class="order" aria-label="${t('newestFirst')} / ${t('oldestFirst')}">` +
      `<option value="newest"${view.order === 'newest' ? ' selected' : ''}>${t('newestFirst')}</option>` +
      `<option value="oldest"${view.order === 'oldest' ? ' selected' : ''}>${t('oldestFirst')}</option></select>`;
  }

  private renderPosts(posts: Post[]): void {
    const timeline = !!this.state?.view.keyEvents;
    this.list.classList.toggle('timeline', timeline);
    const keep = new Set(posts.map((p) => p.id));
    for (const [id, item] of this.items) {
      if (!keep.has(id)) {
        item.li.remove();
        this.items.delete(id);
      }
    }
    let before: Element | null = this.list.firstElementChild;
    for (const p of posts) {
      const version = `${timeline}|${p.updatedAt}|${p.pinned}|${p.keyEvent}`;
      let item = this.items.get(p.id);
      if (!item) {
        item = { li: document.createElement('li'), version: '' };
        this.items.set(p.id, item);
      }
      if (item.version !== version) {
        if (timeline) renderTimelineInto(item.li, p, this.m);
        else renderPostInto(item.li, p, this.m);
        applyTally(item.li, p, this.participation?.tallyOf(p.id));
        item.version = version;
      }
      if (item.li !== before) this.list.insertBefore(item.li, before);
      before = item.li.nextElementSibling;
    }
    if (!posts.length && this.state && !this.state.error) {
      const empty = this.m.text(timeline ? 'noKeyEvents' : 'noUpdates');
      this.list.innerHTML = `<li class="empty">${esc(empty)}</li>`;
    } else {
      this.list.querySelector('.empty')?.remove();
    }
  }

  private pendingCount(): number {
    if (!this.state) return 0;
    return this.state.posts.filter((p) => !this.shown.has(p.id)).length + this.state.unloadedNewer;
  }

  private updateNewButton(): void {
    const n = this.pendingCount();
    // The button sits on the end new posts land on.
    const anchor = this.oldestFirst ? this.moreButton.nextSibling : this.list;
    if (this.newButton.nextSibling !== anchor) this.root.insertBefore(this.newButton, anchor);
    this.newButton.classList.toggle('at-end', this.oldestFirst);
    this.newButton.hidden = n === 0;
    this.newButton.textContent = this.m.count('newUpdates', n);
    if (n > 0) this.live.textContent = this.newButton.textContent;
  }

  private async onNewClick(): Promise<void> {
    if (this.oldestFirst) {
      // Oldest first, the new posts are after every unloaded page: fetch up to the end first.
      for (let i = 0; i < MAX_CATCH_UP_PAGES && this.state?.hasMore; i++) await this.loadMore();
      this.revealPending();
      this.list.lastElementChild?.scrollIntoView({ block: 'end', behavior: 'smooth' });
      return;
    }
    this.revealPending();
    this.root.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  private revealPending(): void {
    if (!this.state || this.pendingCount() === 0) return;
    for (const p of this.state.posts) this.shown.add(p.id);
    this.renderPosts(this.state.posts);
    this.updateNewButton();
  }

  private announce(fresh: Post[]): void {
    if (fresh.length === 1 && fresh[0]) this.live.textContent = announcement(fresh[0], this.m);
    else if (fresh.length > 1) this.live.textContent = this.m.count('newUpdates', fresh.length);
  }

  private refreshTimes(): void {
    for (const t of this.list.querySelectorAll<HTMLElement>('time:not(.clock)')) {
      const iso = t.getAttribute('datetime') ?? '';
      t.textContent = relativeTime(iso);
      t.title = exactTime(iso);
    }
  }
}

/** Unpinned and newer than every post shown: it would appear above them (newest first). */
function isNewerThanAll(p: Post, shown: Post[]): boolean {
  if (p.pinned) return false;
  return shown.every((s) => s.pinned || p.createdAt > s.createdAt || (p.createdAt === s.createdAt && p.id > s.id));
}

/** Unpinned and newer than every post shown: it would appear below them (oldest first). */
function isAfterAll(p: Post, shown: Post[]): boolean {
  return isNewerThanAll(p, shown);
}

import type { Blog, Post, Summary } from '../../src/domain/index.js';
import { announcement, renderPostInto, summaryHtml } from './render.js';
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
  error: string | null;
}

export interface WidgetSource {
  subscribe(listener: (state: WidgetState) => void): () => void;
  loadMore(): Promise<unknown>;
  close(): void;
}

const TICK_MS = 30_000;

/**
 * One widget in one open shadow root. Existing posts update in place; new posts appear at
 * once while the reader looks at the top, otherwise they wait behind a "N new updates"
 * button so the page never jumps under the reader's eyes.
 */
export class LiveblogWidget {
  private readonly root: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly newButton: HTMLButtonElement;
  private readonly list: HTMLOListElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly live: HTMLElement;
  private readonly items = new Map<string, { li: HTMLLIElement; version: string }>();
  /** Posts the reader has been shown (or that were there at first render). */
  private readonly shown = new Set<string>();
  private state: WidgetState | null = null;
  private firstRender = true;
  private readonly unsubscribe: () => void;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly onScroll = () => {
    if (!this.isAway()) this.revealPending();
  };

  constructor(
    private readonly host: HTMLElement,
    private readonly source: WidgetSource,
  ) {
    const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    shadow.innerHTML =
      `<style>${WIDGET_CSS}</style><div class="root" part="root">` +
      '<div class="bar"></div><section class="summary" hidden></section>' +
      '<button type="button" class="new" hidden></button>' +
      '<ol class="posts" aria-label="Updates"></ol>' +
      '<button type="button" class="more" hidden>Load more</button>' +
      '<div class="sr" aria-live="polite" aria-atomic="true"></div></div>';
    const q = <T extends Element>(sel: string) => shadow.querySelector(sel) as T;
    this.root = q('.root');
    this.bar = q('.bar');
    this.summaryEl = q('.summary');
    this.newButton = q('button.new');
    this.list = q('ol.posts');
    this.moreButton = q('button.more');
    this.live = q('.sr');
    this.newButton.addEventListener('click', () => {
      this.revealPending();
      this.root.scrollIntoView({ block: 'start', behavior: 'smooth' });
    });
    this.moreButton.addEventListener('click', () => {
      this.moreButton.disabled = true;
      void this.source.loadMore().finally(() => {
        this.moreButton.disabled = false;
      });
    });
    window.addEventListener('scroll', this.onScroll, { passive: true });
    this.timer = setInterval(() => this.refreshTimes(), TICK_MS);
    this.unsubscribe = source.subscribe((s) => this.render(s));
  }

  destroy(): void {
    this.unsubscribe();
    clearInterval(this.timer);
    window.removeEventListener('scroll', this.onScroll);
    this.source.close();
  }

  /** True when the top of the list is above the viewport: the reader scrolled down into the posts. */
  private isAway(): boolean {
    return this.list.getBoundingClientRect().top < 0;
  }

  private render(s: WidgetState): void {
    this.state = s;
    this.renderBar(s);
    this.summaryEl.innerHTML = summaryHtml(s.summary?.bullets ?? []);
    this.summaryEl.hidden = !s.summary?.bullets.length;
    // Plain attributes on the host let the page (and tests) see the widget's state.
    this.host.dataset.connected = String(s.connected);
    this.host.dataset.loaded = String(s.blog !== null);

    const away = !this.firstRender && this.isAway();
    // Older posts (load more, a catch-up) extend the list below the reader: shown at once.
    // Newer ones would push the reader's place down: held back while the reader is away.
    let newestShown = '';
    for (const p of s.posts) if (this.shown.has(p.id) && p.createdAt > newestShown) newestShown = p.createdAt;
    const fresh: Post[] = [];
    for (const p of s.posts) {
      if (this.shown.has(p.id)) continue;
      if (p.createdAt <= newestShown) this.shown.add(p.id);
      else fresh.push(p);
    }
    if (this.firstRender || !away) {
      if (!this.firstRender) this.announce(fresh);
      for (const p of fresh) this.shown.add(p.id);
    }
    if (s.blog) this.firstRender = false;
    this.renderPosts(s.posts.filter((p) => this.shown.has(p.id)));
    this.updateNewButton();
    this.moreButton.hidden = !s.hasMore;
  }

  private renderBar(s: WidgetState): void {
    const ended = s.blog?.status === 'ended';
    const parts = [`<span class="live${ended ? ' ended' : ''}">${ended ? 'ENDED' : 'LIVE'}</span>`];
    if (s.error) parts.push(`<span class="offline">${s.error.replace(/[<&]/g, '')}</span>`);
    else if (!s.connected) parts.push('<span class="offline">Reconnecting…</span>');
    if (s.readers > 0) parts.push(`<span>${s.readers} reading</span>`);
    this.bar.innerHTML = parts.join('');
  }

  private renderPosts(posts: Post[]): void {
    const keep = new Set(posts.map((p) => p.id));
    for (const [id, item] of this.items) {
      if (!keep.has(id)) {
        item.li.remove();
        this.items.delete(id);
      }
    }
    let before: Element | null = this.list.firstElementChild;
    for (const p of posts) {
      const version = `${p.updatedAt}|${p.pinned}|${p.keyEvent}`;
      let item = this.items.get(p.id);
      if (!item) {
        item = { li: document.createElement('li'), version: '' };
        this.items.set(p.id, item);
      }
      if (item.version !== version) {
        renderPostInto(item.li, p);
        item.version = version;
      }
      if (item.li !== before) this.list.insertBefore(item.li, before);
      before = item.li.nextElementSibling;
    }
    if (!posts.length && this.state && !this.state.error) {
      this.list.innerHTML = '<li class="empty">No updates yet.</li>';
    } else {
      this.list.querySelector('.empty')?.remove();
    }
  }

  private pendingCount(): number {
    return this.state ? this.state.posts.filter((p) => !this.shown.has(p.id)).length : 0;
  }

  private updateNewButton(): void {
    const n = this.pendingCount();
    this.newButton.hidden = n === 0;
    this.newButton.textContent = n === 1 ? '1 new update' : `${n} new updates`;
    if (n > 0) this.live.textContent = this.newButton.textContent;
  }

  private revealPending(): void {
    if (!this.state || this.pendingCount() === 0) return;
    for (const p of this.state.posts) this.shown.add(p.id);
    this.renderPosts(this.state.posts);
    this.updateNewButton();
  }

  private announce(fresh: Post[]): void {
    if (fresh.length === 1 && fresh[0]) this.live.textContent = announcement(fresh[0]);
    else if (fresh.length > 1) this.live.textContent = `${fresh.length} new updates`;
  }

  private refreshTimes(): void {
    for (const t of this.list.querySelectorAll('time')) {
      const iso = t.getAttribute('datetime') ?? '';
      t.textContent = relativeTime(iso);
      t.title = exactTime(iso);
    }
  }
}

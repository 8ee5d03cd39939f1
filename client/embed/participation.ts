import type { CountsFrame, PollBlock, Post, Tally } from '../../src/domain/index.js';
import { REACTIONS, type ReactionKind as Reaction } from '../../src/domain/reactions.js';

/**
 * Readers taking part from the widget: poll votes with live bars, reactions, and the question
 * form. The reader is a random id kept in this browser's local storage (no cookie, nothing
 * else about them); counts arrive as `counts` frames and are applied in place, so a post is
 * never re-rendered for a vote. Nothing a reader sends is shown to other readers by the
 * widget: votes and reactions only move counts, questions go to the editors' queue.
 */

const VOTER_KEY = 'liveblog:voter';
const MINE_KEY = 'liveblog:mine';
/** Remembered choices (the newest); older ones are forgotten (the server still dedups). */
const MAX_MINE = 300;

function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Local storage when the partner page allows it, else memory for this page view. */
const memory = new Map<string, string>();
const store = {
  get(key: string): string | null {
    try {
      return localStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key: string, value: string): void {
    try {
      localStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
};

export function voterId(): string {
  const known = store.get(VOTER_KEY);
  if (known && /^[A-Za-z0-9_-]{16,64}$/.test(known)) return known;
  const id = randomId();
  store.set(VOTER_KEY, id);
  return id;
}

/** What this browser chose: `vote:<postId>` → option id, `react:<postId>:<kind>` → '1'. */
function mine(): Record<string, string> {
  try {
    const v = JSON.parse(store.get(MINE_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}
function remember(key: string, value: string): void {
  const all = mine();
  delete all[key];
  all[key] = value;
  const keys = Object.keys(all);
  for (const k of keys.slice(0, Math.max(0, keys.length - MAX_MINE))) delete all[k];
  store.set(MINE_KEY, JSON.stringify(all));
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The poll's skeleton; counts, bars and the reader's own vote are filled in by applyTally. */
export function pollHtml(poll: PollBlock): string {
  const options = poll.options
    .map(
      (o) =>
        `<li><button type="button" class="option" data-vote="${esc(o.id)}"><span class="label">${esc(o.text)}</span>` +
        '<span class="track"><span class="fill"></span></span><span class="n"></span></button></li>',
    )
    .join('');
  return `<div class="poll" data-poll><p class="question">${esc(poll.question)}</p><ol>${options}</ol><p class="poll-state"></p></div>`;
}

export function reactionsHtml(): string {
  const buttons = (Object.entries(REACTIONS) as [Reaction, string][])
    .map(
      ([kind, emoji]) =>
        `<button type="button" class="reaction" data-react="${kind}" aria-pressed="false" aria-label="${kind}">${emoji} <span class="n"></span></button>`,
    )
    .join('');
  return `<div class="reactions">${buttons}</div>`;
}

/** Updates one post's poll and reactions in place from its tally (absent: zeros). */
export function applyTally(li: HTMLElement, post: Post, tally: Tally | undefined): void {
  const chosen = mine();
  const poll = post.blocks.find((b): b is PollBlock => b.type === 'poll');
  const box = li.querySelector<HTMLElement>('[data-poll]');
  if (poll && box) {
    const closed =
      poll.closedAt !== undefined || (poll.closesAt !== undefined && Date.parse(poll.closesAt) <= Date.now());
    const counts = poll.results ?? tally?.votes ?? {};
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const myVote = chosen[`vote:${post.id}`];
    box.classList.toggle('closed', closed);
    box.classList.toggle('voted', myVote !== undefined);
    for (const btn of box.querySelectorAll<HTMLButtonElement>('button[data-vote]')) {
      const id = btn.dataset.vote ?? '';
      const n = counts[id] ?? 0;
      const pct = total ? Math.round((100 * n) / total) : 0;
      (btn.querySelector('.fill') as HTMLElement).style.width = `${pct}%`;
      (btn.querySelector('.n') as HTMLElement).textContent = `${n} · ${pct}%`;
      btn.disabled = closed || myVote !== undefined;
      btn.setAttribute('aria-pressed', String(myVote === id));
    }
    box.dataset.total = String(total);
    (box.querySelector('.poll-state') as HTMLElement).textContent =
      `${total} ${total === 1 ? 'vote' : 'votes'}${closed ? ' · poll closed' : ''}`;
  }
  for (const btn of li.querySelectorAll<HTMLButtonElement>('button[data-react]')) {
    const kind = btn.dataset.react as Reaction;
    const n = tally?.reactions[kind] ?? 0;
    (btn.querySelector('.n') as HTMLElement).textContent = n > 0 ? String(n) : '';
    btn.setAttribute('aria-pressed', String(chosen[`react:${post.id}:${kind}`] === '1'));
  }
}

/**
 * The widget's link to the participation API for one blog: current counts, live frames,
 * the reader's clicks. `lookup` finds a shown post's element and data by id.
 */
export class Participation {
  private readonly tallies = new Map<string, Tally>();
  private readonly fetched = new Set<string>();

  constructor(
    private readonly baseUrl: string,
    private readonly blogId: () => string | null,
    private readonly lookup: (postId: string) => { li: HTMLElement; post: Post } | null,
  ) {}

  tallyOf(postId: string): Tally | undefined {
    return this.tallies.get(postId);
  }

  /** Posts that arrived live start at zero: only posts loaded from a page need a fetch. */
  markFresh(postIds: Iterable<string>): void {
    for (const id of postIds) this.fetched.add(id);
  }

  /** Fetches the counts of posts not fetched yet (or all of `postIds` after a reconnect). */
  async load(postIds: readonly string[], force = false): Promise<void> {
    const blogId = this.blogId();
    if (!blogId) return;
    const ids = postIds.filter((id) => force || !this.fetched.has(id));
    for (const id of ids) this.fetched.add(id);
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const url = `${this.baseUrl}/api/v1/blogs/${encodeURIComponent(blogId)}/tallies?posts=${chunk.join(',')}`;
      try {
        const res = await fetch(url);
        if (!res.ok) continue;
        const body = (await res.json()) as { posts: Record<string, Tally> };
        this.onFrame({ blogId, posts: body.posts });
      } catch {
        // Offline: the next frame or reconnect brings them.
      }
    }
  }

  onFrame(frame: CountsFrame): void {
    for (const [postId, tally] of Object.entries(frame.posts)) {
      this.tallies.set(postId, tally);
      const shown = this.lookup(postId);
      if (shown) applyTally(shown.li, shown.post, tally);
    }
  }

  /** A click inside the list: a vote or a reaction button. */
  onClick(target: HTMLElement): void {
    const btn = target.closest<HTMLButtonElement>('button[data-vote], button[data-react]');
    const li = btn?.closest<HTMLElement>('li[data-post-id]');
    const postId = li?.dataset.postId;
    if (!btn || !postId || btn.disabled) return;
    if (btn.dataset.vote) void this.vote(postId, btn.dataset.vote);
    else if (btn.dataset.react) void this.react(postId, btn.dataset.react as Reaction);
  }

  private async send(postId: string, what: 'votes' | 'reactions', body: object): Promise<{ counted: boolean } | null> {
    const blogId = this.blogId();
    if (!blogId) return null;
    try {
      const res = await fetch(`${this.baseUrl}/api/v1/blogs/${encodeURIComponent(blogId)}/posts/${postId}/${what}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, voter: voterId() }),
      });
      return res.status === 202 ? ((await res.json()) as { counted: boolean }) : null;
    } catch {
      return null;
    }
  }

  private async vote(postId: string, option: string): Promise<void> {
    const receipt = (await this.send(postId, 'votes', { option })) as { option: string; counted: boolean } | null;
    if (!receipt) return;
    remember(`vote:${postId}`, receipt.option);
    const t = this.tallies.get(postId) ?? { reactions: {} as Tally['reactions'] };
    // Shown at once; the next frame brings the exact count.
    if (receipt.counted) t.votes = { ...t.votes, [option]: (t.votes?.[option] ?? 0) + 1 };
    this.onFrame({ blogId: this.blogId() ?? '', posts: { [postId]: t } });
  }

  private async react(postId: string, kind: Reaction): Promise<void> {
    if (mine()[`react:${postId}:${kind}`] === '1') return;
    const receipt = await this.send(postId, 'reactions', { reaction: kind });
    if (!receipt) return;
    remember(`react:${postId}:${kind}`, '1');
    const t = this.tallies.get(postId) ?? { reactions: {} as Tally['reactions'] };
    if (receipt.counted) t.reactions = { ...t.reactions, [kind]: (t.reactions[kind] ?? 0) + 1 };
    this.onFrame({ blogId: this.blogId() ?? '', posts: { [postId]: t } });
  }
}

/** The question form: collapsed until the reader opens it. */
export function askFormHtml(): string {
  return (
    '<details class="ask"><summary>Ask the newsroom a question</summary><form class="ask-form">' +
    '<textarea name="text" rows="3" maxlength="500" required aria-label="Your question"></textarea>' +
    '<input name="name" maxlength="60" placeholder="Your name (optional)" aria-label="Your name (optional)">' +
    '<button type="submit">Send</button><p class="ask-status" role="status"></p></form></details>'
  );
}

/**
 * Sends the form's question to the editors' queue. The reader is told it was received, never
 * shown it as published: only an editor's answer post appears in the blog.
 */
export async function sendQuestion(baseUrl: string, blogId: string, form: HTMLFormElement): Promise<void> {
  const status = form.querySelector('.ask-status') as HTMLElement;
  const text = (form.elements.namedItem('text') as HTMLTextAreaElement).value.trim();
  const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
  if (!text) return;
  const button = form.querySelector('button') as HTMLButtonElement;
  button.disabled = true;
  try {
    const res = await fetch(`${baseUrl}/api/v1/blogs/${encodeURIComponent(blogId)}/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(name ? { text, name } : { text }),
    });
    if (res.status === 202) {
      form.reset();
      status.textContent = 'Thank you: your question was sent to the editors.';
      form.dataset.sent = 'true';
    } else if (res.status === 429) {
      status.textContent = 'Too many questions right now; please try again in a minute.';
    } else {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      status.textContent = body?.error?.message ?? 'Your question could not be sent.';
    }
  } catch {
    status.textContent = 'Your question could not be sent (offline?).';
  } finally {
    button.disabled = false;
  }
}

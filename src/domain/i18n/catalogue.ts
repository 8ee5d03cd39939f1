/**
 * The words the widget and the page print themselves (posts are in the blog's language
 * already). One catalogue per language in messages/<tag>.ts; `{n}`, `{time}` and `{text}`
 * are filled in by messages.ts.
 */
export type PluralCategory = 'zero' | 'one' | 'two' | 'few' | 'many' | 'other';

/** A counted phrase: `other` is required, the rest as the language's plural rules need them. */
export type Plural = { other: string } & Partial<Record<Exclude<PluralCategory, 'other'>, string>>;

export interface Catalogue {
  /** The BCP 47 tag this catalogue is for ("de", "pt-BR"). */
  lang: string;
  whatWeKnow: string;
  loadMore: string;
  newUpdates: Plural;
  pinned: string;
  keyEvent: string;
  live: string;
  corrected: string;
  ended: string;
  /** "This liveblog has ended at {time}". */
  endedAt: string;
  /** The short badge in the widget's bar. */
  endedBadge: string;
  keyEvents: string;
  allUpdates: string;
  newestFirst: string;
  oldestFirst: string;
  noUpdates: string;
  noKeyEvents: string;
  reconnecting: string;
  readers: Plural;
  olderUpdates: string;
  newerUpdates: string;
  edited: string;
  updates: string;
  /** Screen-reader announcement of one new post: "{text}" is its first words. */
  announceUpdate: string;
  announceKeyEvent: string;
  /** Readers taking part (docs/participation.md): the question form and polls. */
  askQuestion: string;
  yourQuestion: string;
  yourName: string;
  send: string;
  questionSent: string;
  questionTooMany: string;
  questionFailed: string;
  pollClosed: string;
  votes: Plural;
}

export type MessageKey = Exclude<keyof Catalogue, 'lang'>;
export type PluralKey = { [K in MessageKey]: Catalogue[K] extends Plural ? K : never }[MessageKey];
export type TextKey = Exclude<MessageKey, PluralKey>;

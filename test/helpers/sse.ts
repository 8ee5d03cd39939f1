import { EventSource } from 'eventsource';
import type { LiveEvent } from '../../src/domain/index.js';
import { registerCleanup } from './teardown.js';

const TYPES = ['post.created', 'post.updated', 'post.deleted', 'summary.updated', 'blog.updated'] as const;

export interface StreamReader {
  source: EventSource;
  /** Live events in arrival order (across reconnects). */
  events: LiveEvent[];
  /** `lastEventId` of every frame, in order (events, ready, reset). */
  ids: string[];
  readies: { blogId: string; seq: number }[];
  resets: { blogId: string; seq: number }[];
  opens: number;
  errors: number;
  seqs(): number[];
  close(): void;
}

/**
 * A standard EventSource (the `eventsource` npm client, WHATWG behaviour: reconnects by itself
 * and resends the last id as Last-Event-ID) on `/api/v1/blogs/:blogId/events`.
 */
export function openStream(
  baseUrl: string,
  blogId: string,
  opts: { since?: number; token?: string } = {},
): StreamReader {
  const q = opts.since === undefined ? '' : `?since=${opts.since}`;
  const url = `${baseUrl}/api/v1/blogs/${encodeURIComponent(blogId)}/events${q}`;
  const token = opts.token;
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      }),
  });
  const reader: StreamReader = {
    source,
    events: [],
    ids: [],
    readies: [],
    resets: [],
    opens: 0,
    errors: 0,
    seqs: () => reader.events.map((e) => e.seq),
    close: () => source.close(),
  };
  for (const type of TYPES) {
    source.addEventListener(type, (m) => {
      const e = JSON.parse(m.data) as LiveEvent;
      if (String(e.seq) !== m.lastEventId || e.type !== type)
        throw new Error(`frame id/type mismatch: ${m.lastEventId}`);
      reader.ids.push(m.lastEventId);
      reader.events.push(e);
    });
  }
  source.addEventListener('ready', (m) => {
    reader.ids.push(m.lastEventId);
    reader.readies.push(JSON.parse(m.data));
  });
  source.addEventListener('reset', (m) => {
    reader.ids.push(m.lastEventId);
    reader.resets.push(JSON.parse(m.data));
  });
  source.addEventListener('open', () => {
    reader.opens += 1;
  });
  source.addEventListener('error', () => {
    reader.errors += 1;
  });
  registerCleanup(() => source.close());
  return reader;
}

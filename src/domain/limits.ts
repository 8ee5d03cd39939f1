import { DomainError } from './errors.js';

/**
 * The largest event a reader can be sent. A reader whose unsent bytes pass its send bound is
 * cut as a slow consumer, so an event near that bound would disconnect every reader of the
 * blog at each send: events are held to half of it (the catch-up rule uses the same half),
 * and to the configured MAX_EVENT_BYTES when that is lower.
 */
export function maxEventBytes(config: { MAX_EVENT_BYTES: number; READER_BUFFER_BYTES: number }): number {
  return Math.min(config.MAX_EVENT_BYTES, Math.floor(config.READER_BUFFER_BYTES / 2));
}

/** Room an event's envelope (blogId, seq, type, at) takes beside its data. */
const ENVELOPE_BYTES = 160;

/** Serialised size of what an event would carry, counted as the reader hub counts it. */
export function eventDataBytes(data: unknown): number {
  return JSON.stringify(data).length + ENVELOPE_BYTES;
}

/**
 * Refuses, at write time, a change whose event readers could not be sent: a clear 413 that
 * names the limit, instead of every reader being disconnected later.
 */
export function assertEventFits(what: string, data: unknown, limit: number): void {
  const bytes = eventDataBytes(data);
  if (bytes <= limit) return;
  throw new DomainError(
    'payload_too_large',
    `this ${what} would make a ${bytes}-byte event; readers accept events of at most ${limit} bytes (MAX_EVENT_BYTES)`,
    { limit, bytes },
  );
}

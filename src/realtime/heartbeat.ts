/**
 * When a room's heartbeat is worth sending.
 *
 * A heartbeat tells readers two things: the head seq (so one that missed the tail notices) and
 * the reader total. While a story is busy, every event already carries its seq and a reader
 * that misses one sees the gap at the next, so a heartbeat adds only the total; yet at 10,000
 * readers it costs as much as a post (one write per reader) and, landing in a burst, delays
 * the post behind it. So a room whose head went out as an event since its last heartbeat
 * skips the beat, unless the total moved by more than 1% or the beat was skipped for
 * `MAX_SKIPPED` intervals (the count on the page is never older than that). A quiet room
 * beats every interval, as before.
 */

/** Consecutive intervals a busy room may go without a heartbeat. */
export const MAX_SKIPPED = 3;

/** What a room's readers last got: the heartbeat sent, and the last event sent. */
export interface RoomBeats {
  /** The last heartbeat sent to the room (null: none yet). */
  lastBeat: { at: number; readers: number } | null;
  /** The last event sent to the room (null: none since this node loaded the blog). */
  lastEvent: { at: number; seq: number } | null;
}

export function heartbeatDue(
  room: RoomBeats,
  now: { at: number; head: number; readers: number },
  intervalMs: number,
): boolean {
  const { lastBeat, lastEvent } = room;
  if (!lastBeat) return true;
  const headSentAsEvent = lastEvent !== null && lastEvent.seq === now.head && lastEvent.at >= lastBeat.at;
  if (!headSentAsEvent) return true;
  // The interval's own jitter must not stretch the bound by one more interval.
  if (now.at - lastBeat.at >= MAX_SKIPPED * intervalMs + intervalMs / 2) return true;
  return Math.abs(now.readers - lastBeat.readers) > lastBeat.readers / 100;
}

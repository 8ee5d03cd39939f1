import { describe, expect, it } from 'vitest';
import { heartbeatDue, MAX_SKIPPED, type RoomBeats } from '../../src/realtime/heartbeat.js';

const EVERY = 5000;

/** Runs the hub's choice tick by tick: the room's events are given per tick, as [seq] or []. */
function run(ticks: { events: number[]; readers: number }[]): boolean[] {
  const room: RoomBeats = { lastBeat: null, lastEvent: null };
  let head = 0;
  return ticks.map(({ events, readers }, i) => {
    const at = (i + 1) * EVERY;
    for (const seq of events) {
      head = seq;
      room.lastEvent = { at: at - EVERY / 2, seq };
    }
    const due = heartbeatDue(room, { at, head, readers }, EVERY);
    if (due) room.lastBeat = { at, readers };
    return due;
  });
}

describe('heartbeatDue', () => {
  it('beats every interval in a quiet room', () => {
    expect(run(Array.from({ length: 6 }, () => ({ events: [], readers: 10 })))).toEqual(Array(6).fill(true));
  });

  it('skips a busy room whose head went out as an event, at most MAX_SKIPPED intervals in a row', () => {
    const busy = Array.from({ length: 10 }, (_, i) => ({ events: [2 * i + 1, 2 * i + 2], readers: 10_000 }));
    const beats = run([{ events: [], readers: 10_000 }, ...busy]);
    expect(beats[0]).toBe(true);
    // Between two beats, never more than MAX_SKIPPED skipped.
    let skipped = 0;
    for (const due of beats) {
      skipped = due ? 0 : skipped + 1;
      expect(skipped).toBeLessThanOrEqual(MAX_SKIPPED);
    }
    expect(beats.filter((d) => !d).length).toBeGreaterThanOrEqual(MAX_SKIPPED * 2);
  });

  it('beats when the head moved without an event (the feed jumped ahead): readers must learn of the gap', () => {
    const room: RoomBeats = { lastBeat: { at: 0, readers: 5 }, lastEvent: { at: 100, seq: 7 } };
    expect(heartbeatDue(room, { at: EVERY, head: 7, readers: 5 }, EVERY)).toBe(false);
    expect(heartbeatDue(room, { at: EVERY, head: 9, readers: 5 }, EVERY)).toBe(true);
  });

  it('beats a busy room when its reader total moved by more than 1%', () => {
    const room: RoomBeats = { lastBeat: { at: 0, readers: 10_000 }, lastEvent: { at: 100, seq: 3 } };
    expect(heartbeatDue(room, { at: EVERY, head: 3, readers: 10_090 }, EVERY)).toBe(false);
    expect(heartbeatDue(room, { at: EVERY, head: 3, readers: 10_101 }, EVERY)).toBe(true);
    expect(heartbeatDue(room, { at: EVERY, head: 3, readers: 9_899 }, EVERY)).toBe(true);
    // In a small room one reader more is more than 1%.
    const small: RoomBeats = { lastBeat: { at: 0, readers: 4 }, lastEvent: { at: 100, seq: 3 } };
    expect(heartbeatDue(small, { at: EVERY, head: 3, readers: 5 }, EVERY)).toBe(true);
  });

  it('beats again once an event older than the last beat is all the room got', () => {
    const room: RoomBeats = { lastBeat: { at: 3 * EVERY, readers: 5 }, lastEvent: { at: EVERY, seq: 3 } };
    expect(heartbeatDue(room, { at: 4 * EVERY, head: 3, readers: 5 }, EVERY)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type Block,
  buildPollOptions,
  closedPollBlocks,
  keepPollClosure,
  type PollBlock,
  pollDue,
  pollOpen,
  tallyPostIds,
  VoterId,
} from '../../src/domain/index.js';
import { buildBlocks, cleanPlainText } from '../../src/domain/post-building.js';

const poll = (over: Partial<PollBlock> = {}): PollBlock => ({
  type: 'poll',
  question: 'Q?',
  options: [
    { id: 'o1', text: 'a' },
    { id: 'o2', text: 'b' },
  ],
  ...over,
});

describe('poll rules', () => {
  it('keeps sent option ids, gives new options the lowest free id, refuses a repeated id', () => {
    expect(buildPollOptions(['x', { id: 'o1', text: 'y' }, { text: 'z' }], ['blocks', 0], cleanPlainText)).toEqual([
      { id: 'o2', text: 'x' },
      { id: 'o1', text: 'y' },
      { id: 'o3', text: 'z' },
    ]);
    expect(() =>
      buildPollOptions(
        [
          { id: 'o1', text: 'a' },
          { id: 'o1', text: 'b' },
        ],
        ['blocks', 0],
        cleanPlainText,
      ),
    ).toThrow(/used twice/);
  });

  it('one poll per post; options are cleaned plain text', () => {
    const p = { type: 'poll' as const, question: ' Who? ', options: ['\u0007a ', 'b'] };
    expect(buildBlocks([p])[0]).toEqual({
      type: 'poll',
      question: 'Who?',
      options: [
        { id: 'o1', text: 'a' },
        { id: 'o2', text: 'b' },
      ],
    });
    expect(() => buildBlocks([p, p])).toThrow(/at most one poll/);
  });

  it('open until closesAt or closing; due once closesAt passed without a closing', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    expect(pollOpen(poll(), now)).toBe(true);
    expect(pollOpen(poll({ closesAt: '2026-06-01T12:00:01.000Z' }), now)).toBe(true);
    expect(pollOpen(poll({ closesAt: '2026-06-01T12:00:00.000Z' }), now)).toBe(false);
    expect(pollDue(poll({ closesAt: '2026-06-01T11:00:00.000Z' }), now)).toBe(true);
    expect(pollDue(poll({ closesAt: '2026-06-01T11:00:00.000Z', closedAt: '2026-06-01T11:00:00.000Z' }), now)).toBe(
      false,
    );
    expect(pollOpen(poll({ closedAt: '2026-06-01T11:00:00.000Z' }), now)).toBe(false);
  });

  it('closing writes every option result; an edit keeps a closed poll closed with its results', () => {
    const closed = closedPollBlocks([poll()], { o2: 3, gone: 9 }, '2026-06-01T12:00:00.000Z');
    expect(closed[0]).toMatchObject({ closedAt: '2026-06-01T12:00:00.000Z', results: { o1: 0, o2: 3 } });
    const edited: Block[] = [poll({ question: 'Reworded?' })];
    expect(keepPollClosure(closed, edited)[0]).toMatchObject({
      question: 'Reworded?',
      closedAt: '2026-06-01T12:00:00.000Z',
      results: { o1: 0, o2: 3 },
    });
    expect(keepPollClosure([poll()], edited)).toBe(edited);
  });

  it('voter ids and tally id lists are bounded', () => {
    expect(VoterId.safeParse('abcdefghijklmnop').success).toBe(true);
    expect(VoterId.safeParse('short').success).toBe(false);
    expect(VoterId.safeParse('x'.repeat(65)).success).toBe(false);
    expect(VoterId.safeParse('has spaces in it!!').success).toBe(false);
    expect(tallyPostIds('a, b,a,,c')).toEqual(['a', 'b', 'c']);
    expect(() => tallyPostIds(',,')).toThrow();
    expect(() => tallyPostIds('ok,not ok')).toThrow();
    expect(() => tallyPostIds(Array.from({ length: 101 }, (_, i) => `p${i}`).join(','))).toThrow();
  });
});

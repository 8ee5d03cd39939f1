import { describe, expect, it } from 'vitest';
import { countdownText, localInputToIso } from '../../client/editor/countdown.js';

describe('scheduled post countdown', () => {
  it('counts down to the second in the last hour', () => {
    expect(countdownText(0)).toBe('due now');
    expect(countdownText(-5000)).toBe('due now');
    expect(countdownText(12_000)).toBe('in 12 s');
    expect(countdownText(4 * 60_000 + 9_000)).toBe('in 4 min 09 s');
    expect(countdownText(2 * 3600_000 + 5 * 60_000)).toBe('in 2 h 05 min');
    expect(countdownText(3 * 86_400_000 + 3600_000)).toBe('in 3 d 1 h');
  });

  it('reads datetime-local values', () => {
    expect(localInputToIso('2026-12-01T10:30')).toBe(new Date('2026-12-01T10:30').toISOString());
    expect(localInputToIso('')).toBeNull();
    expect(localInputToIso('tomorrow')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import {
  type AudienceSample,
  audienceWindow,
  cleanQuestionText,
  mergeAudience,
  minuteOf,
  siteOf,
  topN,
} from '../../src/domain/index.js';

const row = (over: Partial<AudienceSample>): AudienceSample => ({
  blogId: 'b',
  minute: '2026-01-01T10:00:00.000Z',
  samples: 2,
  peak: 0,
  totalSum: 0,
  bySite: {},
  byTransport: {},
  firstLoads: 0,
  ...over,
});

describe('audience rules', () => {
  it('keeps only the scheme and host of an embedding site', () => {
    expect(siteOf('https://User:pw@News.Example.com:8443/story?id=1#x')).toBe('https://news.example.com:8443');
    expect(siteOf('javascript:alert(1)')).toBe('direct');
    expect(siteOf('not a url')).toBe('direct');
    expect(siteOf(undefined)).toBe('direct');
    expect(siteOf(`https://${'a'.repeat(400)}.example`)).toBe('direct');
  });

  it('merges nodes: peak and average are the largest view of the total, sites and transports add up', () => {
    const buckets = mergeAudience(
      [
        row({ peak: 5, totalSum: 8, bySite: { 'https://a.example': 4 }, byTransport: { websocket: 4 }, firstLoads: 2 }),
        row({
          peak: 4,
          totalSum: 8,
          bySite: { 'https://a.example': 2, direct: 4 },
          byTransport: { polling: 6 },
          firstLoads: 1,
        }),
        row({ minute: '2026-01-01T09:59:00.000Z', samples: 1, peak: 1, totalSum: 1, bySite: { direct: 1 } }),
      ],
      10,
    );
    expect(buckets.map((b) => b.at)).toEqual(['2026-01-01T09:59:00.000Z', '2026-01-01T10:00:00.000Z']);
    expect(buckets[1]).toEqual({
      at: '2026-01-01T10:00:00.000Z',
      readers: 5,
      peak: 5,
      average: 4,
      bySite: { 'https://a.example': 3, direct: 2 },
      byTransport: { polling: 3, websocket: 2 },
      firstLoads: 3,
    });
  });

  it('folds everything past the top N into "other"', () => {
    expect(topN({ a: 5, b: 3, c: 1, other: 1 }, 2)).toEqual({ a: 5, b: 3, other: 2 });
  });

  it('checks the query window and aligns minutes', () => {
    expect(minuteOf(Date.parse('2026-01-01T10:00:59.999Z'))).toBe('2026-01-01T10:00:00.000Z');
    expect(audienceWindow({}, Date.parse('2026-01-01T10:00:00Z'))).toEqual({
      from: '2026-01-01T09:00:00.000Z',
      to: '2026-01-01T10:00:00.000Z',
    });
    expect(typeof audienceWindow({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 0)).toBe('string');
    expect(typeof audienceWindow({ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 0)).toBe('string');
  });
});

describe('question text', () => {
  it('is plain text: markup and scripts dropped, entities decoded, bounded', () => {
    expect(cleanQuestionText('<script>x()</script><p>Is it <b>open</b> &amp; safe?</p>', 500)).toBe(
      'Is it open & safe?',
    );
    expect(cleanQuestionText('<img src=x onerror=alert(1)>', 500)).toEqual({ error: expect.any(String) });
    expect(cleanQuestionText('q'.repeat(501), 500)).toEqual({ error: 'must be at most 500 characters' });
  });
});

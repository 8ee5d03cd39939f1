import { describe, expect, test } from 'vitest';
import { DomainError } from '../../src/domain/index.js';
import {
  applyWorkflowPatch,
  CorrectionInput,
  checkPublishAt,
  createStatus,
  directionOf,
  dueForPublication,
  Language,
  MAX_TAGS,
  normaliseTag,
  PublishAtInput,
  planTransition,
  Tag,
  Tags,
  type WorkflowCurrent,
} from '../../src/domain/workflow/index.js';

const NOW = '2026-12-01T10:00:00.000Z';
const inMs = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
const editor = { id: 'ed', name: 'Editor' };

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not-a-domain-error';
  }
}

const base: WorkflowCurrent = {
  status: 'draft',
  publishAt: null,
  tags: [],
  correction: null,
  approvedBy: null,
  review: null,
};

describe('tags', () => {
  test('normalised: case, spacing, Unicode form; duplicates merged in order', () => {
    expect(normaliseTag('  Red   Cards ')).toBe('red cards');
    expect(Tags.parse(['Goals', 'goals', ' GOALS', 'Cafe\u0301', 'café'])).toEqual(['goals', 'café']);
    expect(Tag.parse('Ölpreis')).toBe('ölpreis');
    expect(Tag.parse('東京')).toBe('東京');
    expect(Tag.parse('tab\there')).toBe('tab here');
  });

  test('bounded count and length; markup and punctuation refused', () => {
    expect(Tags.safeParse(Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`)).success).toBe(true);
    expect(Tags.safeParse(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`)).success).toBe(false);
    expect(Tag.safeParse('x'.repeat(40)).success).toBe(true);
    expect(Tag.safeParse('x'.repeat(41)).success).toBe(false);
    for (const bad of ['<b>x</b>', 'a&b', '"q"', '', '   ', '-lead', 'nul\u0000', 'a\u202eb']) {
      expect(Tag.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('publishAt', () => {
  test('input takes any offset and stores UTC', () => {
    expect(PublishAtInput.parse('2026-12-01T12:00:00+01:00')).toBe('2026-12-01T11:00:00.000Z');
    expect(PublishAtInput.safeParse('2026-12-01 12:00').success).toBe(false);
    expect(PublishAtInput.safeParse('tomorrow').success).toBe(false);
  });

  test('future, not absurdly far, never on a published post', () => {
    expect(checkPublishAt(inMs(60_000), NOW)).toBe(inMs(60_000));
    expect(codeOf(() => checkPublishAt(inMs(-1), NOW))).toBe('validation_failed');
    expect(codeOf(() => checkPublishAt(NOW, NOW))).toBe('validation_failed');
    expect(codeOf(() => checkPublishAt(inMs(400 * 86_400_000), NOW))).toBe('validation_failed');
    expect(codeOf(() => checkPublishAt(inMs(60_000), NOW, 'published'))).toBe('validation_failed');
  });

  test('create: publishAt means scheduled and cannot be combined with draft or submitted', () => {
    expect(createStatus({}, NOW)).toEqual({ status: 'published', publishAt: null });
    expect(createStatus({ publishAt: inMs(5000) }, NOW)).toEqual({ status: 'scheduled', publishAt: inMs(5000) });
    expect(codeOf(() => createStatus({ publishAt: inMs(5000), status: 'draft' }, NOW))).toBe('validation_failed');
  });

  test('the scheduler publishes only due scheduled posts', () => {
    expect(dueForPublication({ status: 'scheduled', publishAt: NOW }, NOW)).toBe(true);
    expect(dueForPublication({ status: 'scheduled', publishAt: inMs(1) }, NOW)).toBe(false);
    expect(dueForPublication({ status: 'draft', publishAt: NOW }, NOW)).toBe(false);
  });
});

describe('transitions and who may make them', () => {
  test('contributors submit and withdraw their own work; nothing they do needs more than post.draft', () => {
    expect(planTransition('draft', 'submitted', true).needs).toEqual(['post.draft']);
    expect(planTransition('submitted', 'draft', true)).toMatchObject({ needs: ['post.draft'], isReturn: false });
  });

  test('publishing, scheduling, approving and returning need post.publish', () => {
    for (const [from, to] of [
      ['draft', 'published'],
      ['draft', 'scheduled'],
      ['submitted', 'published'],
      ['submitted', 'scheduled'],
      ['scheduled', 'published'],
      ['scheduled', 'draft'],
    ] as const) {
      expect(planTransition(from, to, true).needs, `${from}>${to}`).toContain('post.publish');
    }
    expect(planTransition('submitted', 'draft', false)).toMatchObject({ needs: ['post.publish'], isReturn: true });
    expect(planTransition('submitted', 'published', false).isApproval).toBe(true);
    expect(planTransition('submitted', 'published', true).isApproval).toBe(false);
  });

  test('impossible moves are conflicts; scheduling a published post is a validation error', () => {
    expect(codeOf(() => planTransition('published', 'submitted', true))).toBe('conflict');
    expect(codeOf(() => planTransition('scheduled', 'submitted', true))).toBe('conflict');
    expect(codeOf(() => planTransition('published', 'scheduled', true))).toBe('validation_failed');
  });

  test('a return needs a note, is recorded with who and when, and is cleared on resubmission', () => {
    const submitted = { ...base, status: 'submitted' as const };
    const opts = { byAuthor: false, actor: editor, now: NOW };
    expect(codeOf(() => applyWorkflowPatch(submitted, { status: 'draft' }, opts))).toBe('validation_failed');
    const returned = applyWorkflowPatch(submitted, { status: 'draft', note: 'Source?' }, opts).next;
    expect(returned).toMatchObject({ status: 'draft', review: { note: 'Source?', by: editor, at: NOW } });
    const again = applyWorkflowPatch(returned, { status: 'submitted' }, { ...opts, byAuthor: true }).next;
    expect(again.review).toBeNull();
    expect(codeOf(() => applyWorkflowPatch(base, { note: 'x' }, opts))).toBe('validation_failed');
  });

  test('approval is attributed to the editor; the author stays the author', () => {
    const out = applyWorkflowPatch(
      { ...base, status: 'submitted' },
      { status: 'published' },
      { byAuthor: false, actor: editor, now: NOW },
    );
    expect(out.next).toMatchObject({ status: 'published', approvedBy: editor });
  });

  test('scheduling, rescheduling and cancelling', () => {
    const opts = { byAuthor: true, actor: editor, now: NOW };
    const s = applyWorkflowPatch(base, { publishAt: inMs(10_000) }, opts).next;
    expect(s).toMatchObject({ status: 'scheduled', publishAt: inMs(10_000) });
    const r = applyWorkflowPatch(s, { publishAt: inMs(20_000) }, opts).next;
    expect(r.publishAt).toBe(inMs(20_000));
    const c = applyWorkflowPatch(r, { publishAt: null }, opts).next;
    expect(c).toMatchObject({ status: 'draft', publishAt: null });
    const now = applyWorkflowPatch(r, { status: 'published' }, opts).next;
    expect(now).toMatchObject({ status: 'published', publishAt: null });
    expect(codeOf(() => applyWorkflowPatch({ ...base, status: 'published' }, { publishAt: inMs(10_000) }, opts))).toBe(
      'validation_failed',
    );
  });

  test('corrections only on published posts, with the server time', () => {
    const opts = { byAuthor: true, actor: editor, now: NOW };
    const pub = { ...base, status: 'published' as const };
    const note = CorrectionInput.parse({ note: '  An earlier version gave the wrong score. ' });
    expect(applyWorkflowPatch(pub, { correction: note }, opts).next.correction).toEqual({
      note: 'An earlier version gave the wrong score.',
      at: NOW,
    });
    expect(codeOf(() => applyWorkflowPatch(base, { correction: { note: 'x' } }, opts))).toBe('validation_failed');
    expect(CorrectionInput.safeParse({ note: '   ' }).success).toBe(false);
    expect(CorrectionInput.safeParse({ note: 'x'.repeat(501) }).success).toBe(false);
  });
});

describe('language', () => {
  test('BCP 47, canonicalised; junk refused', () => {
    expect(Language.parse('EN-gb')).toBe('en-GB');
    expect(Language.parse('zh-hant-tw')).toBe('zh-Hant-TW');
    for (const bad of ['english', 'e', '12', 'en_US!', 'x'.repeat(36)])
      expect(Language.safeParse(bad).success, bad).toBe(false);
  });

  test('direction: Arabic, Hebrew, Persian, Urdu right to left; an explicit script wins', () => {
    for (const l of ['ar', 'ar-EG', 'he', 'fa', 'ur']) expect(directionOf(l), l).toBe('rtl');
    for (const l of ['en', 'de', 'ja', 'ru', 'az-Latn']) expect(directionOf(l), l).toBe('ltr');
    expect(directionOf('az-Arab')).toBe('rtl');
  });
});

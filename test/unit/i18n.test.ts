import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOGUES, catalogueFor, messagesFor, type PluralCategory } from '../../src/domain/i18n/index.js';

const MESSAGES_DIR = join(import.meta.dirname, '../../src/domain/i18n/messages');
const SHIPPED = ['en', 'de', 'fr', 'es', 'ru', 'ar', 'ja'];

describe('message catalogues', () => {
  test('the seven shipped languages, and every file in messages/ is registered', () => {
    const files = readdirSync(MESSAGES_DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(CATALOGUES.map((c) => c.lang).sort()).toEqual(files);
    for (const l of SHIPPED) expect(files).toContain(l);
  });

  test('every catalogue has every word, none empty, the same placeholders as English', () => {
    const en = catalogueFor('en') as unknown as Record<string, unknown>;
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const cat of CATALOGUES) {
      const c = cat as unknown as Record<string, unknown>;
      expect(Object.keys(c).sort(), cat.lang).toEqual(Object.keys(en).sort());
      for (const [key, value] of Object.entries(c)) {
        if (typeof value === 'string') {
          expect(value.trim(), `${cat.lang}.${key}`).not.toBe('');
          expect(placeholders(value), `${cat.lang}.${key}`).toEqual(placeholders(en[key] as string));
        }
      }
    }
  });

  test('counted phrases cover every plural category the language uses', () => {
    for (const cat of CATALOGUES) {
      const cats = new Intl.PluralRules(cat.lang).resolvedOptions().pluralCategories as PluralCategory[];
      for (const key of ['newUpdates', 'readers', 'votes'] as const) {
        for (const k of cats) {
          // 'many' in French/Spanish (a million) and Arabic 'zero' may reuse 'other'; the rest must be there.
          if (k === 'other' || k === 'many' || k === 'zero') continue;
          expect(cat[key][k], `${cat.lang}.${key}.${k}`).toBeDefined();
        }
      }
    }
  });
});

describe('messagesFor', () => {
  test('plural rules per language', () => {
    expect(messagesFor('en').count('newUpdates', 1)).toBe('1 new update');
    expect(messagesFor('en').count('newUpdates', 2)).toBe('2 new updates');
    const ru = messagesFor('ru');
    expect(ru.count('newUpdates', 1)).toBe('1 новое обновление');
    expect(ru.count('newUpdates', 3)).toBe('3 новых обновления');
    expect(ru.count('newUpdates', 5)).toBe('5 новых обновлений');
    expect(ru.count('newUpdates', 21)).toBe('21 новое обновление');
    const ar = messagesFor('ar');
    expect(ar.count('newUpdates', 2)).toBe('تحديثان جديدان');
    expect(ar.count('newUpdates', 11)).toContain('تحديثًا');
    expect(messagesFor('ja').count('newUpdates', 4)).toBe('新しい更新が4件');
    expect(messagesFor('fr').count('newUpdates', 0)).toBe('0 nouvelle mise à jour');
  });

  test('regional tags fall back to the language, unknown ones to English; lang and dir follow the blog', () => {
    const at = messagesFor('de-AT');
    expect(at.lang).toBe('de-AT');
    expect(at.text('whatWeKnow')).toBe('Was wir bisher wissen');
    const he = messagesFor('he');
    expect(he).toMatchObject({ lang: 'he', dir: 'rtl' });
    expect(he.text('live')).toBe('Live');
    expect(messagesFor('ar').dir).toBe('rtl');
    expect(messagesFor(null)).toMatchObject({ lang: 'en', dir: 'ltr' });
    expect(messagesFor('not a tag').lang).toBe('en');
  });

  test('the words the issue names, in every language', () => {
    for (const l of SHIPPED) {
      const m = messagesFor(l);
      for (const k of ['whatWeKnow', 'loadMore', 'pinned', 'keyEvent', 'live', 'corrected', 'ended'] as const) {
        expect(m.text(k).length, `${l}.${k}`).toBeGreaterThan(0);
      }
      expect(m.text('endedAt', { time: '18:00' })).toContain('18:00');
      expect(m.count('newUpdates', 7)).toMatch(/7|٧/);
    }
  });
});

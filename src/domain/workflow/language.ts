import { z } from 'zod';

/**
 * A blog's language as a BCP 47 tag ("en", "de-AT", "zh-Hant-TW"), canonicalised by the
 * platform's own parser (Intl.getCanonicalLocales: "EN-gb" → "en-GB"), so there is one
 * spelling per language and anything else (private junk, "english") is refused.
 */
export const DEFAULT_LANGUAGE = 'en';

export function canonicalLanguage(tag: string): string | null {
  // The grammar allows 5–8 letter primary subtags, but none is registered: "english" is a mistake.
  if (!/^[A-Za-z]{2,3}(?:-|$)/.test(tag.trim())) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag.trim());
    return canonical ?? null;
  } catch {
    return null;
  }
}

export const Language = z
  .string()
  .min(2)
  .max(35)
  .transform((s, ctx) => {
    const c = canonicalLanguage(s);
    if (!c) {
      ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en, de-AT or ar' });
      return z.NEVER;
    }
    return c;
  });
export type Language = z.infer<typeof Language>;

/** Scripts written right to left, by primary language subtag (the page's and widget's `dir`). */
const RTL_LANGUAGES = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm']);

/** `rtl` or `ltr` for a language tag; an explicit script subtag wins ("az-Arab" is rtl). */
export function directionOf(tag: string): 'rtl' | 'ltr' {
  const parts = (canonicalLanguage(tag) ?? DEFAULT_LANGUAGE).split('-');
  const script = parts.slice(1).find((p) => /^[A-Z][a-z]{3}$/.test(p));
  if (script) return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
  return RTL_LANGUAGES.has(parts[0] ?? '') ? 'rtl' : 'ltr';
}

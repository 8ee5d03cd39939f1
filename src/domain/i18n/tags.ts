/**
 * Language tags without zod (the widget bundles this file): canonical spelling and the
 * writing direction. The zod schema that validates input is workflow/language.ts.
 */
export const DEFAULT_LANGUAGE = 'en';

/** The canonical BCP 47 spelling ("EN-gb" → "en-GB"), or null for something that is not a tag. */
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

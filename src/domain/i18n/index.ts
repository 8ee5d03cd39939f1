import type { Catalogue, PluralCategory, PluralKey, TextKey } from './catalogue.js';
import { CATALOGUES } from './catalogues.js';
import { canonicalLanguage, DEFAULT_LANGUAGE, directionOf } from './tags.js';

export type { Catalogue, MessageKey, Plural, PluralCategory, PluralKey, TextKey } from './catalogue.js';
export { CATALOGUES } from './catalogues.js';

const byTag = new Map(CATALOGUES.map((c) => [c.lang.toLowerCase(), c]));
// en is always shipped (catalogues.ts), so this lookup cannot miss.
const english = byTag.get(DEFAULT_LANGUAGE) as Catalogue;

/** The catalogue for a tag: exact, then less specific ("de-AT" → "de"), then English. */
export function catalogueFor(tag: string): Catalogue {
  const parts = (canonicalLanguage(tag) ?? DEFAULT_LANGUAGE).toLowerCase().split('-');
  for (let n = parts.length; n > 0; n--) {
    const hit = byTag.get(parts.slice(0, n).join('-'));
    if (hit) return hit;
  }
  return english;
}

export interface Messages {
  /** The blog's own language tag (for `lang`), not the catalogue's: "de-AT" stays "de-AT". */
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  text(key: TextKey, vars?: Record<string, string>): string;
  /** A counted phrase with the language's plural rule (Intl.PluralRules) and number format. */
  count(key: PluralKey, n: number): string;
}

const fill = (template: string, vars: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);

/** The words for a blog's language. Cheap: formatters are made once per call, reuse the result. */
export function messagesFor(language: string | undefined | null): Messages {
  const lang = canonicalLanguage(language ?? '') ?? DEFAULT_LANGUAGE;
  const cat = catalogueFor(lang);
  const rules = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);
  return {
    lang,
    dir: directionOf(lang),
    text: (key, vars = {}) => fill(cat[key], vars),
    count: (key, n) => {
      const forms = cat[key];
      const category = rules.select(n) as PluralCategory;
      // Exact zero/one/two forms are only used when the rule itself picks them.
      const template = forms[category] ?? forms.other;
      return fill(template, { n: numbers.format(n) });
    },
  };
}

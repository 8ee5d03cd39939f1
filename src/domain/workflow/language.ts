import { z } from 'zod';
import { canonicalLanguage } from '../i18n/tags.js';

export { canonicalLanguage, DEFAULT_LANGUAGE, directionOf } from '../i18n/tags.js';

/**
 * A blog's language as a BCP 47 tag ("en", "de-AT", "zh-Hant-TW"), canonicalised by the
 * platform's own parser (Intl.getCanonicalLocales), so there is one spelling per language
 * and anything else ("english", "e") is refused.
 */
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

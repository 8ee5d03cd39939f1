import type { Catalogue } from './catalogue.js';
import ar from './messages/ar.js';
import de from './messages/de.js';
import en from './messages/en.js';
import es from './messages/es.js';
import fr from './messages/fr.js';
import ja from './messages/ja.js';
import ru from './messages/ru.js';

/**
 * Every shipped catalogue. A new language is its file in messages/ plus its line here
 * (test/unit/i18n.test.ts fails when a file in messages/ is not listed).
 */
export const CATALOGUES: readonly Catalogue[] = [en, de, fr, es, ru, ar, ja];

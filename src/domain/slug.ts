import { Slug } from './blog.js';

/** Letters that Unicode decomposition does not reduce to ASCII but that have a usual spelling. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
};

export const SLUG_MAX = 80;

const defaultRandom = (): string => {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
};

/**
 * A URL slug for a title: accents folded (é → e, ß → ss), anything else that is not a
 * letter or digit becomes a hyphen, at most 80 characters, cut on a word boundary. A title
 * with no Latin letters or digits left (e.g. only CJK or emoji) gets `blog-<random>`.
 */
export function slugify(title: string, random: () => string = defaultRandom): string {
  const folded = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{ASCII}]/gu, (ch) => TRANSLITERATIONS[ch] ?? ' ');
  let slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > SLUG_MAX) {
    const cut = slug.slice(0, SLUG_MAX + 1);
    const lastHyphen = cut.lastIndexOf('-');
    slug = (lastHyphen > SLUG_MAX / 2 ? cut.slice(0, lastHyphen) : cut.slice(0, SLUG_MAX)).replace(/-+$/, '');
  }
  if (!slug) slug = `blog-${random()}`;
  return Slug.parse(slug);
}

/** The slug with a random suffix, still within the length limit: used when the plain one is taken. */
export function withSuffix(slug: string, random: () => string = defaultRandom): string {
  const suffix = `-${random()}`;
  return `${slug.slice(0, SLUG_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}

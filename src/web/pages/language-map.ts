import type { LanguageMap } from '../../packages/index.js';

/** One value of a language map, and the tag to put in a `lang` attribute (null when it is the page's language or unknown). */
export interface Localized {
  readonly text: string;
  readonly lang: string | null;
}

const primary = (tag: string) => tag.toLowerCase().split('-')[0];

/**
 * The value of a language map (package titles and descriptions, statement names) for a reader of `language`:
 * that language exactly, then any variant of it (`en-GB` for `en`), then the undetermined `und`, then English,
 * then the first value. `lang` marks text in another language than the page's (WCAG 2.1 §3.1.2, language of parts).
 */
export function localized(map: Readonly<LanguageMap> | undefined, language: string): Localized | null {
  if (!map) return null;
  const entries = Object.entries(map).filter(([, text]) => typeof text === 'string' && text.trim() !== '');
  if (entries.length === 0) return null;
  const wanted = language.toLowerCase();
  const found =
    entries.find(([tag]) => tag.toLowerCase() === wanted) ??
    entries.find(([tag]) => primary(tag) === primary(wanted)) ??
    entries.find(([tag]) => tag.toLowerCase() === 'und') ??
    entries.find(([tag]) => primary(tag) === 'en') ??
    entries[0];
  const [tag, text] = found;
  return { text, lang: tag.toLowerCase() === 'und' || primary(tag) === primary(language) ? null : tag };
}

/** Like `localized`, for a title that must show something: `fallback` (a slug, an identifier) when the map is empty. */
export function localizedTitle(map: Readonly<LanguageMap> | undefined, language: string, fallback: string): Localized {
  return localized(map, language) ?? { text: fallback, lang: null };
}

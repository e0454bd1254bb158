/**
 * The little we read from IEEE LOM metadata (SCORM 2004 `lom`, SCORM 1.2 IMS MD 1.2.1
 * `imsmd:lom`), inline or in the external file named by `adlcp:location`: title,
 * description, languages and keywords. Elements are matched by local name so both
 * bindings work.
 */
import type { LanguageMap } from './course-model.js';
import { XML_NAMESPACE, childrenNamed, trimmedText, type XmlElement } from './xml.js';

export interface LomSummary {
  readonly title?: LanguageMap;
  readonly description?: LanguageMap;
  readonly languages: string[];
  readonly keywords: LanguageMap[];
}

/** `und` when a string has no language (RFC 5646 "undetermined"). */
export const UNDETERMINED = 'und';

/**
 * Language tags are case-insensitive (RFC 5646 §2.1.1); packages write `en-us` and `en-US`
 * for the same language, so map keys use the conventional casing: `en-US`, `zh-Hant-TW`.
 */
export function canonicalLanguageTag(tag: string): string {
  return tag
    .trim()
    .split('-')
    .map((part, index) => {
      if (index === 0) return part.toLowerCase();
      if (part.length === 2) return part.toUpperCase();
      if (part.length === 4 && /^[A-Za-z]+$/.test(part)) return part[0]?.toUpperCase() + part.slice(1).toLowerCase();
      return part.toLowerCase();
    })
    .join('-');
}

/** The language of a langstring: `language` (LOM), `lang` in any case (tincan, cmi5) or `xml:lang`; `und` when none. */
export function languageOf(element: XmlElement): string {
  const attr = element.attributes.find(
    (a) => (a.name === 'language' && a.namespace === '') || (a.name.toLowerCase() === 'lang' && (a.namespace === XML_NAMESPACE || a.namespace === '')),
  );
  const value = attr?.value.trim();
  return value === undefined || value === '' ? UNDETERMINED : canonicalLanguageTag(value);
}

/** A LOM langstring container (`<title><string language="en">…`, or `<langstring xml:lang>` in IMS MD 1.2). */
export function lomLanguageMap(container: XmlElement | undefined): LanguageMap | undefined {
  if (container === undefined) return undefined;
  const strings = [...childrenNamed(container, 'string'), ...childrenNamed(container, 'langstring')];
  const map: LanguageMap = {};
  for (const s of strings) {
    const text = trimmedText(s).replace(/\s+/g, ' ');
    if (text !== '' && map[languageOf(s)] === undefined) map[languageOf(s)] = text;
  }
  if (strings.length === 0 && trimmedText(container) !== '') map[UNDETERMINED] = trimmedText(container);
  return Object.keys(map).length > 0 ? map : undefined;
}

/** Reads a `lom` element (or any element holding one). */
export function readLom(element: XmlElement): LomSummary {
  const lom = element.name === 'lom' ? element : childrenNamed(element, 'lom')[0];
  if (lom === undefined) return { languages: [], keywords: [] };
  const general = childrenNamed(lom, 'general')[0];
  if (general === undefined) return { languages: [], keywords: [] };
  const title = lomLanguageMap(childrenNamed(general, 'title')[0]);
  const description = lomLanguageMap(childrenNamed(general, 'description')[0]);
  const languages = childrenNamed(general, 'language').map((l) => trimmedText(l)).filter((l) => l !== '');
  const keywords = childrenNamed(general, 'keyword')
    .map((k) => lomLanguageMap(k))
    .filter((k): k is LanguageMap => k !== undefined);
  return { ...(title ? { title } : {}), ...(description ? { description } : {}), languages, keywords };
}

/** De-duplicated languages (canonical casing) from explicit declarations and the keys of language maps. */
export function collectLanguages(declared: readonly string[], ...maps: (LanguageMap | undefined)[]): string[] {
  const out = new Set<string>();
  for (const l of declared) if (l !== "" && l !== UNDETERMINED) out.add(canonicalLanguageTag(l));
  for (const map of maps) for (const key of Object.keys(map ?? {})) if (key !== UNDETERMINED) out.add(canonicalLanguageTag(key));
  return [...out];
}

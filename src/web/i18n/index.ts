import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../../shared/json-schema.js';

/**
 * The message catalogues: one flat JSON file per language under `src/web/i18n/`, keys shared, `{name}` for
 * parameters. To add a language, add its file and a line here (`dir: 'rtl'` for Arabic); missing keys fall back to
 * English, so a catalogue can be translated a piece at a time.
 */
type Messages = Readonly<Record<string, string>>;

const load = (language: string): Messages =>
  JSON.parse(readFileSync(join(findRepoRoot(), 'src', 'web', 'i18n', `${language}.json`), 'utf8')) as Messages;

const catalogues: Readonly<Record<string, { readonly dir: 'ltr' | 'rtl'; readonly messages: Messages }>> = {
  en: { dir: 'ltr', messages: load('en') },
  // fr: { dir: 'ltr', messages: load('fr') },
  // es: { dir: 'ltr', messages: load('es') },
  // ar: { dir: 'rtl', messages: load('ar') },
};

export const defaultLanguage = 'en';
export const languages: readonly string[] = Object.keys(catalogues);

export type Params = Readonly<Record<string, string | number>>;

export interface Translator {
  readonly lang: string;
  readonly dir: 'ltr' | 'rtl';
  t(key: string, params?: Params): string;
  has(key: string): boolean;
  /** A country's name in this language, from its ISO code (CLDR through Intl). */
  country(code: string): string;
}

const interpolate = (text: string, params: Params = {}) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));

/** The catalogue language closest to the user's preference, then to Accept-Language, else English. */
export function pickLanguage(preferred: string | null | undefined, acceptLanguage: string | undefined): string {
  const candidates = [
    ...(preferred ? [preferred] : []),
    ...(acceptLanguage ?? '')
      .split(',')
      .map((part) => {
        const [tag, ...rest] = part.trim().split(';');
        const q = rest.find((r) => r.trim().startsWith('q='));
        return { tag: tag.trim(), q: q ? Number(q.trim().slice(2)) : 1 };
      })
      .filter((c) => c.tag && c.q > 0)
      .sort((a, b) => b.q - a.q)
      .map((c) => c.tag),
  ];
  for (const tag of candidates) {
    const base = tag.toLowerCase().split('-')[0];
    if (Object.hasOwn(catalogues, base)) return base;
  }
  return defaultLanguage;
}

export function translator(language: string): Translator {
  const lang = Object.hasOwn(catalogues, language) ? language : defaultLanguage;
  const { dir, messages } = catalogues[lang];
  const fallback = catalogues[defaultLanguage].messages;
  let regions: Intl.DisplayNames | undefined;
  return {
    lang,
    dir,
    t: (key, params) => interpolate(messages[key] ?? fallback[key] ?? key, params),
    has: (key) => Object.hasOwn(messages, key) || Object.hasOwn(fallback, key),
    country(code) {
      regions ??= new Intl.DisplayNames([lang], { type: 'region' });
      return regions.of(code) ?? code;
    },
  };
}

/** For the access context's mail: text in the recipient's language. */
export const translate = (language: string, key: string, params?: Params): string => translator(language).t(key, params);

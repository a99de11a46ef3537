import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en.js';
import { id } from './id.js';

/** The page's languages: Bahasa Indonesia by default, English on the header's switch. */
export type Lang = 'id' | 'en';
export const LANGS: readonly Lang[] = ['id', 'en'];

/** Every message key, as the Indonesian catalogue defines them. */
export type MessageKey = keyof typeof id;
/** A catalogue: a text for every key, `{name}` marking where a value goes. */
export type Catalogue = { readonly [K in MessageKey]: string };

/** The `{placeholders}` of a message, from its Indonesian text. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;
export type MessageParams<K extends MessageKey> = Placeholders<(typeof id)[K]>;

/** `t('onlineCount', { n: 3 })`: a message with its values; a message without placeholders takes none. */
export type Translate = <K extends MessageKey>(
  key: K,
  ...params: [MessageParams<K>] extends [never] ? [] : [Readonly<Record<MessageParams<K>, string | number>>]
) => string;

export const CATALOGUES: Readonly<Record<Lang, Catalogue>> = { id, en };

/**
 * Dates and times: Indonesian (`Jumat, 4 Desember 2026`) or British English (day first, as
 * Indonesia writes dates). Numbers keep Indonesian notation in both languages (format.ts).
 */
export const DATE_LOCALES: Readonly<Record<Lang, string>> = { id: 'id-ID', en: 'en-GB' };

/** Each language's own name, shown in that language on the switch. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { id: 'Bahasa Indonesia', en: 'English' };

export function translator(lang: Lang): Translate {
  const catalogue = CATALOGUES[lang];
  return (key, ...params) => {
    const values: Readonly<Record<string, string | number>> = params[0] ?? {};
    return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  };
}

/** Remembered in localStorage (across tabs and visits); storage can be disabled, the page then starts in Indonesian. */
const STORAGE_KEY = 'energy-dashboard.lang';

export function loadLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === 'en' || saved === 'id' ? saved : 'id';
  } catch {
    return 'id';
  }
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered: the switch still works until the page is reloaded.
  }
}

export interface I18n {
  readonly lang: Lang;
  readonly t: Translate;
  /** For Intl.DateTimeFormat: dates in the chosen language. */
  readonly dateLocale: string;
  /** The header's switch: shows the page in `lang` and remembers it. */
  readonly setLang: (lang: Lang) => void;
}

export function i18nFor(lang: Lang, setLang: (lang: Lang) => void): I18n {
  return { lang, t: translator(lang), dateLocale: DATE_LOCALES[lang], setLang };
}

export const I18nContext = createContext<I18n>(i18nFor('id', () => undefined));

/** The chosen language's messages and date locale. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}

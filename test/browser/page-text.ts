import type { Page } from 'playwright-core';
import { CATALOGUES, DATE_LOCALES, LANG_NAMES, type Lang } from '../../web/src/i18n/i18n.js';

/**
 * Finds text a page shows that its language's message catalogue did not produce: a hard-coded
 * English label on the Indonesian page, an Indonesian one left on the English page.
 *
 * Every text node under <body> and every aria-label, title, placeholder and alt (and the tab's
 * title) is split into words (letters only, so numbers, Rupiah and kWh figures fall away). A word
 * must be one of the catalogue's (placeholders removed), the language's own name, a month or weekday name or other word of
 * the language's date formats, a unit, or a name the API gave (panel names and ids, the site's
 * zone). Skipped: code (<code>, commands and topics read the same in every language) and content
 * marked as another language with `lang` (the language switch's "English"; the API's own error
 * text, quoted). Text from one language's page is never in the other's vocabulary unless the two
 * catalogues share the word.
 */
export async function untranslated(page: Page, names: readonly string[] = []): Promise<string[]> {
  const { lang, texts } = await pageTexts(page);
  if (lang !== 'id' && lang !== 'en') return [`<html lang="${lang}">: not a language of the page`];
  const known = vocabulary(lang, names);
  return texts.flatMap((text) => {
    const unknown = words(text).filter((word) => !known.has(word));
    return unknown.length > 0 ? [`${JSON.stringify(text)}: ${unknown.join(', ')}`] : [];
  });
}

/** Units and abbreviations that read the same in both languages. */
const UNITS = ['kwh', 'kw', 'kva', 'kvarh', 'a', 'v', 'rp', 'wib', 'wita', 'wit', 'utc'];

function words(text: string): string[] {
  return (text.match(/\p{L}+/gu) ?? []).map((word) => word.toLowerCase());
}

export function vocabulary(lang: Lang, names: readonly string[]): Set<string> {
  const known = new Set<string>(UNITS);
  const add = (text: string) => words(text).forEach((word) => known.add(word));
  Object.values(CATALOGUES[lang]).forEach((message) => add(message.replace(/\{\w+\}/g, ' ')));
  // The language switch names each language in itself.
  add(LANG_NAMES[lang]);
  names.forEach(add);
  // Month and weekday names, and whatever words the date formats put around them ("pukul").
  const locale = DATE_LOCALES[lang];
  const formats: Intl.DateTimeFormatOptions[] = [
    { dateStyle: 'full', timeStyle: 'short' },
    { weekday: 'short', day: 'numeric', month: 'short' },
    { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' },
    { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' },
    { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' },
  ];
  for (let day = 0; day < 366; day += 1) {
    const instant = Date.UTC(2026, 0, 1) + day * 86_400_000;
    for (const options of formats) add(new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options }).format(instant));
  }
  return known;
}

async function pageTexts(page: Page): Promise<{ lang: string; texts: string[] }> {
  return page.evaluate(() => {
    const lang = document.documentElement.lang;
    const skipped = (element: Element) =>
      element.closest('code, script, style, noscript, template') !== null || (element.closest('[lang]')?.getAttribute('lang') ?? lang) !== lang;
    const texts: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim();
      if (text && node.parentElement && !skipped(node.parentElement)) texts.push(text);
    }
    for (const element of Array.from(document.querySelectorAll('[aria-label], [title], [placeholder], [alt]'))) {
      if (skipped(element)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = element.getAttribute(name)?.trim();
        if (value) texts.push(value);
      }
    }
    return { lang, texts };
  });
}

import { z } from 'zod';

/**
 * Text people give the product (panel names, API key names, tariff plan labels), stored in the
 * admin record and shown on dashboards, in logs and in Excel exports. Refused: control characters
 * (C0, DEL, C1: they break log lines and CSV rows), line and paragraph separators, bidirectional
 * embeddings, overrides and isolates (they make one name display as another, "Trojan Source",
 * CVE-2021-42574) and unpaired surrogates (not text; UTF-8 cannot hold them). Any other Unicode,
 * emoji and right-to-left scripts included, is kept as given, trimmed.
 */
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

export const DISPLAY_TEXT_RULE = 'no control characters, line separators, bidirectional overrides or unpaired surrogates';

/** A trimmed display text of `min` to `max` UTF-16 units (the same rule on input and on reading back). */
export function displayText(max: number, min = 0) {
  return z
    .string()
    .trim()
    .min(min, min === 1 ? 'must not be empty' : `at least ${min} characters`)
    .max(max, `at most ${max} characters`)
    .refine((text) => !FORBIDDEN_CHARACTERS.test(text), DISPLAY_TEXT_RULE);
}

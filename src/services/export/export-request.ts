import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
import { parseIsoDate, type LocalTime } from '../../time/local-time.js';
import { UserInputError } from '../user-input-error.js';
import { CSV_DIALECTS } from './csv-dialect.js';

/**
 * What can be exported. `readings`: raw readings as stored; `history`: windows of `every` with
 * energy by the counting rule; `daily` and `monthly`: the summaries' rows; `bills`: one row per
 * monthly bill; `bill-lines`: one row per bill line. Columns: docs/export.md.
 */
export const EXPORT_KINDS = ['readings', 'history', 'daily', 'monthly', 'bills', 'bill-lines'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The longest period one export covers: a bound on its work, not on its memory (rows stream). */
export const MAX_EXPORT_YEARS = 10;
const MAX_EXPORT_MS = MAX_EXPORT_YEARS * 366 * 86_400_000;

/** An export as asked for, before it is checked against the caller's panels. */
export const exportRequestSchema = z.strictObject({
  kind: z.enum(EXPORT_KINDS),
  /** Absent: the whole building (the caller's panels). */
  panelId: z.string().min(1).max(200).optional(),
  /** A local date (`YYYY-MM-DD`: that day's local midnight) or an ISO 8601 instant with its offset. */
  from: z.string().max(40),
  /** Exclusive, in the same forms as `from`. */
  to: z.string().max(40),
  /** Window length for `history`: `15m`, `1h`, `1d`, … */
  every: z.string().max(20).optional(),
  format: z.enum(CSV_DIALECTS).default('csv'),
});
export type ExportRequestInput = z.input<typeof exportRequestSchema>;

/** A checked export: instants in ms, the window length for `history`. */
export interface ExportRequest {
  readonly kind: ExportKind;
  readonly panelId: string | null;
  readonly fromMs: number;
  readonly toMs: number;
  readonly everyMs: number | null;
  readonly every: string | null;
  readonly format: (typeof CSV_DIALECTS)[number];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses and checks an export's parameters; a UserInputError names what to fix. */
export function parseExportRequest(input: unknown, time: LocalTime): ExportRequest {
  const parsed = exportRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError('INVALID_EXPORT', `export: ${issue?.path.join('.') || 'parameters'}: ${issue?.message ?? 'invalid'}`);
  }
  const { kind, panelId, every, format } = parsed.data;
  const fromMs = instantOf(parsed.data.from, 'from', time);
  const toMs = instantOf(parsed.data.to, 'to', time);
  if (!(fromMs < toMs)) throw new UserInputError('INVALID_RANGE', 'export: "from" must be before "to"');
  if (toMs - fromMs > MAX_EXPORT_MS) throw new UserInputError('RANGE_TOO_LARGE', `export: at most ${MAX_EXPORT_YEARS} years at a time`, { maximum: `${MAX_EXPORT_YEARS} years` });
  let everyMs: number | null = null;
  if (kind === 'history') {
    everyMs = every === undefined ? null : parseDuration(every);
    if (everyMs === null || everyMs < 60_000 || everyMs > 366 * 86_400_000) {
      throw new UserInputError('INVALID_INTERVAL', 'export: history needs "every" between 1m and 366d (e.g. "15m", "1h", "1d")');
    }
  } else if (every !== undefined) {
    throw new UserInputError('INVALID_EXPORT', `export: "every" is only for history, not ${kind}`);
  }
  return { kind, panelId: panelId ?? null, fromMs, toMs, everyMs, every: kind === 'history' ? (every ?? null) : null, format };
}

function instantOf(text: string, name: string, time: LocalTime): number {
  const day = parseIsoDate(text);
  if (day !== null) return time.dayStart(day);
  if (INSTANT.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UserInputError('INVALID_EXPORT', `export: "${name}" must be a date (YYYY-MM-DD, local midnight) or an ISO 8601 instant with its offset, got "${text}"`);
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses durations like `500ms`, `30s`, `5m`, `1h`, `1d`; returns null for anything else. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const [, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
  const ms = Number(amount) * UNIT_MS[unit];
  // Past 2^53 ms (285,000 years) a duration is no longer a whole number of ms: refuse it.
  return Number.isFinite(ms) && ms > 0 && ms <= Number.MAX_SAFE_INTEGER ? Math.round(ms) : null;
}

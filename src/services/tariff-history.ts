import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { TariffPeriod } from '../models/usage.js';

const historyFile = z.array(z.object({ ratePerKwh: z.number().positive(), effectiveFrom: z.iso.datetime() }));

/**
 * Every rate the product has charged and since when, persisted under DATA_DIR. Changing
 * TARIFF_RP_PER_KWH adds a period starting at that start-up instead of repricing the past, so
 * last month's bill stays what it was and nothing is lost on restart.
 */
export class TariffHistory {
  private constructor(
    readonly periods: readonly TariffPeriod[],
    readonly file: string | null,
  ) {}

  /** In memory only (tests, tools): a single rate for all time. */
  static fixed(ratePerKwh: number): TariffHistory {
    return new TariffHistory([{ ratePerKwh, effectiveFrom: new Date(0) }], null);
  }

  /** Loads the history and, if the configured rate differs from the current one, appends it. */
  static open(file: string, configuredRate: number, now: Date = new Date()): TariffHistory {
    let periods: TariffPeriod[] = [];
    try {
      const parsed = historyFile.parse(JSON.parse(readFileSync(file, 'utf8')));
      periods = parsed.map((p) => ({ ratePerKwh: p.ratePerKwh, effectiveFrom: new Date(p.effectiveFrom) }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(`tariff history ${file} is unreadable; fix or remove it: ${(error as Error).message}`, { cause: error });
      }
    }
    const current = periods.at(-1);
    const changed = current?.ratePerKwh !== configuredRate;
    if (!current) periods = [{ ratePerKwh: configuredRate, effectiveFrom: new Date(0) }];
    else if (changed) periods.push({ ratePerKwh: configuredRate, effectiveFrom: now });
    if (changed) {
      mkdirSync(dirname(file), { recursive: true });
      const temp = `${file}.tmp`;
      writeFileSync(temp, JSON.stringify(periods.map((p) => ({ ...p, effectiveFrom: p.effectiveFrom.toISOString() })), null, 2));
      renameSync(temp, file);
    }
    return new TariffHistory(periods, file);
  }

  get currentRate(): number {
    return this.periods.at(-1)?.ratePerKwh ?? 0;
  }

  /**
   * The rate segments overlapping [from, to): each with its own sub-interval, so energy can be
   * priced at the rate in force when it was used.
   */
  segments(from: Date, to: Date): Array<{ from: Date; to: Date; ratePerKwh: number }> {
    const result: Array<{ from: Date; to: Date; ratePerKwh: number }> = [];
    this.periods.forEach((period, index) => {
      const start = index === 0 ? -Infinity : period.effectiveFrom.getTime();
      const next = this.periods[index + 1];
      const end = next ? next.effectiveFrom.getTime() : Infinity;
      const a = Math.max(start, from.getTime());
      const b = Math.min(end, to.getTime());
      if (a < b) result.push({ from: new Date(a), to: new Date(b), ratePerKwh: period.ratePerKwh });
    });
    return result;
  }
}

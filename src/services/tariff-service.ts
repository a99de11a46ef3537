import type { Tariff } from '../models/usage.js';
import type { TariffHistory } from './tariff-history.js';

/** The flat rate in force, its history, and the calendar it applies in. */
export class TariffService {
  constructor(
    private readonly history: TariffHistory,
    private readonly timezone: string,
  ) {}

  current(): Tariff {
    return { ratePerKwh: this.history.currentRate, currency: 'IDR', timezone: this.timezone, history: this.history.periods };
  }
}

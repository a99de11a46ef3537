import type { Tariff as TariffShape, TariffPeriod as TariffPeriodShape } from '../../models/usage.js';
import { builder } from '../builder.js';

const TariffPeriod = builder.objectRef<TariffPeriodShape>('TariffPeriod').implement({
  fields: (t) => ({
    ratePerKwh: t.exposeFloat('ratePerKwh'),
    effectiveFrom: t.expose('effectiveFrom', { type: 'DateTime' }),
  }),
});

const Tariff = builder.objectRef<TariffShape>('Tariff').implement({
  fields: (t) => ({
    ratePerKwh: t.exposeFloat('ratePerKwh', { description: 'Rupiah per kWh now.' }),
    currency: t.exposeString('currency'),
    timezone: t.exposeString('timezone', { description: 'The timezone days and months are counted in.' }),
    history: t.expose('history', {
      type: [TariffPeriod],
      description: 'Every rate and since when: past energy is priced at the rate in force when it was used.',
    }),
  }),
});

builder.queryField('tariff', (t) => t.field({ type: Tariff, resolve: (_root, _args, { services }) => services.tariff.current() }));

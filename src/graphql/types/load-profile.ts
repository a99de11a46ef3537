import { moneyAmount } from '../../models/money.js';
import type { EnergyCost as EnergyCostShape, HourAverage as HourAverageShape, LoadProfile as LoadProfileShape } from '../../models/insights.js';
import { builder } from '../builder.js';
import { Money } from './money.js';

const HourAverage = builder.objectRef<HourAverageShape>('HourAverage').implement({
  description: 'Average power in one local hour of the day over the days counted.',
  fields: (t) => ({
    hour: t.exposeInt('hour', { description: '0-23: the hour starting at HH:00 local time.' }),
    averageKw: t.exposeFloat('averageKw', { nullable: true, description: 'kWh counted in that hour per day counted (= average kW), 3 decimals; null when no day counted.' }),
    days: t.exposeInt('days', { description: 'Days counted: days of this kind with readings whose hour has ended.' }),
  }),
});

const EnergyCost = builder.objectRef<EnergyCostShape>('EnergyCost').implement({
  description: 'Energy and what it cost.',
  fields: (t) => ({
    energyKwh: t.exposeFloat('energyKwh', { description: 'kWh counted by the counting rule, 3 decimals.' }),
    cost: t.field({ type: Money, description: 'At the tariff in force when the energy was used, rounded to 2 decimals.', resolve: (e) => moneyAmount(e.cost) }),
  }),
});

export const LoadProfile = builder.objectRef<LoadProfileShape>('LoadProfile').implement({
  description: 'When a period\'s energy was used (docs/load-profile.md): per hour of day, at night, and outside operating hours.',
  fields: (t) => ({
    panelId: t.exposeID('panelId', { nullable: true, description: 'null: the whole building.' }),
    from: t.expose('from', { type: 'Date' }),
    to: t.expose('to', { type: 'Date', description: 'Included.' }),
    operatingHours: t.exposeString('operatingHours', { description: 'OPERATING_HOURS, e.g. "Mon,Tue,Wed,Thu,Fri 08:00-17:00".' }),
    holidays: t.expose('holidays', { type: ['Date'], description: 'Holidays (HOLIDAYS) in the period: counted with weekends.' }),
    weekdays: t.expose('weekdays', { type: [HourAverage], description: 'Working days (operating days that are not holidays): 24 hours.' }),
    weekendsAndHolidays: t.expose('weekendsAndHolidays', { type: [HourAverage], description: 'The other days (weekends and holidays): 24 hours.' }),
    baseLoadKw: t.exposeFloat('baseLoadKw', {
      nullable: true,
      description: 'Base load: the 10th percentile (nearest rank) of the complete 15-minute averages between 00:00 and 05:00 local, kW; null without any.',
    }),
    baseLoadWindows: t.exposeInt('baseLoadWindows', { description: 'How many complete night windows the base load is taken of (a count).' }),
    total: t.expose('total', { type: EnergyCost, description: 'The whole period up to now.' }),
    outsideHours: t.expose('outsideHours', { type: EnergyCost, description: 'Outside operating hours: the hours outside them on working days, and all of other days.' }),
    outsideShare: t.exposeFloat('outsideShare', { nullable: true, description: "outsideHours' share of the total energy, a unitless ratio 0-1 (4 decimals); null when nothing was used." }),
  }),
});

builder.queryFields((t) => ({
  loadProfile: t.field({
    type: LoadProfile,
    nullable: true,
    description: 'The load profile of the local days from `from` to `to` (both included, at most 366 days), for one panel or the whole building.',
    args: { from: t.arg({ type: 'Date', required: true }), to: t.arg({ type: 'Date', required: true }), panelId: t.arg.id({ required: false }) },
    resolve: (_root, { from, to, panelId }, { services, viewer }) => {
      const id = panelId == null ? null : String(panelId);
      return services.loadProfile.profile(services.panels.scope(id, viewer.panels), id, from, to);
    },
  }),
}));

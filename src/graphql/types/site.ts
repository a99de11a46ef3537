import { checkMonth, checkYear } from '../../services/energy/energy-service.js';
import { builder } from '../builder.js';
import { BillProjection, Bill } from './bill.js';
import { PeakDemand } from './demand.js';
import { EmissionFactors } from './emissions.js';
import { LoadProfile } from './load-profile.js';
import { Currency } from './money.js';
import { globalId, Node, registerNode } from './node.js';
import { Overview } from './overview.js';
import { Tariff } from './tariff.js';
import { MonthlySummary, YearlySummary } from './usage.js';

/**
 * The site: what there is one of per installation (its timezone, tariff, the building's overview,
 * bills and summaries) under one object instead of the root, so a later multi-site product adds
 * `sites` beside `site` without breaking a query. Its figures are the building's as the caller sees
 * it (the caller's panels when limited); one panel's are on the root fields with panelId.
 */
interface SiteShape {
  readonly key: string;
}

/** The one site of this installation (its key in global ids). */
const THIS_SITE: SiteShape = { key: 'default' };

const Site = builder.objectRef<SiteShape>('Site').implement({
  description: 'The installation: its timezone, tariff and the building-level figures (every panel the caller sees).',
  interfaces: [Node],
  fields: (t) => ({
    id: t.id({ description: 'The global id (Node).', resolve: (site) => globalId('Site', site.key) }),
    timezone: t.string({ description: 'The IANA timezone days, months and tariff hours are counted in (SITE_TIMEZONE).', resolve: (_site, _args, { services }) => services.tariff.current().timezone }),
    currency: t.field({ type: Currency, description: 'The currency of every amount.', resolve: () => 'IDR' as const }),
    overview: t.field({ type: Overview, nullable: true, resolve: (_site, _args, { services, viewer }) => services.panels.overview(viewer.panels) }),
    tariff: t.field({ type: Tariff, nullable: true, description: 'The tariff plan and its history.', resolve: (_site, _args, { services }) => services.tariff.current() }),
    currentBill: t.field({
      type: BillProjection,
      nullable: true,
      description: "The building's bill this month until now and its projected total (the dashboard's header).",
      resolve: (_site, _args, { services, viewer }) => services.bills.currentBill(services.panels.scope(null, viewer.panels), null),
    }),
    monthlyBill: t.field({
      type: Bill,
      nullable: true,
      description: "The building's bill of a month.",
      args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: true }) },
      resolve: (_site, { year, month }, { services, viewer }) => services.bills.monthlyBill(year, month, services.panels.scope(null, viewer.panels), null),
    }),
    monthlySummary: t.field({
      type: MonthlySummary,
      nullable: true,
      description: "The building's energy and cost per day of a month in the site timezone.",
      args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: true }) },
      resolve: (_site, { year, month }, { services, viewer }) => services.panels.monthlySummary(year, month, null, viewer.panels),
    }),
    peakDemand: t.field({
      type: PeakDemand,
      nullable: true,
      description: "The building's peak demand (coincident) of a month with each day or, without `month`, of a year with each month.",
      args: { year: t.arg.int({ required: true }), month: t.arg.int({ required: false }) },
      resolve: (_site, { year, month }, { services, viewer }) => {
        checkYear(year);
        if (month != null) checkMonth(month);
        return services.demand.peakDemand(services.panels.scope(null, viewer.panels), null, year, month ?? null);
      },
    }),
    loadProfile: t.field({
      type: LoadProfile,
      nullable: true,
      description: "The building's load profile of the local days from `from` to `to` (both included, at most 366 days).",
      args: { from: t.arg({ type: 'Date', required: true }), to: t.arg({ type: 'Date', required: true }) },
      resolve: (_site, { from, to }, { services, viewer }) => services.loadProfile.profile(services.panels.scope(null, viewer.panels), null, from, to),
    }),
    emissionFactors: t.field({
      type: EmissionFactors,
      description: 'The grid emission factor (kg CO₂e per kWh) and its history.',
      resolve: (_site, _args, { services }) => services.emissions.factors(),
    }),
    yearlySummary: t.field({
      type: YearlySummary,
      nullable: true,
      description: "The building's energy and cost per month of a year in the site timezone.",
      args: { year: t.arg.int({ required: true }) },
      resolve: (_site, { year }, { services, viewer }) => services.panels.yearlySummary(year, null, viewer.panels),
    }),
  }),
});

builder.queryField('site', (t) =>
  t.field({
    type: Site,
    description: 'This installation and its building-level figures (the building is every panel the caller sees).',
    resolve: () => THIS_SITE,
  }),
);

registerNode('Site', (key) => (key === THIS_SITE.key ? THIS_SITE : null));

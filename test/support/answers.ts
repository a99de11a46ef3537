import { httpData } from './graphql-client.js';

const USAGE = '{ energyKwh cost { amount } blocks { block energyKwh cost { amount } } }';
const POINT = '{ totalCount nodes { start end energyKwh cost { amount } readingCount activePowerKw voltage { l1 l2 l3 average } current { l1 l2 l3 average } powerFactor } }';
const HOUR = 3_600_000;

/** This month and the one before, on the site's calendar (Asia/Jakarta, the tests' SITE_TIMEZONE). */
function months(now: Date): { year: number; month: number; previous: { year: number; month: number } } {
  const jakarta = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: 'numeric' }).formatToParts(now);
  const year = Number(jakarta.find((p) => p.type === 'year')!.value);
  const month = Number(jakarta.find((p) => p.type === 'month')!.value);
  return { year, month, previous: month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 } };
}

/**
 * Every answer the dashboard uses (overview, panels, summaries, tariff, and each panel's history at
 * every step over the last `hours`), for comparing products fed the same readings: the embedded
 * store against InfluxDB, or the processes of a cluster against each other.
 * `graphqlUrl` is the endpoint itself (`…/graphql`), open to anonymous reads (AUTH=optional).
 */
export async function everyAnswer(graphqlUrl: string, panelIds: readonly string[], hours: number): Promise<unknown> {
  const now = new Date();
  const to = new Date(Math.ceil(now.getTime() / HOUR) * HOUR);
  const from = new Date(to.getTime() - hours * HOUR);
  const { year, month, previous } = months(now);
  const base = await httpData<unknown, Record<string, unknown>>(
    graphqlUrl,
    `query ($year: Int!, $month: Int!, $py: Int!, $pm: Int!) {
      overview { panelCount onlineCount offlineCount todayUsage ${USAGE} }
      panels { nodes { id name status firstSeenAt lastSeenAt todayUsage ${USAGE}
        latestReading { time meterEnergyKwh activePowerKw powerFactor apparentPowerKva voltage { l1 l2 l3 average } current { l1 l2 l3 average } } } }
      thisMonth: monthlySummary(year: $year, month: $month) { total ${USAGE} days { date energyKwh cost { amount } blocks { block energyKwh cost { amount } } } }
      lastMonth: monthlySummary(year: $py, month: $pm) { total ${USAGE} days { date energyKwh cost { amount } } }
      thisYear: yearlySummary(year: $year) { total ${USAGE} months { month energyKwh cost { amount } } }
      tariff { versions { effectiveFrom kind name } }
    }`,
    { year, month, py: previous.year, pm: previous.month },
  );
  // One request per step: together they would pass GRAPHQL_MAX_COST (each window's phases count).
  const steps = { m1: 'history(from: $from, to: $to, every: "1m")', m15: 'history(from: $from, to: $to, every: "15m")', h1: 'history(from: $from, to: $to, every: "1h")', d1: 'history(from: $from, to: $to, every: "1d")' };
  const perPanel = [];
  for (const id of panelIds) {
    const variables = { id, from: from.toISOString(), to: to.toISOString(), year, month };
    const answers: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(steps)) {
      answers[name] = await httpData<unknown, Record<string, unknown>>(
        graphqlUrl,
        `query ($id: ID!, $from: DateTime!, $to: DateTime!) { panel(id: $id) { ${field} ${POINT} } }`,
        { id, from: variables.from, to: variables.to },
      );
    }
    answers.rest = await httpData<unknown, Record<string, unknown>>(
      graphqlUrl,
      `query ($id: ID!, $from: DateTime!, $to: DateTime!, $year: Int!, $month: Int!) {
        panel(id: $id) { raw: readings(from: $from, to: $to, every: "15m") { nodes { time meterEnergyKwh activePowerKw voltage { average } } } }
        monthlySummary(year: $year, month: $month, panelId: $id) { total ${USAGE} days { date energyKwh cost { amount } } }
      }`,
      variables,
    );
    perPanel.push(answers);
  }
  return { base, perPanel };
}

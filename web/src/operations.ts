/**
 * The page's GraphQL documents, one per widget: a field the server does not offer fails the
 * validation of that one document, so only its widget shows an error. The result shapes are in
 * types.ts, next to each other in the same order.
 */

const READING_FIELDS = /* GraphQL */ `
  panelId
  time
  activePowerKw
  energyKwh
  powerFactor
  voltage { average }
  current { average }
`;

/** The panel cards and the building's totals for today. */
export const DASHBOARD = /* GraphQL */ `
  query Dashboard {
    overview { panelCount onlineCount offlineCount todayUsage { energyKwh cost } }
    panels {
      id
      name
      status
      lastSeenAt
      latestReading { ${READING_FIELDS} }
      todayUsage { energyKwh cost }
    }
    tariff { ratePerKwh currency timezone }
  }
`;

/** This month's bill so far and its projection, for the whole building (the header figure). */
export const CURRENT_BILL = /* GraphQL */ `
  query CurrentBill {
    currentBill {
      monthToDate { year month panelId complete energyKwh total }
      projectedTotal
      projectedEnergyKwh
    }
  }
`;

/** Energy and cost per day of a month; `panelId` null for the whole building. */
export const MONTHLY_SUMMARY = /* GraphQL */ `
  query MonthlySummary($year: Int!, $month: Int!, $panelId: ID) {
    monthlySummary(year: $year, month: $month, panelId: $panelId) {
      year
      month
      panelId
      total { energyKwh cost }
      days { date energyKwh cost }
    }
  }
`;

/** Energy and cost per month of a year; `panelId` null for the whole building. */
export const YEARLY_SUMMARY = /* GraphQL */ `
  query YearlySummary($year: Int!, $panelId: ID) {
    yearlySummary(year: $year, panelId: $panelId) {
      year
      panelId
      total { energyKwh cost }
      months { month energyKwh cost }
    }
  }
`;

/** One panel's history, one point per window. */
export const PANEL_HISTORY = /* GraphQL */ `
  query PanelHistory($id: ID!, $from: DateTime!, $to: DateTime!, $every: String!) {
    panel(id: $id) {
      id
      history(from: $from, to: $to, every: $every) {
        start
        end
        energyKwh
        cost
        readingCount
        activePowerKw
        voltage
        current
        powerFactor
      }
    }
  }
`;

/** Every stored reading of every panel. */
export const LIVE_READINGS = /* GraphQL */ `
  subscription LiveReadings {
    panelReading { ${READING_FIELDS} }
  }
`;

/** Panels going ONLINE or OFFLINE. */
export const LIVE_STATUS = /* GraphQL */ `
  subscription LiveStatus {
    panelStatusChanged { panelId status at }
  }
`;

/** Each panel's usage today, pushed when it changes. */
export const LIVE_TODAY_USAGE = /* GraphQL */ `
  subscription LiveTodayUsage {
    todayUsage {
      panelId
      date
      at
      today { energyKwh cost blocks { block energyKwh cost } }
    }
  }
`;

/** The building's totals, pushed when they change. */
export const LIVE_OVERVIEW = /* GraphQL */ `
  subscription LiveOverview {
    overview {
      panelCount
      onlineCount
      offlineCount
      todayUsage { energyKwh cost blocks { block energyKwh cost } }
    }
  }
`;

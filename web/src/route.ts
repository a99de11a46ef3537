import { useEffect, useState } from 'preact/hooks';

/**
 * The page's views, in the URL's fragment so the server keeps serving one `/` and a report can
 * be bookmarked or sent: `#/report/2026-11` (the building), `#/report/2026-11/PANEL_A` (a panel),
 * `#/alarms` (every alarm the caller sees), `#/alarms/PANEL_A` (one panel's alarms and history).
 */
export type Route =
  | { readonly view: 'dashboard' }
  /** Peak demand and load profile: `#/demand`. */
  | { readonly view: 'demand' }
  | {
      readonly view: 'report';
      /** Absent: this month on the site's calendar. */
      readonly period: { readonly year: number; readonly month: number } | null;
      /** null: the whole building (for a key limited to some panels: those panels). */
      readonly panelId: string | null;
    }
  | {
      readonly view: 'alarms';
      /** null: every panel the caller sees (and the building); else that panel's alarms and history. */
      readonly panelId: string | null;
    };

export const DASHBOARD: Route = { view: 'dashboard' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'alarms') return { view: 'alarms', panelId: parts[1] ?? null };
  if (parts[0] === 'demand') return { view: 'demand' };
  if (parts[0] !== 'report') return DASHBOARD;
  const match = /^(\d{4})-(\d{2})$/.exec(parts[1] ?? '');
  const month = match ? Number(match[2]) : 0;
  const period = match && month >= 1 && month <= 12 ? { year: Number(match[1]), month } : null;
  return { view: 'report', period, panelId: parts[2] ?? null };
}

export function routeHash(route: Route): string {
  if (route.view === 'dashboard') return '#/';
  if (route.view === 'demand') return '#/demand';
  if (route.view === 'alarms') return route.panelId === null ? '#/alarms' : `#/alarms/${encodeURIComponent(route.panelId)}`;
  // A panel's report names its month: the panel is the third part.
  if (!route.period) return '#/report';
  const panel = route.panelId === null ? '' : `/${encodeURIComponent(route.panelId)}`;
  return `#/report/${route.period.year}-${String(route.period.month).padStart(2, '0')}${panel}`;
}

/** The current view, following the fragment (links, the back button). */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}

export function navigate(route: Route): void {
  location.hash = routeHash(route);
}

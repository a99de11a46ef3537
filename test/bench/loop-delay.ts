import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The product's own event-loop delay, as it exports it on /metrics (prom-client's
 * nodejs_eventloop_lag_*, a perf_hooks.monitorEventLoopDelay histogram at 10 ms resolution, so an
 * idle loop reads about 10–13 ms). prom-client resets the histogram on every scrape, so two scrapes
 * bracket one span: what a user's monitoring sees over that span, measured in the product process.
 */
export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** One scrape of `<baseUrl>/metrics` (METRICS_AUTH=open): the delay since the previous scrape. */
export async function scrapeLoopDelay(baseUrl: string): Promise<LoopDelay> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (!response.ok) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}: the benchmark needs METRICS_AUTH=open`);
  const text = await response.text();
  const ms = (name: string) => {
    const match = new RegExp(`^nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`GET ${baseUrl}/metrics has no nodejs_eventloop_lag_${name}_seconds`);
    return Number(match[1]) * 1000;
  };
  return { p50Ms: ms('p50'), p99Ms: ms('p99'), maxMs: ms('max') };
}

/** The delay while `work` runs (and only then: a scrape before resets the histogram). */
export async function loopDelayDuring<T>(baseUrl: string, work: () => Promise<T>): Promise<{ delay: LoopDelay; result: T }> {
  await scrapeLoopDelay(baseUrl);
  const result = await work();
  return { delay: await scrapeLoopDelay(baseUrl), result };
}

/** The same span with nothing asked of the product (its meters and timers still run): the baseline. */
export async function idleLoopDelay(baseUrl: string, ms: number): Promise<LoopDelay> {
  return (await loopDelayDuring(baseUrl, () => sleep(ms))).delay;
}

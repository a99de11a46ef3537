import { Agent, request } from 'node:http';
import { DateTime } from 'luxon';
import { operation, SITE_TIMEZONE } from './dashboard-ops.js';
import { postGraphql } from './http-load.js';
import { freePort } from './mosquitto.js';
import { launchProduct, type Product, type ProductOptions } from './product.js';
import type { SeededHistory } from './seed.js';

/** From the fork of the product process to the first correct building yearly summary. */
export interface StartupFigures {
  /** Spawn → the first HTTP answer of any kind (the server is listening). */
  readonly firstAnswerMs: number;
  /** Spawn → the first `/ready` 200. */
  readonly readyMs: number;
  /** Spawn → the first yearlySummary (building) whose total equals the seeded counters. */
  readonly correctMs: number;
  /** yearlySummary answers before that which were errors or wrong totals (none expected: asked only after /ready). */
  readonly wrongAnswers: number;
  /** The last /ready body before it said 200 (what it reported while loading). */
  readonly lastNotReady: string;
  /** The host's own figures: startApp() and the ledger's load after it (ms). */
  readonly startAppMs: number;
  readonly ledgerLoadMs: number;
  readonly expectedYearKwh: number;
  readonly answeredYearKwh: number;
}

/**
 * Starts the product on stored data, the way a restart does, and measures how long until its
 * summaries are right: polls GET /ready (every 20 ms) until 200, then asks for the building's
 * yearlySummary and checks the total against the seeded counters (asking again until it is right
 * or the time runs out). Timed on this process's clock from just before the fork.
 */
export async function startTimed(
  options: Omit<ProductOptions, 'port'> & { readonly history: SeededHistory; readonly timeoutMs: number },
): Promise<{ product: Product; startup: StartupFigures }> {
  const port = await freePort();
  const launched = await launchProduct({ ...options, port, readyTimeoutMs: options.timeoutMs });
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const year = DateTime.now().setZone(SITE_TIMEZONE).startOf('year');
  const expected = options.history.expectedKwh(year.toJSDate(), year.plus({ years: 1 }).toJSDate());
  const yearly = JSON.stringify(operation('summaries.graphql', 'YearlySummary', { year: year.year, panelId: null }));
  const deadline = launched.spawnedAt + options.timeoutMs;
  const since = () => performance.now() - launched.spawnedAt;
  let firstAnswerMs = Number.NaN;
  let readyMs = Number.NaN;
  let lastNotReady = '';
  let wrongAnswers = 0;
  let answered = Number.NaN;
  try {
    for (;;) {
      if (performance.now() > deadline) throw new Error(`${options.name}: no correct yearlySummary within ${options.timeoutMs} ms of the start`);
      const ready = await getStatus(`${base}/ready`, agent);
      if (ready !== null && Number.isNaN(firstAnswerMs)) firstAnswerMs = since();
      if (ready?.status === 200) {
        if (Number.isNaN(readyMs)) readyMs = since();
        const response = await postGraphql(`${base}/graphql`, yearly, agent);
        const body = parse(response.text);
        answered = body?.data?.yearlySummary?.total?.energyKwh ?? Number.NaN;
        if (response.status === 200 && !body?.errors && Math.abs(answered - expected) <= 0.01 && body?.data?.yearlySummary?.months?.length === 12) break;
        wrongAnswers++;
      } else if (ready !== null) {
        lastNotReady = ready.text.slice(0, 300);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const correctMs = since();
    const product = await launched.ready;
    return {
      product,
      startup: {
        firstAnswerMs,
        readyMs,
        correctMs,
        wrongAnswers,
        lastNotReady,
        startAppMs: product.ready.startupMs,
        ledgerLoadMs: product.ready.warmUpMs,
        expectedYearKwh: expected,
        answeredYearKwh: answered,
      },
    };
  } catch (error) {
    await launched.child.stop(5_000);
    throw error;
  } finally {
    agent.destroy();
  }
}

interface YearlyAnswer {
  errors?: unknown;
  data?: { yearlySummary?: { total?: { energyKwh?: number }; months?: unknown[] } };
}

function parse(text: string): YearlyAnswer | null {
  try {
    return JSON.parse(text) as YearlyAnswer;
  } catch {
    return null;
  }
}

/** GET with status and body; null when nothing answers (not listening yet). */
function getStatus(url: string, agent: Agent): Promise<{ status: number; text: string } | null> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
    req.end();
  });
}

/**
 * Progress of a long job (the backfill) for people watching it: the rate over a moving window, so
 * the ETA stays steady instead of jumping with every burst of acknowledgements, and one line of
 * text a few seconds apart where no progress bar can be drawn (a pipe, `docker compose logs`).
 */

/** How far back the rate looks: long enough to smooth bursts, short enough to follow a change. */
const WINDOW_MS = 20_000;
/** Samples closer together than this are merged: acknowledgements arrive thousands a second. */
const SAMPLE_EVERY_MS = 250;
/** The rate is not guessed from less than this much time. */
const MIN_SPAN_MS = 1_000;

interface Sample {
  readonly at: number;
  readonly done: number;
}

export class ProgressRate {
  readonly #samples: Sample[] = [];
  #latest: Sample | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records that `done` units are finished by now. */
  record(done: number): void {
    const at = this.now();
    this.#latest = { at, done };
    const last = this.#samples.length - 1;
    // Within one sampling slot the newest count wins, so every sample means "done by the end of
    // its slot" and a burst does not make the first sample of the window look late.
    if (last >= 0 && at - this.#samples[last]!.at < SAMPLE_EVERY_MS) this.#samples[last] = { at: this.#samples[last]!.at, done };
    else this.#samples.push(this.#latest);
    // Keep one sample at or before the window's start, so the window is always fully spanned.
    while (this.#samples.length > 2 && this.#samples[1]!.at <= at - WINDOW_MS) this.#samples.shift();
  }

  /** Units per second over the window; null until there is enough to tell. */
  perSecond(): number | null {
    const first = this.#samples[0];
    const latest = this.#latest;
    if (!first || !latest || latest.at - first.at < MIN_SPAN_MS) return null;
    return ((latest.done - first.done) * 1000) / (latest.at - first.at);
  }

  /** Milliseconds until `total` at the current rate; null while unknown or stalled. */
  etaMs(total: number): number | null {
    const rate = this.perSecond();
    const done = this.#latest?.done ?? 0;
    if (done >= total) return 0;
    if (rate === null || rate <= 0) return null;
    return ((total - done) * 1000) / rate;
  }
}

/** `1h 02m`, `4m 05s`, `12s`; `?` while unknown. */
export function formatEta(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '?';
  const seconds = Math.ceil(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12,000 of 86,400 readings (13%), 1,998/s, ETA 32s`. */
export function progressLine(done: number, total: number, rate: ProgressRate): string {
  const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
  const perSecond = rate.perSecond();
  return (
    `${count.format(done)} of ${count.format(total)} readings (${percent}%), ` +
    `${perSecond === null ? '?' : count.format(perSecond)}/s, ETA ${formatEta(rate.etaMs(total))}`
  );
}

export interface ProgressLines {
  /** Reports the count so far (the caller records it in the rate too). */
  update(done: number): void;
  /** Stops the timer; prints nothing more. */
  stop(): void;
}

/**
 * Prints a progress line every `everyMs` while the job runs (from a timer, so a stalled job is
 * reported too), for output that is not a terminal.
 */
export function progressLines(options: {
  readonly total: number;
  readonly everyMs: number;
  readonly write: (line: string) => void;
  readonly rate: ProgressRate;
}): ProgressLines {
  let done = 0;
  const timer = setInterval(() => options.write(progressLine(done, options.total, options.rate)), options.everyMs);
  timer.unref();
  return {
    update(value) {
      done = value;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

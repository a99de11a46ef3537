/**
 * The wall clock and its timers, as one dependency.
 *
 * Timers and `Date.now()` are different clocks: a timer set for `at - Date.now()` milliseconds
 * can fire a millisecond (or, after a clock step, much more) before `Date.now()` reaches `at`, and
 * it fires late whenever the event loop is busy. Code that expects a state to have changed when a
 * timer fires must therefore check the wall clock and re-arm, never trust the timer: `runAt` does.
 */
export interface Clock {
  /** Milliseconds since the epoch (the clock statuses, days and expiries are decided by). */
  now(): number;
  /** Calls `callback` after roughly `ms`; early or late are both possible. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** What a clock's `setTimeout` returns; opaque to callers. */
export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout;

/** The process's own clock. Its timers are unref'd: a pending deadline never keeps a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Longest wait setTimeout takes (about 24.8 days); a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Calls `action` once, at the first moment the clock reads `at` or later (at once if it already
 * does). A timer that fires early is re-armed for what is left, so `action` never runs before `at`
 * by the clock it is judged by; how late it runs is the event loop's delay. Returns the cancel
 * function.
 */
export function runAt(clock: Clock, at: number, action: () => void): () => void {
  let timer: TimerHandle | undefined;
  let cancelled = false;
  const arm = () => {
    timer = undefined;
    if (cancelled) return;
    const left = at - clock.now();
    if (left <= 0) return action();
    timer = clock.setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
  };
  arm();
  return () => {
    cancelled = true;
    if (timer !== undefined) clock.clearTimeout(timer);
  };
}

import type { Logger } from '../config/logger.js';
import type { PanelStatus, PanelStatusChange } from '../models/panel-status.js';
import { runAt, systemClock, type Clock } from '../time/clock.js';
import type { LiveState } from './live-state.js';
import type { AppPubSub } from './pubsub.js';

export interface StatusMonitorOptions {
  readonly live: LiveState;
  readonly pubsub: AppPubSub;
  readonly offlineAfterMs: number;
  readonly logger: Logger;
  /** The clock statuses are judged by, and its timers (default: the system clock). */
  readonly clock?: Clock;
}

/** A panel's pending OFFLINE: the instant it goes silent and the timer that will say so. */
interface Deadline {
  readonly offlineAt: number;
  readonly cancel: () => void;
}

/**
 * ONLINE while a panel's newest reading (by meter time) is within `offlineAfterMs` of now.
 * Status comes from data, never from connection keep-alives. Each panel has its own deadline, the
 * exact instant it would go offline, so the OFFLINE change is announced on time rather than at the
 * next poll or the next request.
 *
 * Every change is announced exactly once, whatever the timers do: a deadline is judged by the
 * clock, not by its timer firing (a timer that fires early is re-armed, see `runAt`), and a
 * reading that arrives after a deadline passed but before its timer ran (a busy event loop)
 * announces the OFFLINE it ended before its own ONLINE. So every process of a cluster announces the
 * same changes at the same instants (`at` is derived from meter time, not from when a timer ran),
 * and an announcement comes at most one event-loop delay after the threshold.
 */
export class StatusMonitor {
  readonly #deadlines = new Map<string, Deadline>();
  readonly #announced = new Map<string, PanelStatus>();
  readonly #clock: Clock;
  #stopped = false;

  constructor(private readonly options: StatusMonitorOptions) {
    this.#clock = options.clock ?? systemClock;
    for (const panel of options.live.panels()) this.track(panel.id);
  }

  /** Starts watching a panel loaded from the store, without announcing its current status. */
  track(panelId: string): void {
    if (!this.#announced.has(panelId)) this.#announced.set(panelId, this.statusOf(panelId));
    this.#arm(panelId);
  }

  /** A panel's newest reading changed: announce a change of status and re-arm its deadline. */
  refresh(panelId: string, at: Date): void {
    this.#expire(panelId);
    this.#announce(panelId, this.statusOf(panelId), at);
    this.#arm(panelId);
  }

  /**
   * The first instant at which a status may change by the clock alone (a panel going OFFLINE);
   * Infinity when none can. Until then statuses change only with readings (LiveState.version).
   */
  nextChangeAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const { offlineAt } of this.#deadlines.values()) if (offlineAt < next) next = offlineAt;
    // OFFLINE from the millisecond after the deadline (the threshold is inclusive).
    return next + 1;
  }

  statusOf(panelId: string): PanelStatus {
    const latest = this.options.live.latest(panelId);
    if (!latest) return 'OFFLINE';
    return this.#clock.now() - latest.time.getTime() <= this.options.offlineAfterMs ? 'ONLINE' : 'OFFLINE';
  }

  stop(): void {
    this.#stopped = true;
    for (const deadline of this.#deadlines.values()) deadline.cancel();
    this.#deadlines.clear();
  }

  #arm(panelId: string): void {
    this.#deadlines.get(panelId)?.cancel();
    this.#deadlines.delete(panelId);
    const latest = this.options.live.latest(panelId);
    if (this.#stopped || !latest) return;
    const offlineAt = latest.time.getTime() + this.options.offlineAfterMs;
    // Already past (a reading that was late, or the clock moved on since the status was read):
    // OFFLINE now, announced unless it already was or the panel was never seen ONLINE.
    if (this.#clock.now() > offlineAt) return this.#announce(panelId, 'OFFLINE', new Date(offlineAt));
    // The threshold is inclusive: still ONLINE at offlineAt, OFFLINE from the next millisecond.
    const cancel = runAt(this.#clock, offlineAt + 1, () => this.#expire(panelId));
    this.#deadlines.set(panelId, { offlineAt, cancel });
  }

  /** Announces OFFLINE at the panel's deadline if the clock has passed it. */
  #expire(panelId: string): void {
    const deadline = this.#deadlines.get(panelId);
    if (deadline === undefined || this.#clock.now() <= deadline.offlineAt) return;
    this.#deadlines.delete(panelId);
    deadline.cancel();
    this.#announce(panelId, 'OFFLINE', new Date(deadline.offlineAt));
  }

  #announce(panelId: string, status: PanelStatus, at: Date): void {
    const previous = this.#announced.get(panelId);
    if (previous === status) return;
    this.#announced.set(panelId, status);
    // A panel's very first reading is not a change worth announcing unless it is live.
    if (previous === undefined && status === 'OFFLINE') return;
    const change: PanelStatusChange = { panelId, status, at };
    this.options.logger.info({ panelId, status, at }, 'panel status changed');
    this.options.pubsub.publish('statusChanged', change);
    this.options.pubsub.publish('panelStatusChanged', panelId, change);
  }
}

import type { Logger } from '../config/logger.js';
import type { PanelStatus, PanelStatusChange } from '../models/panel-status.js';
import type { LiveState } from './live-state.js';
import type { AppPubSub } from './pubsub.js';

export interface StatusMonitorOptions {
  readonly live: LiveState;
  readonly pubsub: AppPubSub;
  readonly offlineAfterMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * ONLINE while a panel's newest reading (by meter time) is within `offlineAfterMs` of now.
 * Status comes from data, never from connection keep-alives. Each panel has its own timer set to
 * the exact instant it would go offline, so the OFFLINE change is announced on time rather than
 * at the next poll or the next request.
 */
export class StatusMonitor {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #announced = new Map<string, PanelStatus>();
  readonly #now: () => number;
  #stopped = false;

  constructor(private readonly options: StatusMonitorOptions) {
    this.#now = options.now ?? Date.now;
    for (const panel of options.live.panels()) this.track(panel.id);
  }

  /** Starts watching a panel loaded from the store, without announcing its current status. */
  track(panelId: string): void {
    if (!this.#announced.has(panelId)) this.#announced.set(panelId, this.statusOf(panelId));
    this.#schedule(panelId);
  }

  /** A panel's newest reading changed: announce a change of status and re-arm its timer. */
  refresh(panelId: string, at: Date): void {
    this.#announce(panelId, at);
    this.#schedule(panelId);
  }

  statusOf(panelId: string): PanelStatus {
    const latest = this.options.live.latest(panelId);
    if (!latest) return 'OFFLINE';
    return this.#now() - latest.time.getTime() <= this.options.offlineAfterMs ? 'ONLINE' : 'OFFLINE';
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(panelId: string): void {
    if (this.#stopped) return;
    clearTimeout(this.#timers.get(panelId));
    const latest = this.options.live.latest(panelId);
    if (!latest) return;
    const offlineAt = latest.time.getTime() + this.options.offlineAfterMs;
    const delay = offlineAt - this.#now();
    if (delay < 0) {
      this.#timers.delete(panelId);
      return;
    }
    // +1 ms: the panel is still ONLINE at exactly offlineAt (the threshold is inclusive).
    const timer = setTimeout(() => this.#announce(panelId, new Date(offlineAt)), Math.min(delay + 1, 2 ** 31 - 1));
    timer.unref();
    this.#timers.set(panelId, timer);
  }

  #announce(panelId: string, at: Date): void {
    const status = this.statusOf(panelId);
    const previous = this.#announced.get(panelId);
    if (previous === status) return;
    this.#announced.set(panelId, status);
    // A panel's very first reading is not a change worth announcing unless it is live.
    if (previous === undefined && status === 'OFFLINE') return;
    const change: PanelStatusChange = { panelId, status, at };
    this.options.logger.info({ panelId, status }, 'panel status changed');
    this.options.pubsub.publish('statusChanged', change);
    this.options.pubsub.publish('panelStatusChanged', panelId, change);
  }
}

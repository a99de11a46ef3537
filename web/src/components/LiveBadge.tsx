import type { LiveState } from '../api/live.js';

const LABELS: Record<LiveState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Disconnected' };

/** Whether the live updates are flowing. */
export function LiveBadge({ state }: { readonly state: LiveState }) {
  return (
    <span class="live-badge" data-state={state} role="status">
      {LABELS[state]}
    </span>
  );
}

import type { LiveState } from '../api/live.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';

const LABELS = {
  connecting: 'liveConnecting',
  live: 'liveLive',
  reconnecting: 'liveReconnecting',
  closed: 'liveClosed',
} as const satisfies Record<LiveState, MessageKey>;

/** Whether the live updates are flowing. */
export function LiveBadge({ state }: { readonly state: LiveState }) {
  const { t } = useI18n();
  return (
    <span class="live-badge" data-state={state} role="status">
      {t(LABELS[state])}
    </span>
  );
}

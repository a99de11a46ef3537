import type { Translate } from './i18n.js';

/** How long ago, in whole units of the largest that fits ("12 menit lalu", "3 h ago"). */
export function ageText(t: Translate, ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return t('ageSeconds', { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('ageMinutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('ageHours', { n: hours });
  return t('ageDays', { n: Math.floor(hours / 24) });
}

import type { ApiError } from '../api/errors.js';
import { useI18n, type Translate } from '../i18n/i18n.js';

/**
 * A widget that could not load says so in place, in the chosen language; the rest of the page
 * carries on. The API's own message is English: it is quoted, marked as such (`lang="en"`).
 */
export function WidgetError({ what, error }: { readonly what: string; readonly error: ApiError }) {
  const { t } = useI18n();
  const reason = clientReason(t, error);
  return (
    <p class="widget-error" data-error-code={error.code}>
      {t('errorUnavailable', { what, reason: reason ?? t('errorServer') })}
      {reason === null && (
        <>
          {' '}
          <q lang="en">{error.message}</q>
        </>
      )}
    </p>
  );
}

/** The page's own words for what it knows; null for an error the API described. */
function clientReason(t: Translate, error: ApiError): string | null {
  switch (error.code) {
    case 'UNREACHABLE':
      return t('errorUnreachable');
    case 'BAD_RESPONSE':
      return t('errorBadResponse', { status: error.status ?? '?' });
    case 'EMPTY':
      return t('errorEmpty');
    case 'UNAUTHENTICATED':
      return t('errorNeedsKey');
    case 'FORBIDDEN':
      return t('errorForbidden');
    default:
      return null;
  }
}

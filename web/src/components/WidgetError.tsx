import type { ApiError } from '../api/errors.js';

/** A widget that could not load says so in place; the rest of the page carries on. */
export function WidgetError({ what, error }: { readonly what: string; readonly error: ApiError }) {
  return (
    <p class="widget-error" data-error-code={error.code}>
      {what} unavailable: {error.message}
    </p>
  );
}

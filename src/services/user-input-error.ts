/**
 * Why the API refused a request, as `extensions.reason` beside `extensions.code`: the one place the
 * reasons are defined, each with what it means (docs/api.md lists them; test/docs checks the table
 * against this). Clients branch on the reason, never on the English message.
 */
export const ERROR_REASONS = {
  // BAD_USER_INPUT: the caller can fix the request.
  UNKNOWN_PANEL: 'BAD_USER_INPUT: no panel with this id among those the caller sees (the field is null; a subscription ends with it)',
  INVALID_PANEL_ID: 'BAD_USER_INPUT: not a panel id (letters, digits, `_`, `-` and `.`)',
  YEAR_OUT_OF_RANGE: 'BAD_USER_INPUT: a year outside 2000-2100',
  MONTH_OUT_OF_RANGE: 'BAD_USER_INPUT: a month outside 1-12',
  INVALID_RANGE: 'BAD_USER_INPUT: `from` is not before `to`',
  INVALID_INTERVAL: 'BAD_USER_INPUT: `every` is not a duration from 1s to 366d',
  RANGE_TOO_LARGE: 'BAD_USER_INPUT: more points than one request may return; `extensions.maximum` is the limit',
  COST_TOO_HIGH: 'BAD_USER_INPUT: the operation may return more values than GRAPHQL_MAX_COST; `extensions.maximum` is the limit',
  LIMIT_OUT_OF_RANGE: 'BAD_USER_INPUT: a `limit` or `first` outside its range; `extensions.maximum` is the largest allowed',
  INVALID_CURSOR: 'BAD_USER_INPUT: `after` is not a cursor of this list',
  INVALID_DATE: 'BAD_USER_INPUT: a `Date` that is not YYYY-MM-DD or not a day of the calendar (2026-02-30)',
  INVALID_DATE_TIME: 'BAD_USER_INPUT: a `DateTime` without an offset or not an instant of the calendar',
  INVALID_TARIFF_PLAN: 'BAD_USER_INPUT: a tariff plan that misses a rate or has one out of range',
  TARIFF_DATE_TOO_EARLY: 'BAD_USER_INPUT: a tariff plan may take effect from tomorrow at the earliest',
  EMISSION_FACTOR_DATE_TOO_EARLY: 'BAD_USER_INPUT: an emission factor may take effect from tomorrow at the earliest',
  INVALID_CHANGE: 'BAD_USER_INPUT: a change that does not fit the admin record (a name too long, …)',
  INVALID_API_KEY_ID: 'BAD_USER_INPUT: not an API key id (12 hex digits)',
  UNKNOWN_API_KEY: 'BAD_USER_INPUT: no active API key with this id',
  INVALID_EXPORT: 'BAD_USER_INPUT: an export (GET /export or `createExportLink`) with a parameter it does not take or in the wrong form',
  SUBSCRIPTION_OVER_HTTP: 'BAD_USER_INPUT: a subscription sent over plain HTTP (server-sent events); subscriptions are served over WebSocket (graphql-ws) only',
  TOO_MANY_SUBSCRIPTIONS: 'BAD_USER_INPUT: the connection already has WS_MAX_SUBSCRIPTIONS_PER_CONNECTION operations open; `extensions.maximum` is the limit',
  // UNAUTHENTICATED and FORBIDDEN: who the caller is, and what its role and panels allow.
  CREDENTIALS_REQUIRED: 'UNAUTHENTICATED: no valid API key or token, or it was revoked or expired since the connection began',
  NOT_ALLOWED: "FORBIDDEN: the caller's role or panel limit does not allow it (the message says which)",
  // SERVICE_UNAVAILABLE: nothing wrong with the request; ask again later.
  ENERGY_NOT_READY: 'SERVICE_UNAVAILABLE: figures still being computed (start-up, a burst of late readings); `extensions.retryAfterSeconds`',
  SERVER_BUSY: 'SERVICE_UNAVAILABLE: other large operations hold GRAPHQL_MAX_COST_IN_FLIGHT, or this caller holds its share',
  SUBSCRIPTIONS_FULL: 'SERVICE_UNAVAILABLE: the server (or this caller\'s share of it) has WS_MAX_SUBSCRIPTIONS open',
} as const satisfies Record<string, string>;

export type ErrorReason = keyof typeof ERROR_REASONS;

/** What an error says besides its code, reason and message (e.g. `maximum`). */
export type ErrorDetails = Readonly<Record<string, number | string>>;

/**
 * A request the caller can fix: the API answers it with code BAD_USER_INPUT, `reason`, this message
 * and `details` in `extensions`.
 */
export class UserInputError extends Error {
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

/** No panel `panelId` among those the caller sees: one error, the same for every kind of operation. */
export function unknownPanel(panelId: string): UserInputError {
  return new UserInputError('UNKNOWN_PANEL', `unknown panel "${panelId}"`, { panelId });
}

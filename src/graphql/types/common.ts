import { builder } from '../builder.js';

/**
 * Shapes every part of the API shares (issue 23): Relay connections' PageInfo, mutation payloads'
 * user errors, and opaque cursors.
 */

export interface PageInfoShape {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export const PageInfo = builder.objectRef<PageInfoShape>('PageInfo').implement({
  description: 'Where a page of a connection ends (Relay cursor connections).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'Pass as `after` for the next page; null on an empty page.' }),
  }),
});

export const USER_ERROR_CODES = ['UNKNOWN_ALARM', 'UNKNOWN_PANEL', 'UNKNOWN_CHANNEL', 'INVALID_VALUE', 'NOT_ALLOWED'] as const;
export type UserErrorCodeValue = (typeof USER_ERROR_CODES)[number];

export const UserErrorCode = builder.enumType('UserErrorCode', {
  description:
    'Why a mutation refused part of its input. UNKNOWN_ALARM: no such alarm among those the caller sees; UNKNOWN_PANEL: no such panel among the ' +
    "caller's; UNKNOWN_CHANNEL: no such notification channel; INVALID_VALUE: a value out of its range or form; NOT_ALLOWED: the caller may not change it.",
  values: USER_ERROR_CODES,
});

export interface UserErrorShape {
  readonly field: readonly string[];
  readonly code: UserErrorCodeValue;
  readonly message: string;
}

export const UserError = builder.objectRef<UserErrorShape>('UserError').implement({
  description: 'A refusal a program can branch on (`code`) and a person can read (`message`), naming the input field.',
  fields: (t) => ({
    field: t.exposeStringList('field', { description: 'The path of the input field, e.g. ["input", "id"].' }),
    code: t.field({ type: UserErrorCode, resolve: (error) => error.code }),
    message: t.exposeString('message'),
  }),
});

/** An opaque cursor for a position in a list ordered by (time desc, id desc). */
export function encodeCursor(timeMs: number, id: string): string {
  return Buffer.from(`${timeMs}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { timeMs: number; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(-?\d+):([0-9A-Za-z:_-]{1,120})$/.exec(text);
  return match ? { timeMs: Number(match[1]), id: match[2]! } : null;
}
